// Issue #14, point 5 (server half): invoices from billing items on two server instances
// sharing one database — one per intervention or grouped per client and month, also for zero
// amounts; wrong requests refused in words with nothing written; ≥ 200 concurrent issues through
// both instances numbered 1..N with no gap and no duplicate; an item invoiced once and an invoice
// paid once when both instances are asked at once, with the client's standing and commercial
// status; the invoice and hour-bank statement PDFs; the accounting CSV; roles.
//
// The database: TEST_COUCHDB_URL when set (a database of its own, removed at the end), the
// embedded in-memory server otherwise.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nano from 'nano';
import { decodePDFRawStream, PDFDocument, PDFRawStream } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedCouch, type EmbeddedCouch } from '../../server/couch/embedded.ts';
import { startServer, type RunningServer } from '../../server/start.ts';
import type {
	BillingDoc,
	ClientDoc,
	HourBankDoc,
	InvoiceDoc
} from '../../src/lib/domain/schemas.ts';
import { aBillingItem, aClient, aConfig, people } from '../../src/lib/domain/testing/factories.ts';
import { copiesSettled } from '../support/couch-kind.ts';
import { addAccounts, Clock, PASSWORD, putAll, type Json } from '../support/sync-device.ts';
import { Client } from '../support/test-server.ts';

const bea = people.billing();
const ada = people.admin();
const dina = people.dispatcher();
const theo = people.technician();
// Tuesday 10 March 2026, 11:00 in Paris.
const clock = new Clock('2026-03-10T10:00:00.000Z');
const realCouch = process.env.TEST_COUCHDB_URL;
const DB = `terrain_invoices_${Date.now().toString(36)}`;
const CONCURRENT = 200;
let embedded: EmbeddedCouch | null = null;
let couchUrl: string;
const dirs: string[] = [];
const running: RunningServer[] = [];

async function instance(): Promise<RunningServer> {
	const dataDir = mkdtempSync(join(tmpdir(), 'terrain-invoices-'));
	dirs.push(dataDir);
	const server = await startServer(
		{
			PORT: '0',
			HOST: '127.0.0.1',
			DATA_DIR: dataDir,
			COUCHDB_URL: couchUrl,
			COUCHDB_DB: DB,
			DEMO: '0',
			SESSION_SECRET: 'invoices-test-shares-this-session-secret-0123456',
			JOBS_TICK_MS: '3600000'
		},
		{ now: clock.now }
	);
	running.push(server);
	return server;
}

const suspended: ClientDoc = aClient({
	_id: 'client:SUSP',
	name: 'Orée & Associés',
	commercialStatus: 'suspended',
	contacts: [
		{ id: 'k1', name: 'Marie Durand', email: 'marie@oree.example', role: 'office manager' },
		{ id: 'k2', name: 'Paul Compta', email: 'compta@oree.example', role: 'comptabilité' }
	]
});
const other: ClientDoc = aClient({
	_id: 'client:OTHER',
	name: 'Boulangerie Martin',
	contract: { kind: 'none' },
	contacts: []
});
const bulkClient: ClientDoc = aClient({
	_id: 'client:BULK',
	name: 'Cabinet Bulk',
	contract: { kind: 'none' },
	contacts: []
});

const billable = (
	id: string,
	clientId: string,
	amountCents: number,
	date = '2026-03-04'
): BillingDoc =>
	aBillingItem({
		_id: `billing:${id}`,
		ticketId: `ticket:${id}`,
		reportId: `report:${id}`,
		clientId,
		kind: 'billable',
		billedMinutes: 60,
		appliedContract: 'none',
		contractKind: 'none',
		interventionDate: date,
		lines: [
			{
				kind: 'labour',
				label: 'Main-d’œuvre sur site',
				quantity: 60,
				unit: 'minute',
				unitPriceCents: amountCents,
				amountCents
			},
			{
				kind: 'travel',
				label: 'Forfait déplacement',
				quantity: 1,
				unit: 'trip',
				unitPriceCents: 4500,
				amountCents: 4500
			}
		],
		subtotalCents: amountCents + 4500,
		vatCents: Math.round((amountCents + 4500) * 0.2),
		totalCents: amountCents + 4500 + Math.round((amountCents + 4500) * 0.2)
	} as Partial<BillingDoc>);

const includedItem = aBillingItem({
	_id: 'billing:INCL',
	ticketId: 'ticket:INCL',
	reportId: 'report:INCL',
	clientId: other._id,
	kind: 'included',
	appliedContract: 'maintenance',
	contractKind: 'maintenance',
	onSiteMinutes: 45
} as Partial<BillingDoc>);
const hourBankItem = aBillingItem({
	_id: 'billing:BANK',
	ticketId: 'ticket:BANK',
	reportId: 'report:BANK',
	clientId: suspended._id
});

const move = (id: string, minutes: number, closedAt: string): HourBankDoc => ({
	_id: `hourbank:${id}`,
	type: 'hourbank',
	clientId: suspended._id,
	ticketId: `ticket:${id}`,
	reportId: `report:${id}`,
	billingId: `billing:${id}`,
	move: minutes < 0 ? 'debit' : 'correction',
	minutes,
	closedAt,
	at: closedAt,
	description: `Intervention ${id}`
});

const company = {
	...aConfig('company'),
	vatNumber: 'FR40123456789',
	legalForm: 'SAS',
	capital: '10 000 €',
	rcs: 'RCS Nantes 123 456 789',
	paymentTermsDays: 30
};

let a: RunningServer;
let b: RunningServer;
const sessions = new Map<string, Promise<Client>>();

/** One session per user and instance (asked once even by concurrent requests). */
function signedIn(server: RunningServer, name: string): Promise<Client> {
	const key = `${server.url}:${name}`;
	let known = sessions.get(key);
	if (!known) {
		known = (async () => {
			const client = new Client(server.url);
			const res = await client.signIn(name, PASSWORD);
			expect(res.status).toBe(200);
			return client;
		})();
		sessions.set(key, known);
	}
	return known;
}

const issue = async (server: RunningServer, body: unknown, who = bea.name) =>
	(await signedIn(server, who)).request('/api/billing/invoices', { method: 'POST', body });

async function invoices(): Promise<InvoiceDoc[]> {
	await copiesSettled(DB);
	const res = await a.couch.db.list({
		startkey: 'invoice:',
		endkey: 'invoice:\ufff0',
		include_docs: true
	});
	return res.rows.map((r) => r.doc as unknown as InvoiceDoc);
}

/**
 * What is still wrong, asked again until nothing is or 20 s passed: on a cluster the copies
 * converge a moment after the answers (a racer's first revision, in conflict, may win a read
 * from a copy that does not yet hold the longer branch that stands).
 */
async function converged(mismatches: () => Promise<string[]>): Promise<string[]> {
	let wrong = await mismatches();
	for (let waited = 0; wrong.length > 0 && waited < 20_000; waited += 500) {
		await new Promise((done) => setTimeout(done, 500));
		wrong = await mismatches();
	}
	return wrong;
}

async function claims(): Promise<string[]> {
	const res = await a.couch.privateDb.list({ startkey: 'invoiced:', endkey: 'invoiced:\ufff0' });
	return res.rows.map((r) => r.id);
}

beforeAll(async () => {
	if (realCouch) couchUrl = realCouch;
	else {
		const dir = mkdtempSync(join(tmpdir(), 'terrain-invoices-db-'));
		dirs.push(dir);
		embedded = await startEmbeddedCouch({
			dataDir: dir,
			adminPassword: 'pw-invoices',
			memory: true
		});
		couchUrl = embedded.url.toString();
	}
	a = await instance();
	b = await instance();
	await addAccounts(a.couch, [bea, ada, dina, theo]);
	const bulk = Array.from({ length: CONCURRENT + 20 }, (_, i) =>
		billable(`X${String(i).padStart(4, '0')}`, bulkClient._id, 7500 + i)
	);
	await putAll(a.couch, [
		company,
		aConfig('billing_rates'),
		suspended,
		other,
		bulkClient,
		billable('ONE', other._id, 7500),
		billable('G1', suspended._id, 7500, '2026-03-02'),
		billable('G2', suspended._id, 15_000, '2026-03-09'),
		billable('MIX', bulkClient._id, 100),
		includedItem,
		hourBankItem,
		...bulk,
		move('M0', -60, '2026-02-20T10:00:00.000Z'),
		move('M1', -75, '2026-03-03T10:00:00.000Z'),
		move('M2', 15, '2026-03-05T10:00:00.000Z'),
		move('M3', -30, '2026-04-02T10:00:00.000Z')
	] as unknown as Json[]);
	await copiesSettled(DB);
}, 120_000);

afterAll(async () => {
	for (const server of running) await server.stop();
	if (realCouch) {
		const admin = nano(realCouch);
		await admin.db.destroy(DB).catch(() => undefined);
		await admin.db.destroy(`${DB}_private`).catch(() => undefined);
	}
	await embedded?.stop();
	for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The text of a PDF's content streams (pdf-lib writes WinAnsi text as hex digits). */
async function pdfText(bytes: Uint8Array): Promise<string> {
	const doc = await PDFDocument.load(bytes);
	let content = '';
	for (const [, object] of doc.context.enumerateIndirectObjects())
		if (object instanceof PDFRawStream)
			content += new TextDecoder('latin1').decode(decodePDFRawStream(object).decode());
	return content;
}
/** WinAnsi codes of the few characters past Latin-1 the documents use. */
const WIN_ANSI: Record<string, number> = { '€': 0x80, '’': 0x92, '—': 0x97, œ: 0x9c };
const hex = (text: string) =>
	[...text]
		.map((c) => (WIN_ANSI[c] ?? c.charCodeAt(0)).toString(16).padStart(2, '0').toUpperCase())
		.join('');

async function download(server: RunningServer, path: string, who = bea.name) {
	const client = await signedIn(server, who);
	const res = await fetch(server.url + path, { headers: { cookie: client.cookie } });
	return { res, bytes: new Uint8Array(await res.arrayBuffer()) };
}

describe('issuing invoices', () => {
	it('one item gives one invoice, numbered in the year, with VAT by line and the company snapshot', async () => {
		const res = await issue(a, { billingIds: ['billing:ONE'] });
		expect(res.status).toBe(201);
		const invoice = res.body.invoice as InvoiceDoc;
		expect(invoice).toMatchObject({
			_id: 'invoice:2026-000001',
			type: 'invoice',
			number: 'F2026-000001',
			year: 2026,
			seq: 1,
			clientId: other._id,
			billingIds: ['billing:ONE'],
			ticketIds: ['ticket:ONE'],
			subtotalCents: 12_000,
			vatCents: 2400,
			totalCents: 14_400,
			currency: 'EUR',
			issuedBy: bea._id,
			issuedAt: clock.iso(),
			dueDate: '2026-04-09',
			company: {
				name: 'Maintenance Informatique Ouest',
				siret: '12345678900011',
				vatNumber: 'FR40123456789'
			}
		});
		expect(invoice.period).toBeUndefined();
		expect(invoice.lines.map((l) => [l.kind, l.amountCents, l.vatRateBp])).toEqual([
			['labour', 7500, 2000],
			['travel', 4500, 2000]
		]);
		const stored = (await a.couch.db.get(invoice._id)) as unknown as InvoiceDoc;
		expect(stored.number).toBe('F2026-000001');
	});

	it('several items of one client give one grouped invoice for their month, with an adjustment and its reason kept', async () => {
		const res = await issue(b, {
			billingIds: ['billing:G1', 'billing:G2'],
			adjustments: [
				{ billingId: 'billing:G2', lineIndex: 1, amountCents: 0, reason: 'Déplacement offert' }
			]
		});
		expect(res.status).toBe(201);
		const invoice = res.body.invoice as InvoiceDoc;
		expect(invoice.period).toBe('2026-03');
		expect(invoice.billingIds).toEqual(['billing:G1', 'billing:G2']);
		expect(invoice.ticketIds).toEqual(['ticket:G1', 'ticket:G2']);
		expect(invoice.lines).toHaveLength(4);
		expect(invoice.lines[3]).toMatchObject({
			billingId: 'billing:G2',
			kind: 'travel',
			amountCents: 0,
			adjusted: { fromCents: 4500, reason: 'Déplacement offert' }
		});
		expect(invoice.subtotalCents).toBe(7500 + 4500 + 15_000);
		expect(invoice.vatCents).toBe(5400);
		expect(invoice.totalCents).toBe(27_000 + 5400);
		// The client's billing contact is told, once (the mail's id is the invoice's).
		await Promise.all([a.settled(), b.settled()]);
		const mail = (await a.couch.privateDb.get(`mail:invoice:${invoice._id}`)) as unknown as {
			to: string;
			subject: string;
			text: string;
		};
		expect(mail.to).toBe('compta@oree.example');
		expect(mail.subject).toContain(invoice.number);
		expect(mail.text).toContain('Déplacement offert'.length > 0 ? 'Total TTC' : '');
		const mails = await a.couch.privateDb.list({
			startkey: 'mail:invoice:',
			endkey: 'mail:invoice:\ufff0'
		});
		expect(mails.rows.map((r) => r.id)).toEqual([`mail:invoice:${invoice._id}`]);
	});

	it('a zero-amount item (included in the maintenance contract, or an hour-bank debit) still gives an invoice that says why', async () => {
		const included = await issue(a, { billingIds: ['billing:INCL'] });
		expect(included.status).toBe(201);
		const inc = included.body.invoice as InvoiceDoc;
		expect(inc.totalCents).toBe(0);
		expect(inc.lines).toEqual([
			expect.objectContaining({
				kind: 'included',
				label: 'Intervention incluse dans le contrat de maintenance',
				quantity: 45,
				amountCents: 0
			})
		]);
		const bank = await issue(b, { billingIds: ['billing:BANK'] });
		expect(bank.status).toBe(201);
		const bk = bank.body.invoice as InvoiceDoc;
		expect(bk.totalCents).toBe(0);
		expect(bk.lines[0]).toMatchObject({ kind: 'hour_bank', quantity: 75, amountCents: 0 });
		const { res, bytes } = await download(a, `/api/billing/invoices/${inc._id}/pdf`);
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('application/pdf');
		expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe('%PDF-');
		const text = await pdfText(bytes);
		expect(text).toContain(hex(`Facture n° ${inc.number}`));
		expect(text).toContain(hex('Intervention incluse dans le contrat de maintenance'));
		expect(text).toContain(hex('Total TTC : 0,00'));
	});

	it('refuses wrong requests in words, writing nothing', async () => {
		const before = (await invoices()).length;
		const claimsBefore = await claims();
		const cases: Array<[unknown, number, string, RegExp]> = [
			[{ billingIds: ['billing:NOPE'] }, 400, 'unknown_billing', /n’existe pas/],
			[{ billingIds: ['ticket:ONE'] }, 400, 'unknown_billing', /n’est pas un élément/],
			[{ billingIds: [] }, 400, 'invalid_request', /au moins un élément/],
			[{ billingIds: 'billing:X0000' }, 400, 'invalid_request', /liste/],
			[{ billingIds: ['billing:MIX', 'billing:G1'] }, 400, 'mixed_clients', /même client/],
			[
				{ billingIds: ['billing:ONE'] },
				400,
				'already_invoiced',
				/déjà facturé \(facture F2026-000001\)/
			],
			[
				{
					billingIds: ['billing:MIX'],
					adjustments: [{ billingId: 'billing:MIX', lineIndex: 0, amountCents: 0, reason: ' a ' }]
				},
				400,
				'invalid_request',
				/motif/
			],
			[
				{
					billingIds: ['billing:MIX'],
					adjustments: [{ billingId: 'billing:MIX', lineIndex: 0, amountCents: 0 }]
				},
				400,
				'invalid_request',
				/motif/
			],
			[
				{
					billingIds: ['billing:MIX'],
					adjustments: [{ billingId: 'billing:MIX', lineIndex: 9, amountCents: 0, reason: 'Geste' }]
				},
				400,
				'unknown_line',
				/n’existe pas/
			],
			[
				{
					billingIds: ['billing:MIX'],
					adjustments: [
						{ billingId: 'billing:MIX', lineIndex: 0, amountCents: 1.5, reason: 'Geste' }
					]
				},
				400,
				'invalid_request',
				/entier de centimes/
			]
		];
		for (const [body, status, code, message] of cases) {
			const res = await issue(a, body);
			expect(res.status, JSON.stringify(body)).toBe(status);
			expect(res.body.error).toBe(code);
			expect(String(res.body.message)).toMatch(message);
		}
		expect(await invoices()).toHaveLength(before);
		expect(await claims()).toEqual(claimsBefore);
	});

	it(`${CONCURRENT} concurrent issues through two instances are numbered 1..N, continuous and unique`, async () => {
		const before = (await invoices()).length;
		const ids = Array.from(
			{ length: CONCURRENT },
			(_, i) => `billing:X${String(i).padStart(4, '0')}`
		);
		const answers = await Promise.all(
			ids.map((id, i) => issue(i % 2 === 0 ? a : b, { billingIds: [id] }))
		);
		expect(answers.map((r) => r.status)).toEqual(ids.map(() => 201));
		const numbers = answers.map((r) => (r.body.invoice as InvoiceDoc).seq);
		expect(new Set(numbers).size).toBe(CONCURRENT);
		const mismatches = async () => {
			const all = await invoices();
			const seqs = all.map((i) => i.seq).sort((x, y) => x - y);
			const wrong: string[] = [];
			if (all.length !== before + CONCURRENT) wrong.push(`${all.length} invoices`);
			if (seqs.some((seq, i) => seq !== i + 1)) wrong.push('a gap or a duplicate');
			// Each item on exactly one invoice, the one its answer named, as the revision answered.
			for (const [i, id] of ids.entries()) {
				const answered = answers[i]!.body.invoice as InvoiceDoc & { _rev: string };
				const holding = all.filter((inv) => inv.billingIds.includes(id));
				if (holding.length !== 1 || holding[0]!._id !== answered._id)
					wrong.push(`${id} on ${holding.map((h) => h._id).join(', ')}`);
				else if ((holding[0] as InvoiceDoc & { _rev: string })._rev !== answered._rev)
					wrong.push(`${answered._id} stands at another revision`);
			}
			return wrong;
		};
		expect(await converged(mismatches)).toEqual([]);
	}, 240_000);

	it('an item asked on both instances at once is invoiced once', async () => {
		const ids = Array.from(
			{ length: 10 },
			(_, i) => `billing:X${String(CONCURRENT + i).padStart(4, '0')}`
		);
		const pairs = await Promise.all(
			ids.map((id) => Promise.all([issue(a, { billingIds: [id] }), issue(b, { billingIds: [id] })]))
		);
		for (const pair of pairs) {
			expect(pair.map((r) => r.status).sort()).toEqual([201, 400]);
			expect(pair.find((r) => r.status === 400)!.body.error).toBe('already_invoiced');
		}
		const mismatches = async () => {
			const all = await invoices();
			const seqs = all.map((i) => i.seq).sort((x, y) => x - y);
			const wrong = ids.filter((id) => all.filter((i) => i.billingIds.includes(id)).length !== 1);
			if (seqs.some((seq, i) => seq !== i + 1)) wrong.push('a gap or a duplicate');
			return wrong;
		};
		expect(await converged(mismatches)).toEqual([]);
	}, 60_000);
});

describe('payment', () => {
	it('paid once when both instances are asked at once; the standing counts it and the suspended client is active again', async () => {
		clock.advance(2 * 86_400_000); // Thursday 12 March
		const grouped = (await invoices()).find((i) => i.billingIds.includes('billing:G1'))!;
		const bankInvoice = (await invoices()).find((i) => i.billingIds.includes('billing:BANK'))!;
		const before = await (
			await signedIn(a, dina.name)
		).request(`/api/billing/standing/${suspended._id}`);
		expect(before.status).toBe(200);
		expect(before.body.standing).toMatchObject({
			clientId: suspended._id,
			outstandingCents: grouped.totalCents,
			overdueCount: 0,
			lastPaidAt: null
		});
		const pay = (server: RunningServer, paidAt: string) =>
			signedIn(server, bea.name).then((c) =>
				c.request(`/api/billing/invoices/${grouped._id}/paid`, { method: 'POST', body: { paidAt } })
			);
		const [one, two] = await Promise.all([pay(a, '2026-03-11'), pay(b, '2026-03-12')]);
		expect([one.status, two.status].sort()).toEqual([200, 409]);
		const winner = one.status === 200 ? one : two;
		const loser = one.status === 200 ? two : one;
		expect(loser.body.error).toBe('already_paid');
		const paid = winner.body.invoice as InvoiceDoc;
		expect(paid.paidBy).toBe(bea._id);
		expect(winner.body.standing).toEqual({
			clientId: suspended._id,
			outstandingCents: 0,
			overdueCount: 0,
			lastPaidAt: paid.paidAt,
			invoices: 2
		});
		await copiesSettled(DB);
		const stored = (await a.couch.db.get(grouped._id, {
			conflicts: true
		})) as unknown as InvoiceDoc;
		expect(stored.paidAt).toBe(paid.paidAt);
		expect(stored._conflicts ?? []).toEqual([]);
		// A second call, later: the same refusal, the document as the first wrote it.
		const again = await pay(a, '2026-03-12');
		expect(again.status).toBe(409);
		expect(again.body.error).toBe('already_paid');
		expect(String(again.body.message)).toMatch(/déjà marquée payée/);
		expect(((await a.couch.db.get(grouped._id)) as unknown as InvoiceDoc).paidAt).toBe(paid.paidAt);
		// Seed 000: payment updates the commercial status, as a stamped change.
		const client = (await a.couch.db.get(suspended._id)) as unknown as ClientDoc;
		expect(client.commercialStatus).toBe('active');
		expect(client.stamps?.commercialStatus?.by).toBe(bea._id);
		// The desk reads the same standing.
		const desk = await (
			await signedIn(b, dina.name)
		).request(`/api/billing/standing/${suspended._id}`);
		expect(desk.body.standing).toMatchObject({ outstandingCents: 0, lastPaidAt: paid.paidAt });
		expect(bankInvoice.totalCents).toBe(0);
	});

	it('refuses a payment date in the future, or that is not a date, and an unknown invoice', async () => {
		const one = 'invoice:2026-000001';
		const c = await signedIn(a, bea.name);
		const future = await c.request(`/api/billing/invoices/${one}/paid`, {
			method: 'POST',
			body: { paidAt: '2026-03-13' }
		});
		expect(future.status).toBe(400);
		expect(future.body.error).toBe('paid_in_future');
		const notDate = await c.request(`/api/billing/invoices/${one}/paid`, {
			method: 'POST',
			body: { paidAt: '2026-02-30' }
		});
		expect(notDate.status).toBe(400);
		expect(String(notDate.body.message)).toMatch(/date réelle/);
		const unknown = await c.request('/api/billing/invoices/invoice:2026-999999/paid', {
			method: 'POST',
			body: {}
		});
		expect(unknown.status).toBe(404);
		expect(((await a.couch.db.get(one)) as unknown as InvoiceDoc).paidAt).toBeUndefined();
		const claim = await a.couch.privateDb.get(`invoicepaid:${one}`).catch(() => null);
		expect(claim).toBeNull();
	});
});

describe('documents', () => {
	it('the invoice PDF holds the legal details, the number, the lines, VAT and totals', async () => {
		const { res, bytes } = await download(b, '/api/billing/invoices/invoice:2026-000001/pdf');
		expect(res.status).toBe(200);
		expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe('%PDF-');
		const text = await pdfText(bytes);
		for (const words of [
			'Facture n° F2026-000001',
			'Maintenance Informatique Ouest',
			'SIRET 12345678900011',
			'TVA intracommunautaire FR40123456789',
			'SAS au capital de 10 000 €',
			'Boulangerie Martin',
			'Main-d’œuvre sur site',
			'Total HT : 120,00 €',
			'TVA : 24,00 €',
			'Total TTC : 144,00 €',
			'Paiement à 30 jours, au plus tard le 09/04/2026.'
		])
			expect(text, words).toContain(hex(words.replace(/\u202f|\u00a0/g, ' ')));
	});

	it('the hour-bank statement lists the movements of the period with the balance before and after', async () => {
		const { res, bytes } = await download(
			a,
			`/api/billing/hourbank/${suspended._id}/statement.pdf?from=2026-03-01&to=2026-03-31`
		);
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('application/pdf');
		const text = await pdfText(bytes);
		// 40 h bought, 12 h used before Terrain, 1 h debited in February: 27 h before March.
		expect(text).toContain(hex('Solde au début de la période : 27 h 00'));
		expect(text).toContain(hex('Intervention — Intervention M1'));
		expect(text).toContain(hex('Correction — Intervention M2'));
		expect(text).not.toContain(hex('Intervention M3'));
		expect(text).toContain(hex('Solde à la fin de la période : 26 h 00'));
		const wrong = await download(
			a,
			`/api/billing/hourbank/${suspended._id}/statement.pdf?from=2026-03-01`
		);
		expect(wrong.res.status).toBe(400);
		const none = await download(
			a,
			`/api/billing/hourbank/${other._id}/statement.pdf?from=2026-03-01&to=2026-03-31`
		);
		expect(none.res.status).toBe(400);
	});

	it('the CSV export lists the invoices and movements of the period, for French spreadsheets', async () => {
		const { res, bytes } = await download(
			a,
			'/api/billing/export.csv?from=2026-03-01&to=2026-03-31'
		);
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
		expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
		const rows = new TextDecoder()
			.decode(bytes)
			.replace(/^\ufeff/, '')
			.trim()
			.split('\r\n');
		expect(rows[0]).toBe(
			'type;numero;date;client_id;client;ht;tva;ttc;payee_le;minutes;ticket;libelle'
		);
		const all = await invoices();
		const invoiceRows = rows.filter((r) => r.startsWith('facture;'));
		expect(invoiceRows).toHaveLength(all.length);
		expect(invoiceRows[0]).toBe(
			'facture;F2026-000001;10/03/2026;client:OTHER;Boulangerie Martin;120,00;24,00;144,00;;;ticket:ONE;'
		);
		const paid = invoiceRows.find((r) => r.includes('Orée & Associés;270,00'));
		expect(paid).toMatch(/;324,00;1[12]\/03\/2026;/);
		expect(rows.filter((r) => r.startsWith('banque_heures_'))).toEqual([
			'banque_heures_debit;hourbank:M1;03/03/2026;client:SUSP;Orée & Associés;;;;;-75;ticket:M1;Intervention M1',
			'banque_heures_correction;hourbank:M2;05/03/2026;client:SUSP;Orée & Associés;;;;;15;ticket:M2;Intervention M2'
		]);
		const april = await download(a, '/api/billing/export.csv?from=2026-04-01&to=2026-04-30');
		expect(new TextDecoder().decode(april.bytes).trim().split('\r\n')).toHaveLength(2);
		for (const query of [
			'from=2026-03-01',
			'from=2026-13-01&to=2026-03-31',
			'from=2026-03-31&to=2026-03-01'
		]) {
			const bad = await (await signedIn(a, bea.name)).request(`/api/billing/export.csv?${query}`);
			expect(bad.status).toBe(400);
			expect(bad.body.error).toBe('invalid_period');
			expect(String(bad.body.message)).toMatch(/période/);
		}
	});
});

describe('roles', () => {
	it('a technician gets 403 on every route, nothing written; an admin may issue', async () => {
		const before = (await invoices()).length;
		const routes: Array<[string, string, unknown?]> = [
			['POST', '/api/billing/invoices', { billingIds: ['billing:MIX'] }],
			['POST', '/api/billing/invoices/invoice:2026-000001/paid', {}],
			['GET', `/api/billing/standing/${suspended._id}`],
			['GET', '/api/billing/invoices/invoice:2026-000001/pdf'],
			['GET', `/api/billing/hourbank/${suspended._id}/statement.pdf?from=2026-03-01&to=2026-03-31`],
			['GET', '/api/billing/export.csv?from=2026-03-01&to=2026-03-31']
		];
		const tech = await signedIn(a, theo.name);
		for (const [method, path, body] of routes) {
			const res = await tech.request(path, { method, ...(body === undefined ? {} : { body }) });
			expect(res.status, path).toBe(403);
		}
		// The desk reads the standing, not the invoices.
		const desk = await signedIn(a, dina.name);
		expect((await desk.request('/api/billing/invoices/invoice:2026-000001/pdf')).status).toBe(403);
		expect(
			(
				await desk.request('/api/billing/invoices', {
					method: 'POST',
					body: { billingIds: ['billing:MIX'] }
				})
			).status
		).toBe(403);
		const anonymous = new Client(a.url);
		expect((await anonymous.request(`/api/billing/standing/${suspended._id}`)).status).toBe(401);
		expect(await invoices()).toHaveLength(before);
		const admin = await issue(b, { billingIds: ['billing:MIX'] }, ada.name);
		expect(admin.status).toBe(201);
		expect((admin.body.invoice as InvoiceDoc).seq).toBe(before + 1);
	});
});
