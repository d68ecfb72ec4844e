/**
 * Issue #13, point 6 follow-up: a ticket in progress is planned again only once none of its
 * missions is planned or under way — the planning board's rule (domain/planning.ts
 * `mayReplan`), judged by the server too. A dispatcher's device that skips the board's check
 * and pushes a second mission is refused, nothing stored; once the first one ended unfinished,
 * the same push is accepted; two new missions in one push: the second is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketDoc } from '../../src/lib/domain/schemas.ts';
import { transition } from '../../src/lib/domain/ticket.ts';
import {
	aClient,
	aConfig,
	aMission,
	actor,
	aTicket,
	people,
	qualify,
	ticketThrough,
	T0
} from '../../src/lib/domain/testing/factories.ts';
import {
	addAccounts,
	Clock,
	nextRevision,
	putAll,
	Session,
	startSyncServer,
	stored,
	type Json,
	type SyncServer
} from '../support/sync-device.ts';

const HOUR = 3600_000;
const dina = people.dispatcher();
const theo = people.technician('theo');
const lea = people.technician('lea');

let server: SyncServer;

const inProgress = (id: string): TicketDoc =>
	ticketThrough(
		[
			[qualify, actor(dina)],
			[{ type: 'plan', technicianId: theo._id }, actor(dina)],
			[{ type: 'start' }, actor(theo)]
		],
		{ ...aTicket(), _id: id, group: 'network' } as TicketDoc
	);

const second = (id: string, ticketId = 'ticket:K1') =>
	nextRevision(
		aMission({ _id: id, ticketId, technicianId: lea._id, status: 'planned' }) as unknown as Json
	);

async function push(docs: Json[]): Promise<Array<Record<string, unknown>>> {
	const session = await new Session(server.url, dina.name).signIn();
	const res = await session.pushRaw(docs);
	expect(res.status).toBe(201);
	return res.body as Array<Record<string, unknown>>;
}

beforeAll(async () => {
	server = await startSyncServer(new Clock(Date.parse(T0) + 30 * HOUR));
	await addAccounts(server.couch, [dina, theo, lea]);
	await putAll(server.couch, [
		aConfig('access'),
		aClient(),
		inProgress('ticket:K1'),
		inProgress('ticket:K2'),
		aMission({ status: 'in_progress' }),
		aMission({ _id: 'mission:M2', ticketId: 'ticket:K2', status: 'unfinished' })
	] as unknown as Json[]);
	await server.settled();
});

afterAll(async () => {
	await server?.stop();
});

describe('planning a ticket in progress again', () => {
	it('refuses a second mission while one is under way, nothing stored', async () => {
		const [answer] = await push([second('mission:FORGED')]);
		expect(answer).toMatchObject({
			id: 'mission:FORGED',
			error: 'forbidden',
			reason: 'a mission of this ticket is still planned or under way'
		});
		await server.settled();
		expect(await stored(server.couch, 'mission:FORGED')).toBeNull();
	});

	it('refuses the board’s batch (the ticket planned again and its mission) while one is under way', async () => {
		const before = (await stored(server.couch, 'ticket:K1')) as unknown as TicketDoc & Json;
		const replanned = transition(
			before,
			{ type: 'plan', technicianId: lea._id },
			actor(dina),
			new Date(Date.parse(T0) + 31 * HOUR)
		);
		expect(replanned.ok).toBe(true);
		const ticket = nextRevision(
			(replanned.ok ? replanned.value : before) as unknown as Json,
			before
		);
		const answers = await push([ticket, second('mission:BATCH')]);
		const byId = new Map(answers.map((a) => [a.id, a]));
		for (const id of ['ticket:K1', 'mission:BATCH'])
			expect(byId.get(id), id).toMatchObject({
				error: 'forbidden',
				reason: 'a mission of this ticket is still planned or under way'
			});
		await server.settled();
		expect(await stored(server.couch, 'mission:BATCH')).toBeNull();
		expect((await stored(server.couch, 'ticket:K1'))?._rev).toBe(before._rev);
	});

	it('accepts it once the earlier mission ended unfinished; a third in the same push is refused', async () => {
		const answers = await push([
			second('mission:AGAIN', 'ticket:K2'),
			second('mission:AGAIN2', 'ticket:K2')
		]);
		const byId = new Map(answers.map((a) => [a.id, a]));
		expect(byId.get('mission:AGAIN')).toMatchObject({ ok: true });
		expect(byId.get('mission:AGAIN2')).toMatchObject({
			error: 'forbidden',
			reason: 'a mission of this ticket is still planned or under way'
		});
		await server.settled();
		expect(await stored(server.couch, 'mission:AGAIN')).not.toBeNull();
		expect(await stored(server.couch, 'mission:AGAIN2')).toBeNull();
	});
});
