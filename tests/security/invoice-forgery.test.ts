/**
 * Issue #14, point 5: invoices are the server's. A device — the billing user's, the admin's,
 * a technician's — may not push an invoice: not a new one (it would take a number of the
 * year's sequence, or invoice items the server did not), not an edit of an issued one (paying
 * it, or changing its amounts), not a deletion (a gap in the sequence). Each case asserts the
 * exact refusal and that nothing was stored; the issued invoice stays as the server wrote it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fr } from '../../src/lib/i18n/messages.ts';
import { en } from '../../src/lib/i18n/messages.en.ts';
import type { InvoiceDoc } from '../../src/lib/domain/schemas.ts';
import { aBillingItem, aClient, aConfig, people } from '../../src/lib/domain/testing/factories.ts';
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

const ada = people.admin();
const bea = people.billing();
const theo = people.technician();
const REASON = 'invoices are issued, numbered and marked paid by the server only';

let server: SyncServer;
let issued: InvoiceDoc;

beforeAll(async () => {
	server = await startSyncServer(new Clock('2026-03-10T10:00:00.000Z'), {
		JOBS_TICK_MS: '3600000'
	});
	await addAccounts(server.couch, [ada, bea, theo]);
	await putAll(server.couch, [
		aConfig('access'),
		aConfig('company'),
		aClient(),
		aBillingItem({ _id: 'billing:B1' }),
		aBillingItem({ _id: 'billing:B2' })
	] as unknown as Json[]);
	const session = await new Session(server.url, bea.name).signIn();
	const res = await session.client.request('/api/billing/invoices', {
		method: 'POST',
		body: { billingIds: ['billing:B1'] }
	});
	expect(res.status).toBe(201);
	issued = res.body.invoice as InvoiceDoc;
});

afterAll(async () => {
	await server?.stop();
});

async function push(user: { name: string }, doc: Json) {
	const session = await new Session(server.url, user.name).signIn();
	const res = await session.pushRaw([doc]);
	expect(res.status).toBe(201);
	const [answer] = res.body as Array<Record<string, unknown>>;
	await server.settled();
	return answer;
}

async function expectRefused(user: { name: string }, doc: Json, reason = REASON): Promise<void> {
	const id = String(doc._id);
	const before = (await server.couch.db.get(id).catch(() => null)) as Json | null;
	const answer = await push(user, doc);
	expect(answer).toMatchObject({ id, error: 'forbidden', reason });
	const after = (await server.couch.db.get(id).catch(() => null)) as Json | null;
	expect(after).toEqual(before);
}

const forged = (seq: number): Json => {
	const { _rev, ...body } = issued as InvoiceDoc & { _rev?: string };
	void _rev;
	return nextRevision({
		...body,
		_id: `invoice:2026-${String(seq).padStart(6, '0')}`,
		number: `F2026-${String(seq).padStart(6, '0')}`,
		seq,
		billingIds: ['billing:B2']
	} as unknown as Json);
};

describe('invoices are the server’s', () => {
	it('a forged new invoice is refused, for billing, the admin and a technician alike', async () => {
		for (const who of [bea, ada, theo]) await expectRefused(who, forged(2));
		// Nor one that takes a number far ahead in the sequence.
		await expectRefused(bea, forged(999_999));
	});

	it('an issued invoice cannot be marked paid, nor its amounts changed, from a device', async () => {
		const current = (await server.couch.db.get(issued._id)) as unknown as Json;
		const paid = nextRevision(
			{ ...current, paidAt: '2026-03-10T09:00:00.000Z', paidBy: bea._id },
			current
		);
		await expectRefused(bea, paid);
		await expectRefused(ada, paid);
		const cheaper = nextRevision(
			{
				...current,
				lines: [],
				subtotalCents: 0,
				vatCents: 0,
				totalCents: 0
			},
			current
		);
		await expectRefused(bea, cheaper);
		await expectRefused(theo, cheaper);
	});

	it('an issued invoice cannot be deleted from a device (no gap in the sequence)', async () => {
		const current = (await server.couch.db.get(issued._id)) as unknown as Json;
		const deletion = nextRevision({ _id: current._id, _deleted: true }, current);
		for (const who of [bea, ada]) await expectRefused(who, deletion);
		// A technician does not read invoices: told there is nothing to delete, as for any
		// document they cannot read (a refusal never tells that it exists).
		await expectRefused(theo, deletion, 'there is nothing to delete');
		const stored = (await server.couch.db.get(issued._id)) as unknown as InvoiceDoc;
		expect(stored).toMatchObject({ number: issued.number, totalCents: issued.totalCents });
		expect(stored.paidAt).toBeUndefined();
	});

	it('the issued invoice reaches the billing user’s and the admin’s devices, never a technician’s', async () => {
		await server.settled();
		const ids = async (user: { name: string }) =>
			(await (await new Session(server.url, user.name).signIn()).manifest()).docs.map(([id]) => id);
		expect(await ids(bea)).toContain(issued._id);
		expect(await ids(ada)).toContain(issued._id);
		expect(await ids(theo)).not.toContain(issued._id);
		const [doc] = await (
			await new Session(server.url, bea.name).signIn()
		).bulkGet([[issued._id, String((issued as InvoiceDoc & { _rev: string })._rev)]]);
		expect(doc).toMatchObject({ _id: issued._id, number: issued.number });
	});

	it('the refusal has words in French and in English', () => {
		expect(fr['refusal.invoice_server']).toMatch(/factures sont émises/);
		expect(en['refusal.invoice_server']).toMatch(/Invoices are issued/);
	});

	it('after all that, the server still numbers the next invoice 2 and marks the first paid', async () => {
		const session = await new Session(server.url, bea.name).signIn();
		const next = await session.client.request('/api/billing/invoices', {
			method: 'POST',
			body: { billingIds: ['billing:B2'] }
		});
		expect(next.status).toBe(201);
		expect((next.body.invoice as InvoiceDoc).number).toBe('F2026-000002');
		const paid = await session.client.request(`/api/billing/invoices/${issued._id}/paid`, {
			method: 'POST',
			body: {}
		});
		expect(paid.status).toBe(200);
	});
});
