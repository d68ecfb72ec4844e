/**
 * Issue #14: the SLA jobs' facts and records are the server's. A device — even the dispatcher's
 * or the admin's — may not write an escalation, an "at risk" warning or a closure by timeout,
 * may not take the fixed id the server's fact is created under (it would never be written
 * then), nor write a job's record. Each case asserts the exact refusal and that nothing was
 * stored; then the job still writes its fact.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escalationFactId, timeoutFactId } from '../../src/lib/domain/sla-facts.ts';
import type { TicketDoc } from '../../src/lib/domain/schemas.ts';
import {
	aClient,
	aConfig,
	anEvent,
	aTicket,
	people
} from '../../src/lib/domain/testing/factories.ts';
import {
	addAccounts,
	Clock,
	nextRevision,
	putAll,
	Session,
	startSyncServer,
	type Json,
	type SyncServer
} from '../support/sync-device.ts';

const dina = people.dispatcher();
const ada = people.admin();
// Monday 2 March 2026, 09:00 in Paris.
const CREATED = '2026-03-02T08:00:00.000Z';
const K1: TicketDoc = {
	...aTicket(),
	priority: 'P2',
	createdAt: CREATED,
	updatedAt: CREATED
};

let clock: Clock;
let server: SyncServer;

beforeAll(async () => {
	clock = new Clock(CREATED);
	server = await startSyncServer(clock, { JOBS_TICK_MS: '3600000' });
	await addAccounts(server.couch, [dina, ada]);
	await putAll(server.couch, [aConfig('access'), aClient(), K1] as unknown as Json[]);
});

afterAll(async () => {
	await server?.stop();
});

async function expectRefused(
	user: { name: string },
	doc: Json,
	reason: string | RegExp
): Promise<void> {
	const session = await new Session(server.url, user.name).signIn();
	const id = String(doc._id);
	const res = await session.pushRaw([doc]);
	expect(res.status).toBe(201);
	const [answer] = res.body as Array<Record<string, unknown>>;
	expect(answer).toMatchObject({ id, error: 'forbidden' });
	if (typeof reason === 'string') expect(answer!.reason).toBe(reason);
	else expect(String(answer!.reason)).toMatch(reason);
	await server.settled();
	expect(await server.couch.db.get(id).catch(() => null)).toBeNull();
}

const event = (who: typeof dina, overrides: Record<string, unknown>) =>
	nextRevision(
		anEvent({
			_id: `event:F${randomBytes(4).toString('hex')}`,
			author: who._id,
			authorName: who.displayName,
			at: CREATED,
			...overrides
		}) as unknown as Json
	);

const RESPONSE_FACT = escalationFactId('ticket:K1', 'response');

describe('the SLA jobs’ documents are the server’s', () => {
	it('an escalation written by a device is refused, for the dispatcher and the admin alike', async () => {
		const escalated = {
			kind: 'escalated',
			data: { deadline: 'response', dueAt: CREATED, from: 1, to: 2 }
		};
		await expectRefused(
			dina,
			event(dina, escalated),
			/escalated events are written by the server only/
		);
		await expectRefused(
			ada,
			event(ada, escalated),
			/escalated events are written by the server only/
		);
		await expectRefused(
			dina,
			event(dina, { kind: 'sla_warning', data: { clock: 'response', state: 'at_risk' } }),
			/sla_warning events are written by the server only/
		);
	});

	it('the server’s fact ids cannot be taken first, whatever the kind', async () => {
		await expectRefused(
			dina,
			event(dina, { _id: RESPONSE_FACT, kind: 'follow_up', body: 'déjà escaladé' }),
			`${RESPONSE_FACT}: is written by the server only`
		);
		const timeout = timeoutFactId('ticket:K1', CREATED);
		await expectRefused(
			ada,
			event(ada, {
				_id: timeout,
				kind: 'status_change',
				data: { action: 'close', how: 'timeout', from: 'resolved', to: 'closed' }
			}),
			`${timeout}: is written by the server only`
		);
	});

	it('a closure by timeout in the system’s name is refused', async () => {
		await expectRefused(
			dina,
			event(dina, {
				author: 'system',
				authorName: 'Terrain',
				kind: 'status_change',
				data: { action: 'close', how: 'timeout', from: 'resolved', to: 'closed' }
			}),
			'event.author: must be you'
		);
	});

	it('a job’s record cannot be pushed', async () => {
		const session = await new Session(server.url, ada.name).signIn();
		const res = await session.pushRaw([
			nextRevision({
				_id: 'job:escalation',
				type: 'job',
				name: 'escalation',
				owner: null,
				leaseUntil: null,
				lastRun: null,
				runs: []
			})
		]);
		expect(res.status).toBe(201);
		const [answer] = res.body as Array<Record<string, unknown>>;
		expect(answer).toMatchObject({ id: 'job:escalation', error: 'forbidden' });
		expect(await server.couch.db.get('job:escalation').catch(() => null)).toBeNull();
		// The real record lives in the private database, which no device reaches: the server's.
		const record = (await server.couch.privateDb.get('job:escalation')) as unknown as Json;
		expect(record.lastRun).not.toBeNull();
	});

	it('after all that, the job still escalates the ticket at its deadline, once', async () => {
		clock.advance(2 * 3600_000);
		await server.jobs.runAll();
		await server.jobs.runAll();
		const fact = (await server.couch.db.get(RESPONSE_FACT)) as unknown as Json;
		expect(fact).toMatchObject({ kind: 'escalated', author: 'system', data: { to: 2 } });
	});
});
