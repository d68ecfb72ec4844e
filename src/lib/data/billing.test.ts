import { describe, expect, it } from 'vitest';
import type { Invoice } from '../api/billing.ts';
import type { BillingDoc } from '../domain/schemas.ts';
import { aBillingItem, aClient, aTicket } from '../domain/testing/factories.ts';
import { memoryDb } from '../sync/testing.ts';
import {
	adjustmentsOf,
	bankOf,
	billingData,
	billingQueue,
	editProblems,
	eurosText,
	groupByClientMonth,
	invoiceRows,
	monthBounds,
	parseEuros,
	previewTotals,
	queueClients,
	todayInParis,
	withEdit,
	type BillingData,
	type LineEdit
} from './billing.ts';

const line = (amountCents: number, label = 'Main-d’œuvre sur site') => ({
	kind: 'labour' as const,
	label,
	quantity: 60,
	unit: 'minute' as const,
	unitPriceCents: amountCents,
	amountCents
});

function billable(id: string, overrides: Partial<BillingDoc> = {}): BillingDoc {
	return aBillingItem({
		_id: `billing:${id}`,
		kind: 'billable',
		appliedContract: 'none',
		contractKind: 'none',
		billedMinutes: 60,
		lines: [line(7500), { ...line(4500, 'Forfait déplacement'), kind: 'travel', unit: 'trip' }],
		subtotalCents: 12000,
		vatCents: 2400,
		totalCents: 14400,
		...overrides
	} as Partial<BillingDoc>);
}

function invoice(id: string, billingIds: string[], overrides: Partial<Invoice> = {}): Invoice {
	return {
		_id: `invoice:2026-${id}`,
		type: 'invoice',
		number: `F2026-${id}`,
		year: 2026,
		seq: Number(id),
		clientId: 'client:C1',
		billingIds,
		ticketIds: [],
		lines: [],
		subtotalCents: 0,
		vatCents: 0,
		totalCents: 0,
		currency: 'EUR',
		issuedAt: '2026-03-10T10:00:00.000Z',
		issuedBy: 'user:isa',
		company: { name: 'Terrain Services', address: ['1 rue de la Paix', '75002 Paris'] },
		...overrides
	};
}

const aprile = aClient({ _id: 'client:C1', name: 'Aprile', contract: { kind: 'none' } });
const oree = aClient({
	_id: 'client:C2',
	name: 'Orée & Associés',
	contract: { kind: 'managed', hourBank: 40, hoursUsed: 10 }
});

function data(overrides: Partial<BillingData> = {}): BillingData {
	return {
		items: [],
		reports: new Map(),
		tickets: new Map([
			['ticket:K1', aTicket({ _id: 'ticket:K1', number: 10302, title: 'Imprimante HS' })],
			['ticket:K2', aTicket({ _id: 'ticket:K2', number: 10310, title: 'VPN' })]
		]),
		clients: new Map([
			[aprile._id, aprile],
			[oree._id, oree]
		]),
		movements: [],
		invoices: [],
		vatRateBp: 2000,
		...overrides
	};
}

describe('billingQueue', () => {
	const items = [
		billable('A', { closedAt: '2026-02-03T10:00:00.000Z', interventionDate: '2026-02-03' }),
		billable('B', {
			clientId: 'client:C2',
			ticketId: 'ticket:K2',
			closedAt: '2026-03-05T10:00:00.000Z',
			interventionDate: '2026-03-05'
		}),
		billable('C', { closedAt: '2026-03-01T10:00:00.000Z', interventionDate: '2026-03-01' })
	];

	it('lists what no invoice names, newest closure first, with client, ticket and total', () => {
		const rows = billingQueue(data({ items, invoices: [invoice('000001', ['billing:C'])] }));
		expect(rows.map((r) => r.item._id)).toEqual(['billing:B', 'billing:A']);
		expect(rows[0]).toMatchObject({
			clientName: 'Orée & Associés',
			ticketNumber: 10310,
			ticketTitle: 'VPN',
			date: '2026-03-05',
			contract: 'none',
			totalCents: 14400
		});
	});

	it('filters by client, and lists the clients with something to bill by name', () => {
		const rows = billingQueue(data({ items }), 'client:C1');
		expect(rows.map((r) => r.item._id)).toEqual(['billing:C', 'billing:A']);
		expect(queueClients(billingQueue(data({ items })))).toEqual([
			{ id: 'client:C1', name: 'Aprile' },
			{ id: 'client:C2', name: 'Orée & Associés' }
		]);
	});

	it('falls back to the item when its ticket is not on the device', () => {
		const rows = billingQueue(data({ items: [billable('D', { ticketId: 'ticket:GONE' })] }));
		expect(rows[0]).toMatchObject({ ticketNumber: null, ticketTitle: 'Switch remplacé' });
	});
});

describe('groupByClientMonth', () => {
	it('groups a client’s items of one month, oldest first within, newest month first', () => {
		const rows = billingQueue(
			data({
				items: [
					billable('A', { closedAt: '2026-03-20T10:00:00.000Z', interventionDate: '2026-03-20' }),
					billable('B', { closedAt: '2026-03-02T10:00:00.000Z', interventionDate: '2026-03-02' }),
					billable('C', { closedAt: '2026-02-27T10:00:00.000Z', interventionDate: '2026-02-27' }),
					billable('D', {
						clientId: 'client:C2',
						closedAt: '2026-03-10T10:00:00.000Z',
						interventionDate: '2026-03-10',
						totalCents: 0
					})
				]
			})
		);
		expect(groupByClientMonth(rows)).toEqual([
			{
				clientId: 'client:C1',
				clientName: 'Aprile',
				month: '2026-03',
				billingIds: ['billing:B', 'billing:A'],
				totalCents: 28800
			},
			{
				clientId: 'client:C2',
				clientName: 'Orée & Associés',
				month: '2026-03',
				billingIds: ['billing:D'],
				totalCents: 0
			},
			{
				clientId: 'client:C1',
				clientName: 'Aprile',
				month: '2026-02',
				billingIds: ['billing:C'],
				totalCents: 14400
			}
		]);
	});
});

describe('amounts typed', () => {
	it('reads French and English amounts into cents, refuses the rest', () => {
		expect(parseEuros('12,50')).toBe(1250);
		expect(parseEuros('12.5')).toBe(1250);
		expect(parseEuros(' 1 234,05 € ')).toBe(123405);
		expect(parseEuros('0')).toBe(0);
		expect(parseEuros('-3')).toBe(-300);
		expect(parseEuros('12,505')).toBeNull();
		expect(parseEuros('douze')).toBeNull();
		expect(parseEuros('')).toBeNull();
		expect(eurosText(123405)).toBe('1234,05');
		expect(eurosText(-5)).toBe('-0,05');
		expect(parseEuros(eurosText(98765))).toBe(98765);
	});
});

describe('edits before issue', () => {
	const items = [billable('A'), billable('B')];
	const edit = (over: Partial<LineEdit>): LineEdit => ({
		billingId: 'billing:A',
		lineIndex: 0,
		amountText: '75,00',
		reason: '',
		...over
	});

	it('a changed amount needs a reason; an unchanged one needs none and is not sent', () => {
		expect(editProblems(items, [edit({})])).toEqual([]);
		expect(adjustmentsOf(items, [edit({})])).toEqual([]);
		expect(editProblems(items, [edit({ amountText: '60' })])).toEqual([
			{ billingId: 'billing:A', lineIndex: 0, problem: 'reason_required' }
		]);
		expect(editProblems(items, [edit({ amountText: '60', reason: '   ' })])).toHaveLength(1);
		const given = [edit({ amountText: '60', reason: ' Geste commercial ' })];
		expect(editProblems(items, given)).toEqual([]);
		expect(adjustmentsOf(items, given)).toEqual([
			{ billingId: 'billing:A', lineIndex: 0, amountCents: 6000, reason: 'Geste commercial' }
		]);
	});

	it('refuses an amount that is not one, a negative one, a line that does not exist', () => {
		const problems = editProblems(items, [
			edit({ amountText: 'beaucoup', reason: 'x' }),
			edit({ billingId: 'billing:B', amountText: '-10', reason: 'x' }),
			edit({ lineIndex: 5, reason: 'x' })
		]).map((p) => p.problem);
		expect(problems).toEqual(['invalid_amount', 'negative_amount', 'no_line']);
	});

	it('one edit per line: a new one replaces the old', () => {
		let edits = withEdit([], edit({ amountText: '60' }));
		edits = withEdit(edits, edit({ lineIndex: 1, amountText: '0', reason: 'offert' }));
		edits = withEdit(edits, edit({ amountText: '50', reason: 'remise' }));
		expect(edits).toHaveLength(2);
		expect(adjustmentsOf(items, edits)).toEqual([
			{ billingId: 'billing:A', lineIndex: 0, amountCents: 5000, reason: 'remise' },
			{ billingId: 'billing:A', lineIndex: 1, amountCents: 0, reason: 'offert' }
		]);
	});

	it('previews the totals with the edits, VAT by line at the configured rate', () => {
		expect(previewTotals([items[0] as BillingDoc], [], 2000)).toEqual({
			subtotalCents: 12000,
			vatCents: 2400,
			totalCents: 14400
		});
		const edits = [edit({ amountText: '10,01', reason: 'remise' })];
		// 1001 × 20 % = 200.2 → 200; 4500 × 20 % = 900.
		expect(previewTotals([items[0] as BillingDoc], edits, 2000)).toEqual({
			subtotalCents: 5501,
			vatCents: 1100,
			totalCents: 6601
		});
		// An amount not valid yet leaves the computed one in the preview.
		expect(previewTotals([items[0] as BillingDoc], [edit({ amountText: '?' })], 2000)).toEqual({
			subtotalCents: 12000,
			vatCents: 2400,
			totalCents: 14400
		});
	});
});

describe('hour bank, invoices, days', () => {
	it('the client’s balance comes from its movements', () => {
		const movements = [
			{ _id: 'hourbank:1', clientId: 'client:C2', minutes: -90 },
			{ _id: 'hourbank:2', clientId: 'client:C1', minutes: -600 }
		] as never[];
		expect(bankOf(data({ movements }), 'client:C2')).toMatchObject({
			bankMinutes: 2400,
			balanceMinutes: 2400 - 600 - 90
		});
		expect(bankOf(data({ movements }), 'client:C1')).toBeNull();
	});

	it('lists invoices newest first, paid or not', () => {
		const d = data({
			invoices: [
				invoice('000001', ['billing:A'], { paidAt: '2026-03-12T09:00:00.000Z', paidBy: 'user:isa' }),
				invoice('000002', ['billing:B'], { clientId: 'client:C2' })
			]
		});
		expect(invoiceRows(d).map((r) => [r.invoice.number, r.clientName, r.paid])).toEqual([
			['F2026-000002', 'Orée & Associés', false],
			['F2026-000001', 'Aprile', true]
		]);
		expect(invoiceRows(d, 'unpaid').map((r) => r.invoice.number)).toEqual(['F2026-000002']);
		expect(invoiceRows(d, 'paid').map((r) => r.invoice.number)).toEqual(['F2026-000001']);
	});

	it('today is Paris’s day; a month’s bounds', () => {
		expect(todayInParis(new Date('2026-03-31T22:30:00Z'))).toBe('2026-04-01');
		expect(monthBounds('2026-02-14')).toEqual({ from: '2026-02-01', to: '2026-02-28' });
		expect(monthBounds('2028-02-01')).toEqual({ from: '2028-02-01', to: '2028-02-29' });
	});
});

describe('billingData', () => {
	it('reads the device’s items, tickets, clients and invoices; skips a malformed invoice', async () => {
		const db = memoryDb('billing');
		const config = {
			_id: 'config:billing_rates',
			type: 'config',
			kind: 'billing_rates',
			rates: { vatRateBasisPoints: 550 }
		};
		await db.bulkDocs([
			billable('A'),
			billable('B'),
			aTicket({ _id: 'ticket:K1', number: 10302 }),
			aprile,
			invoice('000001', ['billing:A']),
			{ _id: 'invoice:2026-000002', type: 'invoice', number: 42 },
			config
		] as never[]);
		const read = await billingData(db);
		expect(read.invoices.map((i) => i.number)).toEqual(['F2026-000001']);
		expect(billingQueue(read).map((r) => [r.item._id, r.ticketNumber, r.clientName])).toEqual([
			['billing:B', 10302, 'Aprile']
		]);
		expect(read.vatRateBp).toBe(550);
	});
});
