// Issue #14: a sweep of the server's jobs costs what changed since the last one, not the size of
// the database. Two instances over a few hundred tickets: the one that starts over them reads
// them once (its catch-up), then each sweep reads only the database's changes; a ticket changed
// between two sweeps is escalated, tickets closed between two sweeps are billed (a report
// written with the closure included). A failed read of the changes loses nothing; a billing
// run that fails takes its closures again the next time.
//
// The database: TEST_COUCHDB_URL when set (a database of its own, removed at the end), the
// embedded in-memory server otherwise.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingJob } from '../../server/jobs/billing-job.ts';
import type { JobDoc, JobName, JobRun } from '../../server/jobs/runner.ts';
import { TicketFeed } from '../../server/jobs/ticket-feed.ts';
import type { Db } from '../../server/jobs/lease.ts';
import type { RunningServer } from '../../server/start.ts';
import { billingItemId, hourBankMoveId } from '../../src/lib/domain/closure-billing.ts';
import { escalationFactId, SLA_FACT_PREFIX } from '../../src/lib/domain/sla-facts.ts';
import type { ClientDoc, ReportDoc, TicketDoc } from '../../src/lib/domain/schemas.ts';
import {
	aClient,
	aConfig,
	aSignedReport,
	aTicket,
	people
} from '../../src/lib/domain/testing/factories.ts';
import { Instances } from '../support/instances.ts';
import { addAccounts, putAll, type Json } from '../support/sync-device.ts';

const dina = people.dispatcher();
const eric = people.expert(['network']);
// Monday 2 November 2026, 09:00 in Paris.
const CREATED = '2026-11-02T08:00:00.000Z';
const BULK = 300;
const CLOSED = 40;
/** What a sweep may read after a few changes (a catch-up reads more than BULK + CLOSED). */
const SMALL = 10;

const instances = new Instances({ name: 'jobs-feed', start: CREATED });
const clock = instances.clock;

const bulk = (n: number): TicketDoc =>
	aTicket({
		_id: `ticket:BULK${String(n).padStart(3, '0')}`,
		impact: 3,
		urgency: 3,
		priority: 'P5',
		group: 'network',
		createdAt: CREATED,
		updatedAt: CREATED,
		createdBy: dina._id,
		updatedBy: dina._id
	});

// Closures in the database before the sweeps, then the ones between two sweeps.
const DONE_AT = '2026-11-02T07:00:00.000Z';
const CLOSED_AT = '2026-11-02T08:30:00.000Z';
const closed = (
	id: string,
	clientId: string,
	base: TicketDoc = aTicket(),
	at = CLOSED_AT
): TicketDoc =>
	({
		...base,
		_id: id,
		status: 'closed',
		category: 'network',
		group: 'network',
		clientId,
		resolution: { by: dina._id, at, solution: 'Switch remplacé.' },
		closure: { by: dina._id, at, how: 'level1', solution: 'Switch remplacé.' },
		updatedAt: at
	}) as TicketDoc;

const managed: ClientDoc = aClient({
	_id: 'client:MANAGED',
	name: 'Orée & Associés',
	contract: { kind: 'managed', start: '2025-01-01', end: '2026-12-31', hourBank: 40, hoursUsed: 0 }
});
const inProgress = (id: string): TicketDoc =>
	aTicket({
		_id: id,
		status: 'in_progress',
		category: 'network',
		group: 'network',
		assignees: [eric._id],
		clientId: managed._id,
		createdAt: CREATED,
		updatedAt: CREATED
	});
const reportOf = (ticketId: string): ReportDoc =>
	aSignedReport({
		_id: `report:${ticketId.slice('ticket:'.length)}`,
		ticketId,
		clientId: managed._id,
		missionId: `mission:${ticketId.slice('ticket:'.length)}`,
		parts: []
	});

async function stored<T>(server: RunningServer, id: string): Promise<T & { _rev: string }> {
	return (await server.couch.db.get(id)) as unknown as T & { _rev: string };
}

async function exists(server: RunningServer, id: string): Promise<boolean> {
	return server.couch.db.get(id).then(
		() => true,
		() => false
	);
}

/** After a direct write: see `Instances.settle`. */
const settle = () => instances.settle();

const run = (runs: Partial<Record<JobName, JobRun>>, name: JobName): JobRun => {
	const r = runs[name];
	if (!r) throw new Error(`the ${name} job did not run`);
	return r;
};

let a: RunningServer;
let b: RunningServer;

beforeAll(async () => {
	await instances.open();
	// Its first sweep (at start) finds an empty database.
	a = await instances.start();
	await a.jobs.runAll();
	await addAccounts(a.couch, [dina, eric]);
	await putAll(a.couch, [
		aConfig('access'),
		aConfig('sla'),
		aConfig('escalation'),
		aClient(),
		managed,
		...Array.from({ length: BULK }, (_, n) => bulk(n)),
		...Array.from({ length: CLOSED }, (_, n) =>
			closed(`ticket:DONE${n}`, 'client:C1', aTicket(), DONE_AT)
		),
		inProgress('ticket:CLOSE1'),
		reportOf('ticket:CLOSE1'),
		inProgress('ticket:CLOSE2')
	] as unknown as Json[]);
	await settle();
}, 180_000);

afterAll(async () => {
	await instances.close();
});

describe('a sweep reads what changed since the last one', () => {
	it('reads an import as changes once, then next to nothing', async () => {
		const imported = await a.jobs.runAll();
		expect(run(imported, 'escalation').read).toBeGreaterThanOrEqual(BULK + CLOSED);
		// Nothing was due: nothing written. The closed tickets had no report: nothing billed.
		for (const name of ['escalation', 'timeout', 'billing'] as const)
			expect(run(imported, name)).toMatchObject({ written: 0, errors: [] });

		const steady = await a.jobs.runAll();
		for (const name of ['escalation', 'timeout', 'billing'] as const) {
			expect(run(steady, name).read).toBeLessThanOrEqual(SMALL);
			expect(run(steady, name)).toMatchObject({ written: 0, errors: [] });
		}
	});

	it('an instance started over them reads them once, then only the changes', async () => {
		b = await instances.start();
		// Its first run started with it; this waits for it, then runs once more.
		await b.jobs.runAll();
		const record = (await a.couch.privateDb.get('job:escalation')) as unknown as JobDoc;
		const [second, first] = record.runs;
		expect(second!.instance).toBe(first!.instance);
		expect(first!.read).toBeGreaterThanOrEqual(BULK + CLOSED);
		expect(second!.read).toBeLessThanOrEqual(SMALL);
	});

	it('a ticket changed between sweeps is escalated, tickets closed between sweeps are billed', async () => {
		clock.advance(60 * 60_000); // 10:00 in Paris: an hour of the P5s' day gone, nothing due
		// A P5 found to be a P1: its 30 minutes to respond are gone since 09:30.
		const raised = await stored<TicketDoc>(a, 'ticket:BULK007');
		const close1 = await stored<TicketDoc>(a, 'ticket:CLOSE1');
		const close2 = await stored<TicketDoc>(a, 'ticket:CLOSE2');
		await putAll(a.couch, [
			{ ...raised, impact: 1, urgency: 1, priority: 'P1', updatedAt: clock.now().toISOString() },
			closed('ticket:CLOSE1', managed._id, close1),
			closed('ticket:CLOSE2', managed._id, close2),
			reportOf('ticket:CLOSE2')
		] as unknown as Json[]);
		await settle();

		const runs = await a.jobs.runAll();
		const escalation = run(runs, 'escalation');
		expect(escalation.errors).toEqual([]);
		expect(escalation.actions.map((x) => `${x.code} ${x.ticketId}`)).toEqual([
			'escalated ticket:BULK007'
		]);
		expect(escalation.read).toBeLessThanOrEqual(SMALL);
		expect(await exists(a, escalationFactId('ticket:BULK007', 'response'))).toBe(true);

		const billing = run(runs, 'billing');
		expect(billing.errors).toEqual([]);
		expect(billing.actions.map((x) => `${x.code} ${x.ticketId}`).sort()).toEqual([
			'billed ticket:CLOSE1',
			'billed ticket:CLOSE2'
		]);
		// Its changes (the escalation's fact at most), then two reports, their client.
		expect(billing.read).toBeLessThanOrEqual(SMALL);
		for (const t of ['CLOSE1', 'CLOSE2']) {
			const item = await stored<{ kind: string }>(
				a,
				billingItemId(`ticket:${t}`, `report:${t}`, CLOSED_AT)
			);
			expect(item.kind).toBe('hour_bank');
			expect(await exists(a, hourBankMoveId(`ticket:${t}`, `report:${t}`, CLOSED_AT))).toBe(true);
		}
		// The job's record, on the admin screen, says the same.
		const record = (await a.couch.privateDb.get('job:escalation')) as unknown as JobDoc;
		expect(record.lastRun?.read).toBe(escalation.read);

		// The other instance's feed follows too: it reads the same changes and writes nothing.
		await settle();
		const other = await b.jobs.runAll();
		for (const name of ['escalation', 'timeout', 'billing'] as const)
			expect(run(other, name)).toMatchObject({ written: 0, errors: [] });
		expect(run(other, 'escalation').read).toBeLessThanOrEqual(20);
	});
});

/** The database, with its changes feed or its key reads failing while `failing` says so. */
function flaky(db: Db, failing: { changes: number; fetch: number }): Db {
	return new Proxy(db, {
		get(target, prop, receiver) {
			const value = Reflect.get(target, prop, receiver) as unknown;
			if (typeof value !== 'function') return value;
			if ((prop === 'changes' || prop === 'fetch') && failing[prop] > 0)
				return () => {
					failing[prop]--;
					return Promise.reject(
						Object.assign(new Error('Database does not exist.'), { statusCode: 404 })
					);
				};
			return (value as (...args: unknown[]) => unknown).bind(target);
		}
	});
}

describe('a failed read loses nothing', () => {
	it('the cursor stays until the changes are applied; two failures in a row read everything', async () => {
		const failing = { changes: 0, fetch: 0 };
		const feed = new TicketFeed(flaky(a.couch.db, failing));
		expect(await feed.refresh()).toBeGreaterThanOrEqual(BULK + CLOSED);
		const open = (id: string) =>
			feed.tickets(() => true).find(({ ticket }) => ticket._id === id) ?? null;
		const cursor = feed.cursor;
		const epoch = feed.epoch;

		const ticket = await stored<TicketDoc>(a, 'ticket:BULK011');
		await putAll(a.couch, [{ ...ticket, title: 'Écran noir au démarrage' }] as unknown as Json[]);
		await settle();
		failing.changes = 1;
		await expect(feed.refresh()).rejects.toThrow('Database does not exist.');
		expect(feed.cursor).toBe(cursor);
		expect(open('ticket:BULK011')?.ticket.title).not.toBe('Écran noir au démarrage');
		// The next refresh reads the changes from where it was.
		expect(await feed.refresh()).toBeLessThanOrEqual(SMALL);
		expect(open('ticket:BULK011')?.ticket.title).toBe('Écran noir au démarrage');
		expect(feed.epoch).toBe(epoch);

		// Failing twice in a row: a full read again, and the billing job told so (the epoch).
		failing.changes = 2;
		await expect(feed.refresh()).rejects.toThrow();
		await expect(feed.refresh()).rejects.toThrow();
		expect(await feed.refresh()).toBeGreaterThanOrEqual(BULK + CLOSED);
		expect(feed.epoch).toBe(epoch + 1);
		expect(open('ticket:BULK011')?.ticket.title).toBe('Écran noir au démarrage');
		// Neither closed tickets nor the escalated one's siblings are lost or doubled.
		expect(feed.held).toBe(BULK);
		expect(open('ticket:DONE1')).toBeNull();
		expect(open('ticket:BULK007')?.facts.escalatedFor).toEqual(['response']);
		expect(await feed.refresh()).toBeLessThanOrEqual(SMALL);
	});

	it('a billing run that cannot read what a closure needs bills it the next time', async () => {
		const failing = { changes: 0, fetch: 0 };
		const job = billingJob({
			db: flaky(a.couch.db, failing),
			privateDb: a.couch.privateDb,
			written: () => {},
			outbox: () => null,
			publicUrl: 'http://127.0.0.1',
			unsubscribeSecret: 'x'
		});
		// Its first run reads everything: all billed already.
		expect(await job.run(clock.now())).toMatchObject({ written: 0, errors: [] });

		await putAll(a.couch, [
			closed('ticket:CLOSE3', managed._id, inProgress('ticket:CLOSE3')),
			reportOf('ticket:CLOSE3')
		] as unknown as Json[]);
		await settle();
		failing.fetch = 1;
		await expect(job.run(clock.now())).rejects.toThrow('Database does not exist.');
		const id = billingItemId('ticket:CLOSE3', 'report:CLOSE3', CLOSED_AT);
		expect(await exists(a, id)).toBe(false);

		const again = await job.run(clock.now());
		expect(again.actions.map((x) => `${x.code} ${x.ticketId}`)).toEqual(['billed ticket:CLOSE3']);
		expect(again.read).toBeLessThanOrEqual(SMALL);
		expect(await exists(a, id)).toBe(true);
		expect(await job.run(clock.now())).toMatchObject({ written: 0, actions: [] });
	});

	it('the facts of a ticket that comes into view are read with it', async () => {
		// A ticket closed (the feed lets it go), then reopened: back in view, with the escalation
		// it had, so it is not escalated again.
		const feed = new TicketFeed(a.couch.db);
		await feed.refresh();
		const facts = await a.couch.db.list({
			startkey: `${SLA_FACT_PREFIX}ticket:BULK007:`,
			endkey: `${SLA_FACT_PREFIX}ticket:BULK007:\ufff0`
		});
		expect(facts.rows.length).toBe(1);
		const ticket = await stored<TicketDoc>(a, 'ticket:BULK007');
		await putAll(a.couch, [closed('ticket:BULK007', 'client:C1', ticket)] as unknown as Json[]);
		await settle();
		await feed.refresh();
		expect(feed.tickets(() => true).some((t) => t.ticket._id === 'ticket:BULK007')).toBe(false);
		const closure = feed.takeClosures();
		expect(closure.map((c) => c.ticket._id)).toEqual(['ticket:BULK007']);
		const shut = await stored<TicketDoc>(a, 'ticket:BULK007');
		await putAll(a.couch, [
			{
				...shut,
				status: 'in_progress',
				assignees: [eric._id],
				closure: undefined,
				resolution: undefined
			}
		] as unknown as Json[]);
		await settle();
		expect(await feed.refresh()).toBeLessThanOrEqual(SMALL);
		const back = feed.tickets(() => true).find((t) => t.ticket._id === 'ticket:BULK007');
		expect(back?.facts.escalatedFor).toEqual(['response']);
		expect(feed.takeClosures()).toEqual([]);
	});
});
