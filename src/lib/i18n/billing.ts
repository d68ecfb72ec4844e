/**
 * The billing face's words for codes: the warnings a billing item carries (the domain writes
 * a code and an English message for logs; screens say the code in the UI language), a line's
 * quantity, a client's commercial standing, a month.
 */
import type { Standing } from '#lib/api/billing.ts';
import type { BillingLine, BillingWarningCode } from '#lib/domain/billing.ts';
import { hoursAndMinutes } from '#lib/domain/hour-bank.ts';
import type { Translate } from './labels.ts';
import type { MessageKey } from './messages.ts';

type DateTime = (iso: string, options?: Intl.DateTimeFormatOptions) => string;
type Money = (cents: number) => string;

/** Typed by the domain's codes: a code added without words is a type error. */
const WARNINGS: Readonly<Record<BillingWarningCode, MessageKey>> = {
	contract_expired: 'billing.warning.contract_expired',
	contract_not_started: 'billing.warning.contract_not_started',
	low_balance: 'billing.warning.low_balance',
	negative_balance: 'billing.warning.negative_balance',
	unpriced_part: 'billing.warning.unpriced_part',
	no_time_recorded: 'billing.warning.no_time_recorded'
};

export const BILLING_WARNING_CODES = Object.keys(WARNINGS) as BillingWarningCode[];

export function warningText(t: Translate, code: BillingWarningCode): string {
	return t(WARNINGS[code]);
}

/** "1 h 15" of labour, "1 déplacement(s)", "2 pièce(s)". */
export function quantityText(t: Translate, line: Pick<BillingLine, 'quantity' | 'unit'>): string {
	if (line.unit === 'minute') {
		const { hours, minutes } = hoursAndMinutes(line.quantity);
		return `${hours} h ${minutes}`;
	}
	return t(line.unit === 'trip' ? 'billing.qty.trip' : 'billing.qty.piece', { n: line.quantity });
}

/** "À jour", "1 234,00 € dus", "90,00 € dus, 1 facture(s) en retard", with the last payment. */
export function standingText(
	t: Translate,
	money: Money,
	dateTime: DateTime,
	standing: Pick<Standing, 'outstandingCents' | 'overdueCount' | 'lastPaidAt'>
): string {
	const owed =
		standing.outstandingCents <= 0 && standing.overdueCount === 0
			? t('standing.upToDate')
			: standing.overdueCount > 0
				? t('standing.dueLate', {
						amount: money(standing.outstandingCents),
						count: standing.overdueCount
					})
				: t('standing.due', { amount: money(standing.outstandingCents) });
	if (!standing.lastPaidAt) return owed;
	return `${owed} — ${t('standing.lastPaid', { date: dayText(dateTime, standing.lastPaidAt) })}`;
}

/** A day (`YYYY-MM-DD`) or an instant, as a long date in Paris. */
export function dayText(dateTime: DateTime, day: string): string {
	const iso = /^\d{4}-\d{2}-\d{2}$/.test(day) ? `${day}T12:00:00Z` : day;
	return dateTime(iso, { dateStyle: 'long' });
}

/** "mars 2026" of `2026-03`. */
export function monthText(dateTime: DateTime, month: string): string {
	return dateTime(`${month}-15T12:00:00Z`, { month: 'long', year: 'numeric' });
}
