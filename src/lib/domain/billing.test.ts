import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as v from 'valibot';
import {
	billingAtClosure,
	BillingRatesSchema,
	DEFAULT_BILLING_RATES,
	onSiteMinutes,
	roundUp
} from './billing.ts';
import type { BillingContract, BillingInput, BillingItem, BillingReportInput } from './billing.ts';

const R = DEFAULT_BILLING_RATES;
const NOW = '2025-06-20T10:00:00Z';

// Monday 2025-06-16, 09:00–10:10 in Paris: 70 minutes on site.
const report: BillingReportInput = {
	times: [{ start: '2025-06-16T09:00:00+02:00', end: '2025-06-16T10:10:00+02:00' }],
	travelMinutes: 30,
	parts: [
		{ label: 'PSU 500 W', qty: 1, unitPriceCents: 6900 },
		{ label: 'RJ45 cable', qty: 2, unitPriceCents: 350 }
	],
	summary: 'Replaced the power supply of the file server'
};

const bill = (
	contract: BillingContract | null | undefined,
	r: BillingReportInput = report
): BillingItem => billingAtClosure({ contract, report: r }, R, NOW);

function asKind<K extends BillingItem['kind']>(
	item: BillingItem,
	kind: K
): Extract<BillingItem, { kind: K }> {
	expect(item.kind).toBe(kind);
	return item as Extract<BillingItem, { kind: K }>;
}

describe('rates', () => {
	it('defaults in euro cents', () => {
		expect(R).toEqual({
			hourlyRateCents: 7500,
			travelFeeCents: 4500,
			travelHourlyRateCents: 0,
			roundingMinutes: 15,
			minimumBilledMinutes: 60,
			vatRateBasisPoints: 2000,
			lowBankRatio: 0.1,
			timeZone: 'Europe/Paris',
			partPrices: []
		});
	});

	it('explains bad rates', () => {
		const r = v.safeParse(BillingRatesSchema, { hourlyRateCents: 75.5, roundingMinutes: 0 });
		expect(r.success).toBe(false);
		expect(r.issues?.map((i) => i.message)).toEqual([
			'The hourly rate must be a whole number of cents',
			'The rounding step must be at least 1 minute'
		]);
	});
});

describe('no contract', () => {
	it('bills labour rounded up to the quarter hour, the travel fee and the parts', () => {
		const item = asKind(bill(undefined), 'billable');
		expect(item).toMatchObject({
			appliedContract: 'none',
			contractKind: 'none',
			interventionDate: '2025-06-16',
			onSiteMinutes: 70,
			billedMinutes: 75,
			travelMinutes: 30,
			subtotalCents: 9375 + 4500 + 6900 + 700,
			vatCents: 4295,
			totalCents: 21475 + 4295,
			currency: 'EUR',
			description: 'Replaced the power supply of the file server',
			warnings: [],
			computedAt: '2025-06-20T10:00:00.000Z'
		});
		expect(item.lines.map((l) => [l.kind, l.quantity, l.amountCents])).toEqual([
			['labour', 75, 9375],
			['travel', 1, 4500],
			['part', 1, 6900],
			['part', 2, 700]
		]);
	});

	it('bills at least the minimum, no travel line without travel', () => {
		const item = asKind(
			bill(null, {
				times: [{ start: '2025-06-16T09:00:00Z', end: '2025-06-16T09:20:00Z' }],
				parts: []
			}),
			'billable'
		);
		expect(item.billedMinutes).toBe(60);
		expect(item.lines).toHaveLength(1);
		expect(item.subtotalCents).toBe(7500);
	});

	it('counts overlapping time intervals once and ignores empty ones', () => {
		expect(
			onSiteMinutes([
				{ start: '2025-06-16T09:00:00Z', end: '2025-06-16T10:00:00Z' },
				{ start: '2025-06-16T09:30:00Z', end: '2025-06-16T10:30:00Z' },
				{ start: '2025-06-16T09:40:00Z', end: '2025-06-16T09:50:00Z' },
				{ start: '2025-06-16T14:00:00Z', end: '2025-06-16T14:00:00Z' },
				{ start: '2025-06-16T15:00:00Z', end: '2025-06-16T15:45:00Z' }
			])
		).toBe(135);
	});

	it('bills travel time when a travel hourly rate is set', () => {
		const item = billingAtClosure({ report }, { ...R, travelHourlyRateCents: 3000 }, NOW);
		expect(item.lines.find((l) => l.kind === 'travel_time')).toMatchObject({
			quantity: 30,
			amountCents: 1500
		});
	});

	it('warns about unpriced parts and missing time', () => {
		const item = asKind(
			bill(undefined, { times: [], parts: [{ label: 'Screws', qty: 4 }] }),
			'billable'
		);
		expect(item.billedMinutes).toBe(0);
		expect(item.interventionDate).toBe('2025-06-20');
		expect(item.lines.find((l) => l.kind === 'part')).toMatchObject({
			unpriced: true,
			amountCents: 0
		});
		expect(item.warnings.map((w) => w.code)).toEqual(['no_time_recorded', 'unpriced_part']);
	});
});

describe('maintenance contract', () => {
	const contract: BillingContract = { kind: 'maintenance', start: '2025-01-01', end: '2025-12-31' };

	it('yields a zero-amount item describing the work', () => {
		const item = asKind(bill(contract), 'included');
		expect(item).toMatchObject({
			totalCents: 0,
			subtotalCents: 0,
			onSiteMinutes: 70,
			warnings: []
		});
		expect(item.description).toMatch(/power supply/);
		expect(item.lines.map((l) => [l.kind, l.label, l.amountCents])).toEqual([
			['part', 'PSU 500 W', 0],
			['part', 'RJ45 cable', 0]
		]);
	});

	it('bills the parts when the contract excludes them', () => {
		const item = asKind(bill({ ...contract, partsIncluded: false }), 'included');
		expect(item.subtotalCents).toBe(7600);
	});

	it('treats an expired or not yet started contract as none, with a warning', () => {
		const expired = asKind(bill({ ...contract, end: '2025-06-15' }), 'billable');
		expect(expired).toMatchObject({ appliedContract: 'none', contractKind: 'maintenance' });
		expect(expired.warnings.map((w) => w.code)).toEqual(['contract_expired']);
		const early = bill({ ...contract, start: '2025-06-17' });
		expect(early.warnings.map((w) => w.code)).toEqual(['contract_not_started']);
	});

	it('validity days are inclusive local dates; instants are compared as instants', () => {
		const lateEvening = {
			times: [{ start: '2025-12-31T23:30:00+01:00', end: '2025-12-31T23:50:00+01:00' }],
			parts: []
		};
		// 22:30 UTC on Dec 31 is still Dec 31 in Paris.
		expect(bill(contract, lateEvening).kind).toBe('included');
		expect(bill({ kind: 'maintenance', end: '2025-12-31T22:00:00Z' }, lateEvening).kind).toBe(
			'billable'
		);
		expect(bill({ kind: 'maintenance', start: '2025-12-31T23:00:00Z' }, lateEvening).kind).toBe(
			'billable'
		);
		expect(bill({ kind: 'maintenance' }, lateEvening).kind).toBe('included');
	});
});

describe('managed services (hour bank)', () => {
	const contract: BillingContract = {
		kind: 'managed',
		start: '2025-01-01',
		end: '2025-12-31',
		hourBankMinutes: 600
	};

	it('deducts the rounded time on site from the bank', () => {
		const item = asKind(bill({ ...contract, usedMinutes: 400 }), 'hour_bank');
		expect(item).toMatchObject({
			deductedMinutes: 75,
			bankMinutes: 600,
			balanceBeforeMinutes: 200,
			balanceAfterMinutes: 125,
			lowBalanceThresholdMinutes: 60,
			totalCents: 0,
			warnings: []
		});
	});

	it('warns under the threshold (10 % of the bank by default)', () => {
		const item = asKind(bill({ ...contract, usedMinutes: 500 }), 'hour_bank');
		expect(item.balanceAfterMinutes).toBe(25);
		expect(item.warnings).toEqual([
			{ code: 'low_balance', message: 'Only 0 h 25 left in the hour bank' }
		]);
	});

	it('a threshold in minutes from the rates or the contract wins over the ratio', () => {
		const fromRates = billingAtClosure(
			{ contract: { ...contract, usedMinutes: 300 }, report },
			{ ...R, lowBankMinutes: 240 },
			NOW
		);
		expect(asKind(fromRates, 'hour_bank').warnings.map((w) => w.code)).toEqual(['low_balance']);
		const fromContract = bill({ ...contract, usedMinutes: 300, lowBalanceMinutes: 0 });
		expect(asKind(fromContract, 'hour_bank').warnings).toEqual([]);
	});

	it('warns when the bank goes negative', () => {
		const item = asKind(bill({ ...contract, usedMinutes: 590 }), 'hour_bank');
		expect(item.balanceAfterMinutes).toBe(-65);
		expect(item.warnings).toEqual([
			{ code: 'negative_balance', message: 'The hour bank is overdrawn by 1 h 05' }
		]);
		const noBank = asKind(bill({ kind: 'managed' }), 'hour_bank');
		expect(noBank.balanceAfterMinutes).toBe(-75);
	});

	it('an expired managed contract is billed as out of contract', () => {
		const item = bill({ ...contract, end: '2025-03-31', usedMinutes: 0 });
		expect(item.kind).toBe('billable');
		expect(item.warnings[0]?.code).toBe('contract_expired');
	});
});

describe('properties', () => {
	const minute = 60_000;
	const base = Date.UTC(2025, 5, 16, 7);
	const timesArb = fc.array(
		fc
			.tuple(fc.integer({ min: 0, max: 600 }), fc.integer({ min: 0, max: 240 }))
			.map(([s, len]) => ({
				start: new Date(base + s * minute).toISOString(),
				end: new Date(base + (s + len) * minute).toISOString()
			})),
		{ maxLength: 5 }
	);
	const partsArb = fc.array(
		fc.record({
			label: fc.string({ maxLength: 10 }),
			qty: fc.integer({ min: 1, max: 20 }),
			unitPriceCents: fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined })
		}),
		{ maxLength: 4 }
	);
	const contractArb = fc.oneof(
		fc.constant<BillingContract>({ kind: 'none' }),
		fc.constant<BillingContract>({ kind: 'maintenance', start: '2025-01-01', end: '2025-12-31' }),
		fc.record({
			kind: fc.constant('managed' as const),
			hourBankMinutes: fc.integer({ min: 0, max: 6000 }),
			usedMinutes: fc.integer({ min: 0, max: 6000 })
		})
	);
	const inputArb = fc.record({
		contract: contractArb,
		report: fc.record({
			times: timesArb,
			travelMinutes: fc.integer({ min: 0, max: 120 }),
			parts: partsArb
		})
	});

	it('amounts are whole cents and add up', () => {
		fc.assert(
			fc.property(inputArb, (input: BillingInput) => {
				const item = billingAtClosure(input, R, NOW);
				for (const n of [
					item.subtotalCents,
					item.vatCents,
					item.totalCents,
					...item.lines.map((l) => l.amountCents)
				]) {
					expect(Number.isInteger(n) && n >= 0).toBe(true);
				}
				expect(item.subtotalCents).toBe(item.lines.reduce((s, l) => s + l.amountCents, 0));
				expect(item.totalCents).toBe(item.subtotalCents + item.vatCents);
				if (item.kind === 'included') expect(item.totalCents).toBe(0);
			})
		);
	});

	it('the bank moves by exactly the rounded time on site', () => {
		fc.assert(
			fc.property(inputArb, (input: BillingInput) => {
				const item = billingAtClosure(input, R, NOW);
				if (item.kind !== 'hour_bank') return;
				expect(item.deductedMinutes).toBe(roundUp(item.onSiteMinutes, R.roundingMinutes));
				expect(item.deductedMinutes % R.roundingMinutes).toBe(0);
				expect(item.deductedMinutes).toBeGreaterThanOrEqual(item.onSiteMinutes);
				expect(item.balanceAfterMinutes).toBe(item.balanceBeforeMinutes - item.deductedMinutes);
				const codes = item.warnings.map((w) => w.code);
				expect(codes.includes('negative_balance')).toBe(item.balanceAfterMinutes < 0);
			})
		);
	});

	it('more time on site never costs less', () => {
		fc.assert(
			fc.property(fc.integer({ min: 0, max: 600 }), fc.integer({ min: 0, max: 600 }), (a, b) => {
				const t = (m: number) => ({
					times: [
						{ start: new Date(base).toISOString(), end: new Date(base + m * minute).toISOString() }
					],
					parts: []
				});
				const [x, y] = a <= b ? [a, b] : [b, a];
				expect(bill(undefined, t(x)).totalCents).toBeLessThanOrEqual(
					bill(undefined, t(y)).totalCents
				);
			})
		);
	});
});
