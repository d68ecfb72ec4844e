/**
 * Issue #14: billing items and hour-bank movements are the server's. A device — even the
 * billing user's, the dispatcher's or the admin's — may not push a billing line (it would
 * bill the client, or take the id the job creates once) nor an hour-bank movement (it would
 * change the balance the desk shows, which is the movements' sum). Each case asserts the exact
 * refusal and that nothing was stored; then the job still bills the closure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { billingItemId, hourBankMoveId } from '../../src/lib/domain/closure-billing.ts';
import { fr } from '../../src/lib/i18n/messages.ts';
import { en } from '../../src/lib/i18n/messages.en.ts';
import type { TicketDoc } from '../../src/lib/domain/schemas.ts';
import {
	aBillingItem,
	aClient,
	aConfig,
	aSignedReport,
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
const bea = people.billing();
const report = aSignedReport();
const CLOSED_AT = '2025-03-06T10:00:00.000Z';
const K1: TicketDoc = {
	...aTicket(),
	status: 'closed',
	category: 'network',
	group: 'network',
	clientId: 'client:C1',
	resolution: { by: dina._id, at: CLOSED_AT, solution: 'Switch remplacé.' },
	closure: { by: dina._id, at: CLOSED_AT, how: 'level1', solution: 'Switch remplacé.' }
} as TicketDoc;

let server: SyncServer;

beforeAll(async () => {
	server = await startSyncServer(new Clock('2025-03-06T11:00:00.000Z'), {
		JOBS_TICK_MS: '3600000'
	});
	await addAccounts(server.couch, [dina, ada, bea]);
	await putAll(server.couch, [aConfig('access'), aClient(), K1, report] as unknown as Json[]);
});

afterAll(async () => {
	await server?.stop();
});

async function expectRefused(user: { name: string }, doc: Json, reason: string): Promise<void> {
	const session = await new Session(server.url, user.name).signIn();
	const id = String(doc._id);
	const res = await session.pushRaw([doc]);
	expect(res.status).toBe(201);
	const [answer] = res.body as Array<Record<string, unknown>>;
	expect(answer).toMatchObject({ id, error: 'forbidden', reason });
	await server.settled();
	expect(await server.couch.db.get(id).catch(() => null)).toBeNull();
}

const ITEM_ID = billingItemId(K1._id, report._id, CLOSED_AT);
const MOVE_ID = hourBankMoveId(K1._id, report._id, CLOSED_AT);

const movement = (id: string, minutes: number): Json =>
	nextRevision({
		_id: id,
		type: 'hourbank',
		clientId: 'client:C1',
		ticketId: K1._id,
		reportId: report._id,
		billingId: ITEM_ID,
		move: 'correction',
		minutes,
		closedAt: CLOSED_AT,
		at: CLOSED_AT,
		description: 'Geste commercial'
	});

describe('billing items and hour-bank movements are the server’s', () => {
	it('a forged billing line is refused, for billing, the dispatcher and the admin alike', async () => {
		const forged = (id: string) =>
			nextRevision({
				...aBillingItem({ _id: id, ticketId: K1._id, reportId: report._id }),
				kind: 'billable',
				billedMinutes: 600,
				lines: [
					{
						kind: 'labour',
						label: 'Main-d’œuvre sur site',
						quantity: 600,
						unit: 'minute',
						unitPriceCents: 7500,
						amountCents: 75_000
					}
				],
				subtotalCents: 75_000,
				vatCents: 15_000,
				totalCents: 90_000
			} as unknown as Json);
		for (const who of [bea, dina, ada])
			await expectRefused(
				who,
				forged(`billing:F${who.name}`),
				'billing items are written by the server only'
			);
		// Nor the id the job creates the closure's item under.
		await expectRefused(bea, forged(ITEM_ID), 'billing items are written by the server only');
	});

	it('a forged hour-bank movement is refused: the balance cannot be topped up from a device', async () => {
		const reason = 'hour-bank movements are written by the server only, from the closures it bills';
		await expectRefused(bea, movement('hourbank:FORGED', 6000), reason);
		await expectRefused(ada, movement(MOVE_ID, 75), reason);
		await expectRefused(dina, movement('hourbank:FORGED2', 60), reason);
	});

	it('the refusal has words in French and in English', () => {
		expect(fr['refusal.hourbank_server']).toMatch(/banque d’heures/);
		expect(en['refusal.hourbank_server']).toMatch(/Hour-bank/);
	});

	it('after all that, the job bills the closure once, with its debit', async () => {
		await server.jobs.runAll();
		await server.jobs.runAll();
		const item = (await server.couch.db.get(ITEM_ID)) as unknown as Json;
		expect(item).toMatchObject({ kind: 'hour_bank', deductedMinutes: 75, closedAt: CLOSED_AT });
		const move = (await server.couch.db.get(MOVE_ID)) as unknown as Json;
		expect(move).toMatchObject({ move: 'debit', minutes: -75, billingId: ITEM_ID });
	});
});
