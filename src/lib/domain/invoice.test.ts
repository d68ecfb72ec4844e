import { describe, expect, it } from 'vitest';
import {
	csvAmount,
	csvField,
	csvText,
	dueDateOf,
	hourBankStatement,
	invoiceIdOf,
	invoiceLines,
	invoiceNumberOf,
	invoiceTotals,
	invoiceYear,
	itemLines,
	parseInvoiceId,
	periodOf,
	standingOf,
	statusAfterPayment,
	withWritten
} from './invoice.ts';
import { parseAs } from './schemas.ts';
import type { BillingDoc, HourBankDoc, InvoiceDoc } from './schemas.ts';
import { aBillingItem, aClient } from './testing/factories.ts';

const WORDS = { included: 'Inclus dans le contrat de maintenance', hourBank: 'Banque d’heures' };

const billable = (id: string, cents: number[], date = '2026-03-04'): BillingDoc =>
	aBillingItem({
		_id: `billing:${id}`,
		kind: 'billable',
		billedMinutes: 60,
		interventionDate: date,
		lines: cents.map((amountCents) => ({
			kind: 'labour' as const,
			label: 'Main-d’œuvre sur site',
			quantity: 60,
			unit: 'minute' as const,
			unitPriceCents: amountCents,
			amountCents
		}))
	} as Partial<BillingDoc>);

describe('numbering', () => {
	it('makes the id and the number from the year and the sequence, and reads them back', () => {
		expect(invoiceIdOf(2026, 1)).toBe('invoice:2026-000001');
		expect(invoiceNumberOf(2026, 42)).toBe('F2026-000042');
		expect(parseInvoiceId('invoice:2026-000042')).toEqual({ year: 2026, seq: 42 });
		expect(parseInvoiceId('invoice:2026-000000')).toBeNull();
		expect(parseInvoiceId('invoice:2026-42')).toBeNull();
		expect(parseInvoiceId('billing:2026-000001')).toBeNull();
	});

	it('counts the year in Paris: New Year’s Eve at 23:30 in Paris is already next year’s', () => {
		expect(invoiceYear('2026-12-31T22:30:00Z')).toBe(2026);
		expect(invoiceYear('2026-12-31T23:30:00Z')).toBe(2027);
	});
});

describe('lines and totals', () => {
	it('keeps the item’s lines with the VAT rate, and explains a zero item', () => {
		expect(itemLines(billable('A', [7500]), 2000, WORDS)).toEqual([
			expect.objectContaining({
				billingId: 'billing:A',
				kind: 'labour',
				amountCents: 7500,
				vatRateBp: 2000
			})
		]);
		const included = aBillingItem({
			_id: 'billing:I',
			kind: 'included',
			onSiteMinutes: 45
		} as Partial<BillingDoc>);
		expect(itemLines(included, 2000, WORDS)).toEqual([
			expect.objectContaining({
				kind: 'included',
				label: WORDS.included,
				quantity: 45,
				amountCents: 0
			})
		]);
		const bank = aBillingItem({ _id: 'billing:H' });
		expect(itemLines(bank, 2000, WORDS)).toEqual([
			expect.objectContaining({
				kind: 'hour_bank',
				label: WORDS.hourBank,
				quantity: 75,
				amountCents: 0
			})
		]);
	});

	it('computes VAT by line, rounded to the cent, and the totals', () => {
		const lines = invoiceLines([billable('A', [3333, 3333])], [], 2000, WORDS);
		expect(lines.ok).toBe(true);
		if (!lines.ok) return;
		// 666.6 → 667 per line: 1334, not round(6666 × 20 %) = 1333.
		expect(invoiceTotals(lines.value)).toEqual({
			subtotalCents: 6666,
			vatCents: 1334,
			totalCents: 8000
		});
	});

	it('applies an adjustment with its reason and the amount it replaces; refuses a missing line, a short reason, twice the same line', () => {
		const items = [billable('A', [7500, 4500])];
		const done = invoiceLines(
			items,
			[{ billingId: 'billing:A', lineIndex: 1, amountCents: 0, reason: '  Offert  ' }],
			2000,
			WORDS
		);
		expect(done.ok && done.value[1]).toMatchObject({
			amountCents: 0,
			adjusted: { fromCents: 4500, reason: 'Offert' }
		});
		const at = { billingId: 'billing:A', lineIndex: 0 };
		expect(
			invoiceLines(items, [{ ...at, lineIndex: 2, amountCents: 0, reason: 'Offert' }], 2000, WORDS)
		).toEqual({
			ok: false,
			error: { code: 'unknown_line', billingId: 'billing:A', lineIndex: 2 }
		});
		expect(
			invoiceLines(items, [{ ...at, amountCents: 0, reason: ' a ' }], 2000, WORDS)
		).toMatchObject({
			ok: false,
			error: { code: 'adjustment_reason' }
		});
		const twice = { ...at, amountCents: 0, reason: 'Offert' };
		expect(invoiceLines(items, [twice, twice], 2000, WORDS)).toMatchObject({
			ok: false,
			error: { code: 'adjustment_twice' }
		});
	});

	it('gives a grouped invoice its month only when all its items are of one month', () => {
		expect(periodOf([billable('A', [1])])).toBeUndefined();
		expect(periodOf([billable('A', [1], '2026-03-02'), billable('B', [1], '2026-03-30')])).toBe(
			'2026-03'
		);
		expect(
			periodOf([billable('A', [1], '2026-03-02'), billable('B', [1], '2026-04-01')])
		).toBeUndefined();
	});

	it('dates payment from the Paris day of issue', () => {
		expect(dueDateOf('2026-03-10T10:00:00Z', 30)).toBe('2026-04-09');
		expect(dueDateOf('2026-01-31T23:30:00Z', 0)).toBe('2026-02-01');
	});
});

const invoice = (seq: number, totalCents: number, extra: Partial<InvoiceDoc> = {}) => ({
	_id: invoiceIdOf(2026, seq),
	clientId: 'client:C1',
	totalCents,
	issuedAt: '2026-01-10T10:00:00.000Z',
	dueDate: '2026-02-09',
	...extra
});

describe('standing', () => {
	it('sums what is unpaid, counts the overdue with something to pay, and names the last payment', () => {
		const list = [
			invoice(1, 12_000, { paidAt: '2026-02-01T12:00:00.000Z' }),
			invoice(2, 5000),
			invoice(3, 0),
			invoice(4, 3000, { dueDate: '2026-04-30' }),
			invoice(5, 9999, { clientId: 'client:OTHER' })
		];
		expect(standingOf('client:C1', list, '2026-03-10T10:00:00Z')).toEqual({
			clientId: 'client:C1',
			outstandingCents: 8000,
			overdueCount: 1,
			lastPaidAt: '2026-02-01T12:00:00.000Z',
			invoices: 4
		});
	});

	it('counts the document just written in place of the copy read (a cluster read may miss it)', () => {
		const read = [invoice(1, 12_000), invoice(2, 5000)];
		const written = invoice(1, 12_000, { paidAt: '2026-03-10T12:00:00.000Z' });
		const s = standingOf('client:C1', withWritten(read, written), '2026-03-10T13:00:00Z');
		expect(s.lastPaidAt).toBe('2026-03-10T12:00:00.000Z');
		expect(s.outstandingCents).toBe(5000);
		expect(withWritten([], written)).toEqual([written]);
	});

	it('puts a suspended client with nothing left due back to active, and only that', () => {
		expect(statusAfterPayment({ commercialStatus: 'suspended' }, { outstandingCents: 0 })).toBe(
			'active'
		);
		expect(statusAfterPayment({ commercialStatus: 'suspended' }, { outstandingCents: 1 })).toBe(
			'suspended'
		);
		expect(statusAfterPayment({ commercialStatus: 'terminated' }, { outstandingCents: 0 })).toBe(
			'terminated'
		);
	});
});

describe('hour-bank statement', () => {
	const move = (
		id: string,
		minutes: number,
		closedAt: string,
		clientId = 'client:C1'
	): HourBankDoc => ({
		_id: `hourbank:${id}`,
		type: 'hourbank',
		clientId,
		ticketId: `ticket:${id}`,
		reportId: `report:${id}`,
		billingId: `billing:${id}`,
		move: minutes < 0 ? 'debit' : 'correction',
		minutes,
		closedAt,
		at: closedAt,
		description: id
	});
	it('gives the balance before the period, each movement with the balance after it, and the balance after', () => {
		const client = aClient(); // 40 h bank, 12 h used before Terrain
		const moves = [
			move('late', -30, '2026-04-01T08:00:00Z'),
			move('b', 15, '2026-03-05T10:00:00Z'),
			move('a', -75, '2026-03-03T10:00:00Z'),
			move('early', -60, '2026-02-28T23:30:00Z'), // 1 March in Paris: in the period
			move('older', -60, '2026-02-20T10:00:00Z'),
			move('other', -600, '2026-03-03T10:00:00Z', 'client:OTHER')
		];
		const s = hourBankStatement(client, moves, '2026-03-01', '2026-03-31');
		expect(s?.balanceBeforeMinutes).toBe(28 * 60 - 60);
		expect(s?.rows.map((r) => [r.move._id, r.balanceAfterMinutes])).toEqual([
			['hourbank:early', 1620 - 60],
			['hourbank:a', 1560 - 75],
			['hourbank:b', 1485 + 15]
		]);
		expect(s?.balanceAfterMinutes).toBe(1500);
		expect(
			hourBankStatement(aClient({ contract: { kind: 'none' } }), moves, '2026-03-01', '2026-03-31')
		).toBeNull();
	});
});

describe('CSV', () => {
	it('quotes what needs it, writes French amounts, separates with ; and starts with a BOM', () => {
		expect(csvField('Orée; "Associés"')).toBe('"Orée; ""Associés"""');
		expect(csvField(null)).toBe('');
		expect(csvAmount(123_456)).toBe('1234,56');
		expect(csvAmount(-5)).toBe('-0,05');
		expect(
			csvText([
				['a', 1],
				['b', null]
			])
		).toBe('\ufeffa;1\r\nb;\r\n');
	});
});

describe('the invoice schema', () => {
	const valid = {
		_id: 'invoice:2026-000001',
		type: 'invoice',
		number: 'F2026-000001',
		year: 2026,
		seq: 1,
		clientId: 'client:C1',
		billingIds: ['billing:A'],
		ticketIds: ['ticket:A'],
		lines: [
			{
				billingId: 'billing:A',
				kind: 'labour',
				label: 'Main-d’œuvre',
				quantity: 60,
				unit: 'minute',
				unitPriceCents: 7500,
				amountCents: 7500,
				vatRateBp: 2000
			}
		],
		subtotalCents: 7500,
		vatCents: 1500,
		totalCents: 9000,
		currency: 'EUR',
		issuedAt: '2026-03-10T10:00:00.000Z',
		issuedBy: 'user:bea',
		company: { name: 'MIO', address: [] }
	};
	it('accepts an invoice whose id, number and totals agree', () => {
		expect(parseAs('invoice', valid).ok).toBe(true);
	});
	it('refuses an id that is not its number, totals that are not the lines’, a payment without its payer, cents that are not whole', () => {
		const problems = (doc: unknown) => {
			const r = parseAs('invoice', doc);
			return r.ok ? [] : r.error;
		};
		expect(problems({ ...valid, _id: 'invoice:2026-000002' })).toEqual([
			'invoice._id: must be "invoice:<year>-<seq padded to 6>"'
		]);
		expect(problems({ ...valid, number: 'F2026-000002' })).toEqual([
			'invoice.number: must be "F<year>-<seq padded to 6>"'
		]);
		expect(problems({ ...valid, totalCents: 1 })).toEqual([
			'invoice.totalCents: must be the sum of the lines, plus VAT'
		]);
		expect(problems({ ...valid, paidAt: '2026-03-11T10:00:00.000Z' })).toEqual([
			'invoice.paidBy: paidAt and paidBy go together'
		]);
		expect(problems({ ...valid, vatCents: 1500.5, totalCents: 9000.5 })).toContain(
			'invoice.vatCents: must be a whole number of cents'
		);
	});
});
