// The server's jobs on two instances sharing one database, with a clock the test moves:
// a P2 ticket nobody takes in charge escalates once at its deadline (counted in business
// hours, over a public holiday), not twice across the instances; an instance started after
// being down over the next deadline catches up once; a resolved ticket the requester leaves
// unanswered closes by timeout, once, and the requester is told once.
//
// The database: TEST_COUCHDB_URL when set (a database of its own, removed at the end), the
// embedded in-memory server otherwise (tests/support/instances.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escalationJob } from '../../server/jobs/sla-jobs.ts';
import type { RunningServer } from '../../server/start.ts';
import {
	atRiskFactId,
	escalationFactId,
	nextEscalation,
	SLA_FACT_PREFIX,
	slaFactsOf,
	timeoutFactId,
	withSlaFacts
} from '../../src/lib/domain/sla-facts.ts';
import { DEFAULT_SLA_POLICY } from '../../src/lib/domain/sla.ts';
import { DEFAULT_BUSINESS_HOURS } from '../../src/lib/domain/business-hours.ts';
import type { EventDoc, TicketDoc } from '../../src/lib/domain/schemas.ts';
import {
	aClient,
	aConfig,
	aMission,
	aTicket,
	aUser,
	people
} from '../../src/lib/domain/testing/factories.ts';
import { Instances } from '../support/instances.ts';
import { addAccounts, PASSWORD, putAll, Session, type Json } from '../support/sync-device.ts';
import { Client } from '../support/test-server.ts';

const dina = people.dispatcher();
const ada = people.admin();
const eric = people.expert(['network']);
const sam = aUser('sam', ['expert'], { groups: ['security'], displayName: 'Sam Lefèvre' });

// Tuesday 10 November 2026, 16:00 in Paris; the 11th is a public holiday (Armistice).
const CREATED = '2026-11-10T15:00:00.000Z';
// 30 business minutes on the 10th, none on the 11th, 30 on the 12th from 08:30.
const RESPONSE_DUE = '2026-11-12T08:00:00.000Z';
// 480 business minutes: 30 on the 10th, 450 on the 12th from 08:30: 16:00.
const RESOLUTION_DUE = '2026-11-12T15:00:00.000Z';

const instances = new Instances({ name: 'jobs', start: CREATED });
const clock = instances.clock;

const p2 = (): TicketDoc =>
	aTicket({
		_id: 'ticket:P2LATE',
		impact: 2,
		urgency: 1,
		priority: 'P2',
		group: 'network',
		createdAt: CREATED,
		updatedAt: CREATED,
		createdBy: dina._id,
		updatedBy: dina._id
	});

async function facts(server: RunningServer, ticketId: string): Promise<EventDoc[]> {
	const res = await server.couch.db.list({
		startkey: `${SLA_FACT_PREFIX}${ticketId}:`,
		endkey: `${SLA_FACT_PREFIX}${ticketId}:\ufff0`,
		include_docs: true
	});
	return res.rows.map((r) => r.doc as unknown as EventDoc);
}

const escalations = async (server: RunningServer, ticketId: string) =>
	(await facts(server, ticketId)).filter((e) => e.kind === 'escalated');

async function mails(
	server: RunningServer,
	factId: string
): Promise<Array<{ to: string; subject: string; text: string }>> {
	const res = await server.couch.privateDb.list({
		startkey: `mail:${factId}:`,
		endkey: `mail:${factId}:\ufff0`,
		include_docs: true
	});
	return res.rows.map((r) => r.doc as unknown as { to: string; subject: string; text: string });
}

let a: RunningServer;
let b: RunningServer;

beforeAll(async () => {
	await instances.open();
	a = await instances.start();
	b = await instances.start();
	await addAccounts(a.couch, [dina, ada, eric, sam]);
	await putAll(a.couch, [
		aConfig('access'),
		aConfig('sla'),
		{ ...aConfig('escalation'), steps: [{ level: 2, group: 'security', tell: [] }] },
		{ ...aConfig('requester'), closeAfterDays: 2 },
		aClient(),
		p2(),
		// A visit called off: the desk's record of the work, which the routed group reads too.
		aMission({ _id: 'mission:P2LATE1', ticketId: 'ticket:P2LATE', status: 'cancelled' })
	] as unknown as Json[]);
}, 120_000);

afterAll(async () => {
	await instances.close();
});

describe('escalation on deadline', () => {
	it('the desk and the job agree on when: the response deadline, past the holiday', () => {
		const next = nextEscalation(
			p2(),
			slaFactsOf([], 'ticket:P2LATE'),
			DEFAULT_SLA_POLICY,
			DEFAULT_BUSINESS_HOURS,
			clock.now()
		);
		expect(next).toEqual({ deadline: 'response', at: RESPONSE_DUE, to: 2 });
	});

	it('nothing happens on the holiday, a day after the ticket came in', async () => {
		clock.advance(Date.parse('2026-11-11T15:00:00.000Z') - clock.ms);
		await Promise.all([a.jobs.runAll(), b.jobs.runAll()]);
		expect(await facts(a, 'ticket:P2LATE')).toEqual([]);
		// A minute before: 59 of 60 business minutes gone, past the policy's 75 %: at risk, once.
		clock.advance(Date.parse(RESPONSE_DUE) - 60_000 - clock.ms);
		await Promise.all([a.jobs.runAll(), b.jobs.runAll(), a.jobs.runAll()]);
		const warned = await facts(a, 'ticket:P2LATE');
		expect(warned.map((e) => e._id)).toEqual([atRiskFactId('ticket:P2LATE', 'response')]);
		expect(warned[0]).toMatchObject({
			kind: 'sla_warning',
			author: 'system',
			data: { clock: 'response', state: 'at_risk', dueAt: RESPONSE_DUE }
		});
	});

	it('escalates once at the deadline, whichever instances run and however often', async () => {
		// Sam is an expert of the level-2 step's group, not of the ticket's: he reads it once
		// the escalation routed it there, not before.
		const samOn = (server: RunningServer) => new Session(server.url, sam.name).signIn();
		const held = async (server: RunningServer) =>
			(await (await samOn(server)).manifest()).docs.map(([id]) => id);
		expect(await held(b)).not.toContain('ticket:P2LATE');
		expect(await held(b)).not.toContain('mission:P2LATE1');
		clock.advance(2 * 60_000);
		await Promise.all([a.jobs.runAll(), b.jobs.runAll(), a.jobs.runAll(), b.jobs.runAll()]);
		// Even two runs that both got past the lease (it expired mid-run) write it once.
		const direct = (server: RunningServer) =>
			escalationJob({
				db: server.couch.db,
				privateDb: server.couch.privateDb,
				written: () => {},
				outbox: () => null,
				publicUrl: 'http://127.0.0.1',
				unsubscribeSecret: 'x'
			}).run(clock.now());
		const [one, two] = await Promise.all([direct(a), direct(b)]);
		expect(one.actions.length + two.actions.length).toBe(0);

		const written = await escalations(a, 'ticket:P2LATE');
		expect(written.map((e) => e._id)).toEqual([escalationFactId('ticket:P2LATE', 'response')]);
		const [event] = written;
		expect(event).toMatchObject({
			kind: 'escalated',
			author: 'system',
			ticketId: 'ticket:P2LATE',
			data: { deadline: 'response', dueAt: RESPONSE_DUE, from: 1, to: 2, group: 'security' }
		});
		// The group's expert and the referential's group for level 2 are told, once each.
		expect((event!.data as { told: string[] }).told.sort()).toEqual([eric._id, sam._id]);
		const sent = await mails(a, event!._id);
		expect(sent.map((m) => m.to).sort()).toEqual([eric.email, sam.email]);
		// From the "escalation" template: words, the level, the deadline in Paris time, a link.
		const toEric = sent.find((m) => m.to === eric.email)!;
		expect(toEric.subject).toMatch(/^Escalade au niveau 2 — demande /);
		expect(toEric.text).toContain(`Bonjour ${eric.displayName},`);
		expect(toEric.text).toMatch(
			/Le délai de prise en charge de la demande .* est dépassé depuis le \d\d\/\d\d\/\d{4} \d\d:\d\d\./
		);
		expect(toEric.text).toMatch(/Ouvrir la demande : http.*\/tickets\/P2LATE/);
		expect(toEric.text).not.toMatch(/\{\{/);

		// The ticket itself was not edited: a device folds the fact into what it shows.
		const stored = (await a.couch.db.get('ticket:P2LATE')) as unknown as TicketDoc;
		expect(stored.level).toBe(1);
		expect(stored.group).toBe('network');
		const shown = withSlaFacts(stored, slaFactsOf(written, stored._id));
		expect(shown.level).toBe(2);
		expect(shown.group).toBe('security');
		// Routed: the step group's expert now reads the ticket and its timeline, on both instances.
		for (const server of [a, b]) {
			const ids = await held(server);
			expect(ids).toContain('ticket:P2LATE');
			expect(ids).toContain(escalationFactId('ticket:P2LATE', 'response'));
			expect(ids).toContain('mission:P2LATE1');
		}
		const next = nextEscalation(
			stored,
			slaFactsOf(written, stored._id),
			DEFAULT_SLA_POLICY,
			DEFAULT_BUSINESS_HOURS,
			clock.now()
		);
		expect(next).toEqual({ deadline: 'resolution', at: RESOLUTION_DUE, to: 3 });
	});

	it('the admin reads what each job did', async () => {
		const admin = new Client(a.url);
		await admin.signIn(ada.name, PASSWORD);
		const res = await admin.request('/api/admin/jobs');
		expect(res.status).toBe(200);
		const jobs = res.body.jobs as Array<{
			name: string;
			runs: Array<{ actions: Array<{ code: string; ticketId: string }>; errors: string[] }>;
		}>;
		const escalation = jobs.find((j) => j.name === 'escalation')!;
		const acted = escalation.runs.flatMap((r) => r.actions).filter((x) => x.code !== 'at_risk');
		expect(acted).toEqual([
			expect.objectContaining({ code: 'escalated', ticketId: 'ticket:P2LATE' })
		]);
		expect(escalation.runs.flatMap((r) => r.errors)).toEqual([]);
		expect(jobs.map((j) => j.name).sort()).toEqual(['billing', 'escalation', 'timeout']);
		const dispatcher = new Client(a.url);
		await dispatcher.signIn(dina.name, PASSWORD);
		expect((await dispatcher.request('/api/admin/jobs')).status).toBe(403);
	});

	it('an instance down over the next deadline catches up once when it starts again', async () => {
		await instances.stop(b);
		await instances.stop(a);
		// Down for the night: the resolution deadline (16:00 on the 12th) passed meanwhile.
		clock.advance(Date.parse('2026-11-13T09:00:00.000Z') - clock.ms);
		const c = await instances.start();
		// Its first run started with it; this waits for it, then runs once more.
		await c.jobs.runAll();
		await c.jobs.runAll();
		const written = await escalations(c, 'ticket:P2LATE');
		expect(written.map((e) => e._id).sort()).toEqual(
			[
				escalationFactId('ticket:P2LATE', 'resolution'),
				escalationFactId('ticket:P2LATE', 'response')
			].sort()
		);
		const resolution = written.find((e) => e.data?.deadline === 'resolution')!;
		expect(resolution.data).toMatchObject({ from: 2, to: 3, dueAt: RESOLUTION_DUE });
		a = c;
	});
});

describe('closure by timeout', () => {
	it('closes a resolved ticket after the configured business days, once, and tells the requester once', async () => {
		// Resolved on Friday 13 November at 10:00; two business days: Monday 16, Tuesday 17.
		const resolvedAt = '2026-11-13T09:00:00.000Z';
		const base = { ...p2(), _id: 'ticket:SOLVED', title: 'Messagerie lente' };
		await putAll(a.couch, [
			{
				...base,
				status: 'resolved',
				category: 'network',
				clientId: 'client:C1',
				resolution: { by: dina._id, at: resolvedAt, solution: 'Boîte archivée.' },
				updatedAt: resolvedAt
			}
		] as unknown as Json[]);
		clock.advance(Date.parse('2026-11-17T15:00:00.000Z') - clock.ms); // Tue 16:00 Paris
		await a.jobs.runAll();
		expect(await facts(a, 'ticket:SOLVED')).toEqual([]);

		clock.advance(60 * 60_000); // 17:00, the desk closed at 16:30: two full business days
		const b2 = await instances.start();
		await Promise.all([a.jobs.runAll(), b2.jobs.runAll(), a.jobs.runAll()]);
		const id = timeoutFactId('ticket:SOLVED', resolvedAt);
		const written = await facts(a, 'ticket:SOLVED');
		expect(written.map((e) => e._id)).toEqual([id]);
		expect(written[0]).toMatchObject({
			kind: 'status_change',
			author: 'system',
			visibility: 'requester',
			data: { action: 'close', how: 'timeout', from: 'resolved', to: 'closed', resolvedAt }
		});
		const notices = await mails(a, id);
		expect(notices.map((m) => m.to)).toEqual(['marie@client.fr']);

		const stored = (await a.couch.db.get('ticket:SOLVED')) as unknown as TicketDoc;
		expect(stored.status).toBe('resolved');
		const shown = withSlaFacts(stored, slaFactsOf(written, stored._id));
		expect(shown.status).toBe('closed');
		expect(shown.closure).toMatchObject({ how: 'timeout', by: 'system' });
	});
});
