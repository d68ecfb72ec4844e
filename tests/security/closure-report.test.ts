/**
 * Issue #13, follow-up: a technician closes a ticket only through a signed report of a
 * mission of that ticket. Pushed as an attacker would, with stock PouchDB-like requests: a
 * closure naming no report, a report that does not exist, one not signed, another ticket's
 * signed report — each refused and nothing stored; and the real flow (the signed report and
 * the closure in one replication) accepted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketDoc } from '../../src/lib/domain/schemas.ts';
import { transition } from '../../src/lib/domain/ticket.ts';
import {
	aClient,
	aConfig,
	aMission,
	aReport,
	aSignedReport,
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
	PouchDevice,
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

let clock: Clock;
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

beforeAll(async () => {
	clock = new Clock(Date.parse(T0) + 30 * HOUR);
	server = await startSyncServer(clock);
	await addAccounts(server.couch, [dina, theo]);
	await putAll(server.couch, [
		aConfig('access'),
		aClient(),
		inProgress('ticket:K1'),
		inProgress('ticket:K2'),
		aMission({ status: 'in_progress' }),
		aMission({ _id: 'mission:M2', ticketId: 'ticket:K2', status: 'in_progress' }),
		// A draft, not signed, of the mission of K1.
		aReport({ _id: 'report:R0' }),
		// A signed report of the other ticket's mission.
		aSignedReport({ _id: 'report:R2', missionId: 'mission:M2', ticketId: 'ticket:K2' })
	] as unknown as Json[]);
});

afterAll(async () => {
	await server?.stop();
});

/** The stored ticket, closed by Theo as the field app would, naming `reportId`. */
async function closedBy(id: string, reportId: string | undefined): Promise<Json> {
	const before = (await stored(server.couch, id)) as unknown as TicketDoc & Json;
	const closed = transition(
		before,
		{ type: 'close', solution: 'Switch remplacé', reportId },
		actor(theo),
		new Date(clock.ms)
	);
	// The device is assumed to lie: a forged closure skips its own domain check.
	const ticket: TicketDoc = closed.ok
		? closed.value
		: {
				...before,
				status: 'closed',
				closure: { by: theo._id, how: 'level2', at: clock.iso(), solution: 'Switch remplacé' }
			};
	return nextRevision(ticket as unknown as Json, before);
}

async function expectRefused(doc: Json, reason: string): Promise<void> {
	const session = await new Session(server.url, theo.name).signIn();
	const before = await stored(server.couch, String(doc._id));
	const res = await session.pushRaw([doc]);
	expect(res.status).toBe(201);
	const [answer] = res.body as Array<Record<string, unknown>>;
	expect(answer).toMatchObject({ id: doc._id, error: 'forbidden', reason });
	await server.settled();
	const after = await stored(server.couch, String(doc._id));
	expect(after?._rev).toBe(before?._rev);
	expect(after?.status).toBe('in_progress');
}

describe('a technician closes a ticket only through its signed report', () => {
	it('refuses a closure naming no report', async () => {
		await expectRefused(
			await closedBy('ticket:K1', undefined),
			'ticket.closure.reportId: a technician closes a ticket through the signed report'
		);
	});

	it('refuses a closure naming a report that does not exist', async () => {
		await expectRefused(
			await closedBy('ticket:K1', 'report:FORGED'),
			'ticket.closure.reportId: there is no such report'
		);
	});

	it('refuses a closure naming an unsigned report', async () => {
		await expectRefused(
			await closedBy('ticket:K1', 'report:R0'),
			'ticket.closure.reportId: the report is not signed'
		);
	});

	it('refuses a closure naming the signed report of another ticket', async () => {
		await expectRefused(
			await closedBy('ticket:K1', 'report:R2'),
			'ticket.closure.reportId: must be a report of this ticket'
		);
	});

	it('refuses a closure whose signed report, pushed with it, is itself refused', async () => {
		// A "signed" report for a mission that is not Theo's ticket's: the report's own rule
		// refuses it, so the closure cannot lean on it.
		const session = await new Session(server.url, theo.name).signIn();
		const report = nextRevision(
			aSignedReport({ _id: 'report:R9', missionId: 'mission:M2' }) as unknown as Json
		);
		const ticket = await closedBy('ticket:K1', 'report:R9');
		const res = await session.pushRaw([ticket, report]);
		const answers = res.body as Array<Record<string, unknown>>;
		expect(answers.map((a) => [a.id, a.error ?? 'ok'])).toEqual([
			['ticket:K1', 'forbidden'],
			['report:R9', 'forbidden']
		]);
		expect(answers[0]?.reason).toBe('ticket.closure.reportId: there is no such report');
		await server.settled();
		expect((await stored(server.couch, 'ticket:K1'))?.status).toBe('in_progress');
		expect(await stored(server.couch, 'report:R9')).toBeNull();
	});

	it('accepts the signed report and the closure pushed together by a stock PouchDB', async () => {
		const device = await new PouchDevice(server.url, theo.name).signIn();
		await device.pull();
		await device.put(aSignedReport({ _id: 'report:R1' }) as unknown as Json);
		const ticket = (await device.get('ticket:K1')) as unknown as TicketDoc & Json;
		const closed = transition(
			ticket,
			{ type: 'close', solution: 'Switch remplacé', reportId: 'report:R1' },
			actor(theo),
			new Date(clock.ms)
		);
		if (!closed.ok) throw new Error(closed.error.message);
		await device.put(closed.value as unknown as Json);
		const pushed = await device.push();
		expect(pushed.denied).toEqual([]);
		await server.settled();
		const onServer = await stored(server.couch, 'ticket:K1');
		expect(onServer).toMatchObject({ status: 'closed', closure: { reportId: 'report:R1' } });
		expect(await stored(server.couch, 'report:R1')).toMatchObject({ signedAt: expect.any(String) });
	});
});
