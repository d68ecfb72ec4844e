import { describe, expect, it } from 'vitest';
import { DEFAULT_BILLING_RATES } from './billing.ts';
import { billingItemId, closureBilling, hourBankMoveId } from './closure-billing.ts';
import { hourBankBalance, hoursAndMinutes } from './hour-bank.ts';
import type { BillingDoc, ClientDoc, HourBankDoc, TicketDoc } from './schemas.ts';
import { parseAs } from './schemas.ts';
import { aClient, aSignedReport, aTicket, at } from './testing/factories.ts';

const move = (id: string, minutes: number, clientId = 'client:C1'): HourBankDoc => ({
	_id: `hourbank:${id}`,
	type: 'hourbank',
	clientId,
	ticketId: 'ticket:K1',
	reportId: 'report:R1',
	billingId: 'billing:B1',
	move: minutes < 0 ? 'debit' : 'correction',
	minutes,
	closedAt: at(0),
	at: at(0),
	description: ''
});

describe('hour-bank balance', () => {
	it('is the bank less what was used before and the movements, never a stored counter', () => {
		// 40 h bought, 12 h used before Terrain: 28 h; then 1 h 15 and 45 min taken, 15 min back.
		const balance = hourBankBalance(aClient(), [move('a', -75), move('b', -45), move('c', 15)]);
		expect(balance).toEqual({
			bankMinutes: 2400,
			usedMinutes: 720 + 105,
			balanceMinutes: 2400 - 825,
			movements: 3
		});
	});

	it('counts only the client’s own movements, under the server’s prefix', () => {
		const forged = { ...move('x', -600), _id: 'billing:x' };
		const balance = hourBankBalance(aClient(), [move('o', -600, 'client:C2'), forged]);
		expect(balance?.balanceMinutes).toBe(28 * 60);
		expect(balance?.movements).toBe(0);
	});

	it('goes negative when overdrawn, and has no bank without a managed-services contract', () => {
		expect(hourBankBalance(aClient(), [move('a', -29 * 60)])?.balanceMinutes).toBe(-60);
		const none = aClient({ contract: { kind: 'none' } });
		expect(hourBankBalance(none, [move('a', -60)])).toBeNull();
	});

	it('says hours and minutes', () => {
		expect(hoursAndMinutes(1575)).toEqual({ hours: 26, minutes: '15' });
		expect(hoursAndMinutes(-65)).toEqual({ hours: 1, minutes: '05' });
	});
});

describe('billing at a closure', () => {
	const closedAt = at(3 * 24 * 60);
	const ticket: TicketDoc = { ...aTicket(), status: 'closed', clientId: 'client:C1' };
	const report = aSignedReport();
	const run = (
		client: ClientDoc,
		billed: BillingDoc[] = [],
		movements: HourBankDoc[] = [],
		when = closedAt
	) =>
		closureBilling({
			ticket,
			closedAt: when,
			reports: [report],
			client,
			rates: DEFAULT_BILLING_RATES,
			billed,
			movements,
			now: when
		});

	it('managed services: an hour-bank item and its debit, with fixed ids', () => {
		const out = run(aClient());
		expect(out.items.map((i) => i._id)).toEqual([billingItemId(ticket._id, report._id, closedAt)]);
		const [item] = out.items;
		expect(item).toMatchObject({ kind: 'hour_bank', deductedMinutes: 75, closedAt });
		expect(out.moves).toEqual([
			expect.objectContaining({
				_id: hourBankMoveId(ticket._id, report._id, closedAt),
				minutes: -75,
				move: 'debit',
				billingId: item!._id
			})
		]);
		for (const d of [...out.items, ...out.moves]) expect(parseAs(d.type, d).ok).toBe(true);
	});

	it('a re-close with nothing changed bills nothing; a changed contract adds a correction', () => {
		const first = run(aClient());
		const later = at(5 * 24 * 60);
		expect(run(aClient(), first.items, first.moves, later).items).toEqual([]);
		const none = aClient({ contract: { kind: 'none' } });
		const again = run(none, first.items, first.moves, later);
		expect(again.corrections).toBe(1);
		const [fix] = again.items;
		expect(fix).toMatchObject({ kind: 'billable', corrects: [first.items[0]!._id] });
		// The 75 minutes go back to the bank; the earlier item and movement stay as they were.
		expect(again.moves).toEqual([expect.objectContaining({ minutes: 75, move: 'correction' })]);
		expect(fix!.totalCents).toBeGreaterThan(0);
	});
});
