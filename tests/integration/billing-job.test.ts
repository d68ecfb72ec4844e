// Billing at closure (issue #14, point 4) on two server instances sharing one database, with a
// clock the test moves: each contract kind bills its closed ticket once — out of contract at
// the config's rates (time, travel, parts from the price list), maintenance as a zero
// "included" item, managed services as an hour-bank item with its debit movement — whichever
// instances run and however often; a ticket closed by the timeout job is billed too; a
// reopened and re-closed ticket is not billed twice, and when the amounts changed the
// difference is a correction item, the earlier one left untouched.
//
// The database: TEST_COUCHDB_URL when set (a database of its own, removed at the end), the
// embedded in-memory server otherwise (tests/support/instances.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingJob } from '../../server/jobs/billing-job.ts';
import type { RunningServer } from '../../server/start.ts';
import { DEFAULT_BILLING_RATES } from '../../src/lib/domain/billing.ts';
import { billingItemId, hourBankMoveId } from '../../src/lib/domain/closure-billing.ts';
import { hourBankBalance } from '../../src/lib/domain/hour-bank.ts';
import { timeoutFactId } from '../../src/lib/domain/sla-facts.ts';
import type {
	BillingDoc,
	ClientDoc,
	HourBankDoc,
	ReportDoc,
	TicketDoc
} from '../../src/lib/domain/schemas.ts';
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
const instances = new Instances({ name: 'billing', start: '2025-03-06T11:00:00.000Z' });
const clock = instances.clock;

// A Switch at 180 € in the price list; a cable not listed (billed 0, with a warning).
const RATES = {
	...DEFAULT_BILLING_RATES,
	partPrices: [{ label: 'Switch 24 ports', ref: 'GS724', unitPriceCents: 18_000 }]
};
const contract = {
	none: { kind: 'none' },
	maintenance: { kind: 'maintenance', start: '2025-01-01', end: '2025-12-31' },
	managed: { kind: 'managed', start: '2025-01-01', end: '2025-12-31', hourBank: 40, hoursUsed: 12 }
} as const;
type Kind = keyof typeof contract;
const KINDS: Kind[] = ['none', 'maintenance', 'managed'];

const clientOf = (kind: Kind): ClientDoc =>
	aClient({ _id: `client:${kind}`, name: `Client ${kind}`, contract: { ...contract[kind] } });

const CLOSED_AT = '2025-03-05T16:00:00.000Z';
function closedTicket(kind: Kind, overrides: Partial<TicketDoc> = {}): TicketDoc {
	return {
		...aTicket(),
		_id: `ticket:${kind}`,
		status: 'closed',
		category: 'network',
		group: 'network',
		clientId: `client:${kind}`,
		resolution: { by: dina._id, at: CLOSED_AT, solution: 'Switch remplacé.' },
		closure: { by: dina._id, at: CLOSED_AT, how: 'level1', solution: 'Switch remplacé.' },
		...overrides
	} as TicketDoc;
}

const reportOf = (kind: Kind, n = 1, overrides: Partial<ReportDoc> = {}): ReportDoc =>
	aSignedReport({
		_id: `report:${kind}${n}`,
		ticketId: `ticket:${kind}`,
		clientId: `client:${kind}`,
		missionId: `mission:${kind}${n}`,
		...overrides
	});

async function all<T>(server: RunningServer, prefix: string): Promise<T[]> {
	const res = await server.couch.db.list({
		startkey: prefix,
		endkey: `${prefix}\ufff0`,
		include_docs: true
	});
	return res.rows.map((r) => r.doc as unknown as T);
}
const items = (s: RunningServer, ticketId = '') =>
	all<BillingDoc>(s, `billing:${ticketId.replace(/^ticket:/, '')}`);
const moves = (s: RunningServer) => all<HourBankDoc>(s, 'hourbank:');

/** Both instances, repeatedly, and two runs of the job itself past the lease at once. */
async function sweepEverywhere(): Promise<number> {
	await Promise.all([a.jobs.runAll(), b.jobs.runAll(), a.jobs.runAll(), b.jobs.runAll()]);
	const direct = (server: RunningServer) =>
		billingJob({
			db: server.couch.db,
			privateDb: server.couch.privateDb,
			written: () => {},
			outbox: () => null,
			publicUrl: 'http://127.0.0.1',
			unsubscribeSecret: 'x'
		}).run(clock.now());
	const [one, two] = await Promise.all([direct(a), direct(b)]);
	return one.written + two.written;
}

let a: RunningServer;
let b: RunningServer;

beforeAll(async () => {
	await instances.open();
	a = await instances.start();
	b = await instances.start();
	await addAccounts(a.couch, [dina]);
	await putAll(a.couch, [
		aConfig('access'),
		{ _id: 'config:billing_rates', type: 'config', kind: 'billing_rates', rates: RATES },
		...KINDS.map(clientOf),
		...KINDS.map((k) => closedTicket(k)),
		...KINDS.map((k) =>
			reportOf(k, 1, {
				parts: [
					{ label: 'Switch 24 ports', qty: 1, ref: 'GS724' },
					{ label: 'Câble RJ45', qty: 2 }
				]
			})
		)
	] as unknown as Json[]);
}, 120_000);

afterAll(async () => {
	await instances.close();
});

describe('billing at closure, by contract kind, once across two instances', () => {
	it('writes each closure’s item (and the managed client’s debit) once', async () => {
		await sweepEverywhere();
		const written = await items(a);
		expect(written.map((i) => i._id).sort()).toEqual(
			KINDS.map((k) => billingItemId(`ticket:${k}`, `report:${k}1`, CLOSED_AT)).sort()
		);
		const byKind = new Map(written.map((i) => [i.clientId, i]));

		// Out of contract: 75 min on site (1 h minimum passed), the flat travel fee, the switch
		// at the price list's 180 €; the unlisted cable at 0 with a warning. VAT 20 %.
		const none = byKind.get('client:none')!;
		expect(none).toMatchObject({ kind: 'billable', billedMinutes: 75, closedAt: CLOSED_AT });
		expect(none.lines.map((l) => [l.kind, l.amountCents])).toEqual([
			['labour', 9375],
			['travel', 4500],
			['part', 18_000],
			['part', 0]
		]);
		expect(none.subtotalCents).toBe(31_875);
		expect(none.vatCents).toBe(6375);
		expect(none.totalCents).toBe(38_250);
		expect(none.warnings.map((w) => w.code)).toEqual(['unpriced_part']);

		// Maintenance: a zero line, "included", describing the work.
		const maintenance = byKind.get('client:maintenance')!;
		expect(maintenance).toMatchObject({ kind: 'included', totalCents: 0 });
		expect(maintenance.description).toContain('Switch remplacé');

		// Managed services: 75 minutes from the bank, by a movement; no money.
		const managed = byKind.get('client:managed')!;
		expect(managed).toMatchObject({
			kind: 'hour_bank',
			deductedMinutes: 75,
			balanceBeforeMinutes: 28 * 60,
			balanceAfterMinutes: 28 * 60 - 75,
			totalCents: 0
		});
		const bank = await moves(a);
		expect(bank).toEqual([
			expect.objectContaining({
				_id: hourBankMoveId('ticket:managed', 'report:managed1', CLOSED_AT),
				clientId: 'client:managed',
				move: 'debit',
				minutes: -75,
				billingId: managed._id
			})
		]);
		// The balance is the movements': the client document was not edited.
		const client = (await a.couch.db.get('client:managed')) as unknown as ClientDoc;
		expect(client.contract.hoursUsed).toBe(12);
		expect(hourBankBalance(client, bank)?.balanceMinutes).toBe(28 * 60 - 75);
		// The ticket was not edited either.
		const ticket = (await a.couch.db.get('ticket:managed')) as unknown as TicketDoc & {
			_rev: string;
		};
		expect(ticket._rev.startsWith('1-')).toBe(true);

		// Nothing more on the next rounds.
		expect(await sweepEverywhere()).toBe(0);
		expect((await items(a)).length).toBe(3);
		expect((await moves(a)).length).toBe(1);
	});

	it('the admin screen’s record says what the job did', async () => {
		const record = (await a.couch.privateDb.get('job:billing')) as unknown as {
			runs: Array<{ actions: Array<{ code: string; ticketId: string }>; errors: string[] }>;
		};
		const acted = record.runs.flatMap((r) => r.actions);
		expect(acted.map((x) => `${x.code} ${x.ticketId}`).sort()).toEqual(
			KINDS.map((k) => `billed ticket:${k}`).sort()
		);
		expect(record.runs.flatMap((r) => r.errors)).toEqual([]);
	});

	it('a ticket the timeout job closed is billed at that closure', async () => {
		const resolvedAt = '2025-03-05T09:00:00.000Z';
		const closedAt = '2025-03-06T11:00:00.000Z';
		const resolved = closedTicket('managed', {
			_id: 'ticket:quiet',
			status: 'resolved',
			resolution: { by: dina._id, at: resolvedAt, solution: 'Imprimante réparée.' },
			closure: undefined
		});
		const { closure: _dropped, ...open } = resolved;
		void _dropped;
		const fact = {
			_id: timeoutFactId('ticket:quiet', resolvedAt),
			type: 'event',
			subjectId: 'ticket:quiet',
			ticketId: 'ticket:quiet',
			author: 'system',
			authorName: 'Terrain',
			at: closedAt,
			body: '',
			kind: 'status_change',
			visibility: 'requester',
			data: { action: 'close', how: 'timeout', from: 'resolved', to: 'closed', resolvedAt }
		};
		const report = reportOf('managed', 9, { ticketId: 'ticket:quiet', parts: [] });
		await putAll(a.couch, [open, report, fact] as unknown as Json[]);
		await sweepEverywhere();
		const billed = await items(a, 'ticket:quiet');
		expect(billed.map((i) => i._id)).toEqual([billingItemId('ticket:quiet', report._id, closedAt)]);
		expect(billed[0]).toMatchObject({ kind: 'hour_bank', deductedMinutes: 75 });
		const bank = await moves(a);
		const client = (await a.couch.db.get('client:managed')) as unknown as ClientDoc;
		expect(hourBankBalance(client, bank)?.balanceMinutes).toBe(28 * 60 - 150);
	});
});

describe('reopen and re-close', () => {
	const RECLOSED = '2025-03-06T10:00:00.000Z';

	async function reclose(kind: Kind, at: string): Promise<void> {
		const stored = (await a.couch.db.get(`ticket:${kind}`)) as unknown as TicketDoc;
		await putAll(a.couch, [
			{
				...stored,
				closure: { by: dina._id, at, how: 'level1', solution: 'Switch remplacé.' },
				resolution: { by: dina._id, at, solution: 'Switch remplacé.' },
				updatedAt: at
			}
		] as unknown as Json[]);
	}

	it('a re-close with the same work bills nothing more', async () => {
		for (const k of KINDS) await reclose(k, RECLOSED);
		expect(await sweepEverywhere()).toBe(0);
		expect((await items(a, 'ticket:none')).length).toBe(1);
		expect((await items(a, 'ticket:managed')).length).toBe(1);
	});

	it('a re-close after a second intervention bills that one alone, once', async () => {
		clock.advance(3600_000);
		const second = reportOf('managed', 2, {
			parts: [],
			times: [{ start: '2025-03-06T08:00:00.000Z', end: '2025-03-06T08:20:00.000Z' }]
		});
		await putAll(a.couch, [second] as unknown as Json[]);
		const again = '2025-03-06T12:00:00.000Z';
		await reclose('managed', again);
		await sweepEverywhere();
		const billed = await items(a, 'ticket:managed');
		expect(billed.map((i) => i._id).sort()).toEqual(
			[
				billingItemId('ticket:managed', 'report:managed1', CLOSED_AT),
				billingItemId('ticket:managed', 'report:managed2', again)
			].sort()
		);
		// 20 minutes, rounded up to the quarter hour: 30.
		const bank = (await moves(a)).filter((m) => m.ticketId === 'ticket:managed');
		expect(bank.map((m) => m.minutes).sort((x, y) => x - y)).toEqual([-75, -30]);
		expect(await sweepEverywhere()).toBe(0);
	});

	it('a re-close that changes the amounts adds a correction, never an edit', async () => {
		const first = (await items(a, 'ticket:maintenance'))[0]! as BillingDoc & { _rev: string };
		// The maintenance contract turns out to have been cancelled: the client is billed.
		const client = (await a.couch.db.get('client:maintenance')) as unknown as ClientDoc;
		await putAll(a.couch, [{ ...client, contract: { kind: 'none' } }] as unknown as Json[]);
		const at = '2025-03-06T13:00:00.000Z';
		await reclose('maintenance', at);
		await sweepEverywhere();
		const billed = await items(a, 'ticket:maintenance');
		expect(billed.length).toBe(2);
		const fix = billed.find((i) => i._id !== first._id)!;
		expect(fix).toMatchObject({
			_id: billingItemId('ticket:maintenance', 'report:maintenance1', at),
			kind: 'billable',
			corrects: [first._id],
			subtotalCents: 31_875,
			totalCents: 38_250
		});
		// The included lines are credited ("Avoir"), the billed ones added.
		expect(fix.lines.filter((l) => l.label.startsWith('Avoir')).map((l) => l.quantity)).toEqual([
			-1, -2
		]);
		const still = (await a.couch.db.get(first._id)) as unknown as { _rev: string };
		expect(still._rev).toBe(first._rev);
		expect(await sweepEverywhere()).toBe(0);
	});
});
