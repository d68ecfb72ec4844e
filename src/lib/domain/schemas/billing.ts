/**
 * A billing item as stored: what `billingAtClosure` (../billing.ts) computes, plus the
 * documents it came from. Only the server writes these (mayWrite refuses every user).
 */
import * as v from 'valibot';
import { docBase, ref, required, text, timestamp } from './common.ts';

const cents = v.pipe(v.number(), v.integer('must be a whole number of cents'));
const wholeMinutes = v.pipe(v.number(), v.integer('must be a whole number of minutes'));
const CONTRACT = v.picklist(['none', 'maintenance', 'managed']);

const LineSchema = v.object({
	kind: v.picklist(['labour', 'travel', 'travel_time', 'part']),
	label: text,
	quantity: v.number(),
	unit: v.picklist(['minute', 'trip', 'piece']),
	unitPriceCents: cents,
	amountCents: cents,
	unpriced: v.optional(v.literal(true))
});

const WarningSchema = v.object({
	code: v.picklist([
		'contract_expired',
		'contract_not_started',
		'low_balance',
		'negative_balance',
		'unpriced_part',
		'no_time_recorded'
	]),
	message: text
});

const common = {
	...docBase('billing'),
	reportId: ref('report'),
	ticketId: ref('ticket'),
	clientId: ref('client'),
	appliedContract: CONTRACT,
	contractKind: CONTRACT,
	interventionDate: required,
	onSiteMinutes: wholeMinutes,
	travelMinutes: wholeMinutes,
	description: text,
	lines: v.array(LineSchema),
	subtotalCents: cents,
	vatCents: cents,
	totalCents: cents,
	currency: v.literal('EUR'),
	warnings: v.array(WarningSchema),
	computedAt: timestamp,
	/** The closure it bills (the ticket's closure instant); absent on items before the job. */
	closedAt: v.optional(timestamp),
	/**
	 * A correction of an earlier closure's items (a re-close that changed the amounts): its
	 * lines credit the earlier ones and bill the new, so the earlier items are never edited.
	 */
	corrects: v.optional(v.array(ref('billing')))
};

export const BillingSchema = v.variant('kind', [
	v.object({ ...common, kind: v.literal('billable'), billedMinutes: wholeMinutes }),
	v.object({ ...common, kind: v.literal('included') }),
	v.object({
		...common,
		kind: v.literal('hour_bank'),
		deductedMinutes: wholeMinutes,
		bankMinutes: wholeMinutes,
		balanceBeforeMinutes: wholeMinutes,
		balanceAfterMinutes: wholeMinutes,
		lowBalanceThresholdMinutes: wholeMinutes
	})
]);

export type BillingDoc = v.InferOutput<typeof BillingSchema>;
