// Billing at ticket closure (seed 000, F9): from the intervention report and the
// client's contract, the item the commercial service receives. "Même s'il n'y a rien
// à payer" the client gets a document describing the work, so every contract kind
// yields an item: billable (no contract), included (maintenance) or hour-bank
// deduction (managed services). Money is integer cents; nothing here rounds twice.
import * as v from 'valibot';
import { tzOffset } from '@date-fns/tz';
import { toMs } from './business-hours.ts';
import type { Instant } from './business-hours.ts';

const Cents = (what: string) =>
	v.pipe(
		v.number(`${what} must be an amount in cents`),
		v.integer(`${what} must be a whole number of cents`),
		v.minValue(0, `${what} cannot be negative`)
	);
const Minutes = (what: string) =>
	v.pipe(
		v.number(`${what} must be a number of minutes`),
		v.integer(`${what} must be whole minutes`),
		v.minValue(0, `${what} cannot be negative`)
	);

export const BillingRatesSchema = v.object({
	/** Labour, excluding VAT: 75 € / h. */
	hourlyRateCents: v.optional(Cents('The hourly rate'), 7500),
	/** Flat travel fee ("forfait déplacement") per intervention with travel: 45 €. */
	travelFeeCents: v.optional(Cents('The travel fee'), 4500),
	/** Optional travel time billed per hour on top of the flat fee; 0 = flat fee only. */
	travelHourlyRateCents: v.optional(Cents('The travel hourly rate'), 0),
	/** Time on site is rounded up to this step (quarter hour), for billing and hour banks. */
	roundingMinutes: v.optional(
		v.pipe(
			Minutes('The rounding step'),
			v.minValue(1, 'The rounding step must be at least 1 minute')
		),
		15
	),
	/** Minimum labour billed for an out-of-contract intervention ("1 h minimum"). */
	minimumBilledMinutes: v.optional(Minutes('The minimum billed time'), 60),
	/** VAT in basis points: 2000 = 20 % (French standard rate). */
	vatRateBasisPoints: v.optional(
		v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(10_000)),
		2000
	),
	/** Hour-bank warning threshold as a share of the bank (10 %)… */
	lowBankRatio: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1)), 0.1),
	/** …or as a fixed number of minutes, which wins when set. */
	lowBankMinutes: v.optional(Minutes('The low-balance threshold')),
	/** Zone in which contract dates (YYYY-MM-DD) are read. */
	timeZone: v.optional(v.string(), 'Europe/Paris'),
	/**
	 * The parts price list, excluding VAT: a report's part is priced by its reference, else by
	 * its label; a part not listed is billed 0 with the `unpriced_part` warning.
	 */
	partPrices: v.optional(
		v.array(
			v.object({
				label: v.pipe(v.string(), v.minLength(1, 'A part needs a label')),
				ref: v.optional(v.string()),
				unitPriceCents: Cents('A part price')
			})
		),
		[]
	)
});

export type BillingRates = v.InferOutput<typeof BillingRatesSchema>;
export const DEFAULT_BILLING_RATES: BillingRates = v.parse(BillingRatesSchema, {});

export type ContractKind = 'none' | 'maintenance' | 'managed';

export interface BillingContract {
	kind: ContractKind;
	/** First and last day of validity: `YYYY-MM-DD` (inclusive, local) or ISO instants. */
	start?: string | undefined;
	end?: string | undefined;
	/** Managed services: size of the hour bank and what was already used, in minutes. */
	hourBankMinutes?: number | undefined;
	usedMinutes?: number | undefined;
	/** Contract-specific low-balance threshold, winning over the rates. */
	lowBalanceMinutes?: number | undefined;
	/** Parts are covered by the contract unless it says otherwise (then they are billed). */
	partsIncluded?: boolean | undefined;
}

export interface BillingPart {
	label: string;
	qty: number;
	unitPriceCents?: number | undefined;
}

export interface BillingReportInput {
	times: ReadonlyArray<{ start: string; end: string }>;
	travelMinutes?: number | undefined;
	parts?: readonly BillingPart[] | undefined;
	/** What was done, copied into the item so it describes the work. */
	summary?: string | undefined;
}

export interface BillingInput {
	contract?: BillingContract | null | undefined;
	report: BillingReportInput;
}

export interface BillingLine {
	kind: 'labour' | 'travel' | 'travel_time' | 'part';
	label: string;
	quantity: number;
	unit: 'minute' | 'trip' | 'piece';
	unitPriceCents: number;
	amountCents: number;
	/** A part without a price: billed 0 until the commercial service prices it. */
	unpriced?: true | undefined;
}

export type BillingWarningCode =
	| 'contract_expired'
	| 'contract_not_started'
	| 'low_balance'
	| 'negative_balance'
	| 'unpriced_part'
	| 'no_time_recorded';

export interface BillingWarning {
	code: BillingWarningCode;
	message: string;
}

interface ItemBase {
	/** The contract kind actually applied (an invalid contract applies as 'none'). */
	appliedContract: ContractKind;
	/** The kind written on the client's contract. */
	contractKind: ContractKind;
	interventionDate: string;
	/** Time on site, overlapping intervals counted once. */
	onSiteMinutes: number;
	travelMinutes: number;
	description: string;
	lines: BillingLine[];
	subtotalCents: number;
	vatCents: number;
	totalCents: number;
	currency: 'EUR';
	warnings: BillingWarning[];
	computedAt: string;
}

export type BillingItem =
	| (ItemBase & { kind: 'billable'; billedMinutes: number })
	| (ItemBase & { kind: 'included' })
	| (ItemBase & {
			kind: 'hour_bank';
			deductedMinutes: number;
			bankMinutes: number;
			balanceBeforeMinutes: number;
			balanceAfterMinutes: number;
			lowBalanceThresholdMinutes: number;
	  });

const MS_PER_MIN = 60_000;

/** Total minutes covered by the intervals, overlaps counted once. */
export function onSiteMinutes(times: BillingReportInput['times']): number {
	const spans = times
		.map((t) => [toMs(t.start), toMs(t.end)] as const)
		.filter(([s, e]) => e > s)
		.sort((a, b) => a[0] - b[0]);
	let total = 0;
	let cursor = -Infinity;
	for (const [s, e] of spans) {
		const from = Math.max(s, cursor);
		if (e > from) total += e - from;
		cursor = Math.max(cursor, e);
	}
	return Math.round(total / MS_PER_MIN);
}

export function roundUp(minutes: number, step: number): number {
	return Math.ceil(minutes / step) * step;
}

/** Half-up rounding of rate × minutes / 60 without leaving integers until the end. */
function labourCents(rateCents: number, minutes: number): number {
	return Math.round((rateCents * minutes) / 60);
}

function localDate(ms: number, timeZone: string): string {
	const off = tzOffset(timeZone, new Date(ms));
	return new Date(ms + (Number.isNaN(off) ? 0 : off) * MS_PER_MIN).toISOString().slice(0, 10);
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** Where the intervention falls relative to the contract's validity. Dates are
 * inclusive local days, so a contract ending 2025-12-31 covers that whole day. */
function validity(
	contract: BillingContract,
	at: number,
	timeZone: string
): 'valid' | 'expired' | 'not_started' {
	const day = localDate(at, timeZone);
	const before = (bound: string) => (DATE_ONLY.test(bound) ? day < bound : at < toMs(bound));
	const after = (bound: string) => (DATE_ONLY.test(bound) ? day > bound : at > toMs(bound));
	if (contract.start !== undefined && before(contract.start)) return 'not_started';
	if (contract.end !== undefined && after(contract.end)) return 'expired';
	return 'valid';
}

function formatDuration(minutes: number): string {
	const h = Math.floor(Math.abs(minutes) / 60);
	const m = Math.abs(minutes) % 60;
	return `${minutes < 0 ? '-' : ''}${h} h ${String(m).padStart(2, '0')}`;
}

function partLines(
	parts: readonly BillingPart[],
	billed: boolean,
	warnings: BillingWarning[]
): BillingLine[] {
	return parts.map((p) => {
		const unitPriceCents = billed ? (p.unitPriceCents ?? 0) : 0;
		const unpriced = billed && p.unitPriceCents === undefined;
		if (unpriced)
			warnings.push({ code: 'unpriced_part', message: `The part "${p.label}" has no price` });
		return {
			kind: 'part',
			label: p.label,
			quantity: p.qty,
			unit: 'piece',
			unitPriceCents,
			amountCents: Math.round(p.qty * unitPriceCents),
			...(unpriced ? { unpriced: true as const } : {})
		};
	});
}

/**
 * The billing item of a closed intervention.
 *
 * - No contract, or a maintenance / managed contract not valid on the intervention
 *   date (expired or not yet started): billed as out of contract, with a warning, since
 *   the commercial service must then decide (renewal, goodwill) — silently covering an
 *   expired contract would lose revenue, silently billing would surprise the client.
 * - Maintenance: an 'included' item, amount 0, describing the work and the parts.
 * - Managed services: on-site time, rounded up to `roundingMinutes`, is deducted from
 *   the hour bank. Travel is not deducted (the bank buys time on site, seed 000 F9:
 *   "mise à jour de la durée globale d'intervention sur site"). A negative balance is
 *   reported, not billed: overdraft terms are for the commercial service.
 */
export function billingAtClosure(
	input: BillingInput,
	rates: BillingRates,
	now: Instant
): BillingItem {
	const nowMs = toMs(now);
	const { report } = input;
	const contract: BillingContract = input.contract ?? { kind: 'none' };
	const warnings: BillingWarning[] = [];
	const firstStart = report.times.reduce((min, t) => Math.min(min, toMs(t.start)), Infinity);
	const at = Number.isFinite(firstStart) ? firstStart : nowMs;
	const onSite = onSiteMinutes(report.times);
	const travelMinutes = report.travelMinutes ?? 0;
	if (onSite === 0)
		warnings.push({ code: 'no_time_recorded', message: 'The report records no time on site' });

	let applied = contract.kind;
	if (applied !== 'none') {
		const state = validity(contract, at, rates.timeZone);
		if (state !== 'valid') {
			applied = 'none';
			warnings.push(
				state === 'expired'
					? {
							code: 'contract_expired',
							message:
								'The contract had expired on the intervention date: billed as out of contract'
						}
					: {
							code: 'contract_not_started',
							message:
								'The contract had not started on the intervention date: billed as out of contract'
						}
			);
		}
	}

	const rounded = roundUp(onSite, rates.roundingMinutes);
	const partsBilled = applied === 'none' || contract.partsIncluded === false;
	const lines: BillingLine[] = [];
	let billedMinutes = 0;
	if (applied === 'none') {
		billedMinutes = onSite === 0 ? 0 : Math.max(rounded, rates.minimumBilledMinutes);
		lines.push({
			kind: 'labour',
			label: 'Main-d’œuvre sur site',
			quantity: billedMinutes,
			unit: 'minute',
			unitPriceCents: rates.hourlyRateCents,
			amountCents: labourCents(rates.hourlyRateCents, billedMinutes)
		});
		if (travelMinutes > 0) {
			lines.push({
				kind: 'travel',
				label: 'Forfait déplacement',
				quantity: 1,
				unit: 'trip',
				unitPriceCents: rates.travelFeeCents,
				amountCents: rates.travelFeeCents
			});
			if (rates.travelHourlyRateCents > 0) {
				lines.push({
					kind: 'travel_time',
					label: 'Temps de trajet',
					quantity: travelMinutes,
					unit: 'minute',
					unitPriceCents: rates.travelHourlyRateCents,
					amountCents: labourCents(rates.travelHourlyRateCents, travelMinutes)
				});
			}
		}
	}
	lines.push(...partLines(report.parts ?? [], partsBilled, warnings));

	const subtotalCents = lines.reduce((sum, l) => sum + l.amountCents, 0);
	const vatCents = Math.round((subtotalCents * rates.vatRateBasisPoints) / 10_000);
	const base = {
		appliedContract: applied,
		contractKind: contract.kind,
		interventionDate: localDate(at, rates.timeZone),
		onSiteMinutes: onSite,
		travelMinutes,
		description: report.summary ?? '',
		lines,
		subtotalCents,
		vatCents,
		totalCents: subtotalCents + vatCents,
		currency: 'EUR' as const,
		warnings,
		computedAt: new Date(nowMs).toISOString()
	};

	if (applied === 'none') return { ...base, kind: 'billable', billedMinutes };
	if (applied === 'maintenance') return { ...base, kind: 'included' };

	const bankMinutes = contract.hourBankMinutes ?? 0;
	const balanceBeforeMinutes = bankMinutes - (contract.usedMinutes ?? 0);
	const balanceAfterMinutes = balanceBeforeMinutes - rounded;
	const threshold =
		contract.lowBalanceMinutes ??
		rates.lowBankMinutes ??
		Math.round(bankMinutes * rates.lowBankRatio);
	if (balanceAfterMinutes < 0) {
		warnings.push({
			code: 'negative_balance',
			message: `The hour bank is overdrawn by ${formatDuration(-balanceAfterMinutes)}`
		});
	} else if (balanceAfterMinutes < threshold) {
		warnings.push({
			code: 'low_balance',
			message: `Only ${formatDuration(balanceAfterMinutes)} left in the hour bank`
		});
	}
	return {
		...base,
		kind: 'hour_bank',
		deductedMinutes: rounded,
		bankMinutes,
		balanceBeforeMinutes,
		balanceAfterMinutes,
		lowBalanceThresholdMinutes: threshold
	};
}
