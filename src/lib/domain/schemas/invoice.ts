/**
 * An invoice (issue #14, point 5): issued by the server from closed work's billing items, one
 * per intervention or grouped per client and month, numbered in one continuous sequence per
 * year (`invoice:2026-000001` is invoice n° F2026-000001: its id is its number, so the
 * database's one-writer rule on an id is what keeps numbers unique). Only the server writes
 * invoices (mayWrite refuses every user); billing and admin read them. Amounts in cents, VAT
 * by line at the rate of `config:billing_rates`.
 */
import * as v from 'valibot';
import { docBase, ref, required, requiredText, shortText, text, timestamp } from './common.ts';

const cents = v.pipe(v.number(), v.integer('must be a whole number of cents'));
const basisPoints = v.pipe(
	v.number(),
	v.integer('must be a whole number of basis points'),
	v.minValue(0, 'must not be negative'),
	v.maxValue(10_000, 'must be at most 10000 (100 %)')
);

/** `invoice:2026-000001`: the year and the sequence, padded to 6 digits. */
export const INVOICE_ID = /^invoice:(\d{4})-(\d{6})$/;
/** `F2026-000001`: what the invoice shows and the accountant files. */
export const INVOICE_NUMBER = /^F(\d{4})-(\d{6})$/;

export const INVOICE_LINE_KINDS = [
	'labour',
	'travel',
	'travel_time',
	'part',
	'included',
	'hour_bank'
] as const;
export const INVOICE_LINE_UNITS = ['minute', 'trip', 'piece', 'intervention'] as const;

export const InvoiceLineSchema = v.object({
	/** The billing item the line comes from. */
	billingId: ref('billing'),
	kind: v.picklist(INVOICE_LINE_KINDS),
	label: text,
	quantity: v.number(),
	unit: v.picklist(INVOICE_LINE_UNITS),
	unitPriceCents: cents,
	/** Excluding VAT. */
	amountCents: cents,
	vatRateBp: basisPoints,
	/** The amount was changed before issue: what it was, and why (kept on the invoice). */
	adjusted: v.optional(v.object({ fromCents: cents, reason: requiredText }))
});

/** The company's details as they were when the invoice was issued (from `config:company`). */
export const InvoiceCompanySchema = v.object({
	name: required,
	address: v.array(required),
	phone: v.optional(shortText),
	email: v.optional(shortText),
	siret: v.optional(shortText),
	vatNumber: v.optional(shortText),
	legalForm: v.optional(shortText),
	capital: v.optional(shortText),
	rcs: v.optional(shortText),
	paymentTermsDays: v.optional(v.pipe(v.number(), v.integer())),
	latePenalty: v.optional(text)
});

/** The client as billed: its name, for the PDF and the export even if it is renamed later. */
export const InvoiceClientSchema = v.object({
	name: required,
	address: v.optional(v.array(shortText))
});

export const InvoiceSchema = v.pipe(
	v.object({
		...docBase('invoice'),
		number: v.pipe(v.string(), v.regex(INVOICE_NUMBER, 'must be a number such as F2026-000001')),
		year: v.pipe(v.number(), v.integer(), v.minValue(2000), v.maxValue(2099)),
		seq: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(999_999)),
		clientId: ref('client'),
		client: v.optional(InvoiceClientSchema),
		billingIds: v.pipe(
			v.array(ref('billing')),
			v.minLength(1, 'must name at least one billing item'),
			v.check((list) => new Set(list).size === list.length, 'must not repeat an item')
		),
		ticketIds: v.array(ref('ticket')),
		/** `YYYY-MM`: the month a grouped invoice covers. */
		period: v.optional(
			v.pipe(v.string(), v.regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month such as 2026-03'))
		),
		lines: v.array(InvoiceLineSchema),
		subtotalCents: cents,
		vatCents: cents,
		totalCents: cents,
		currency: v.literal('EUR'),
		issuedAt: timestamp,
		issuedBy: required,
		/** When payment is due (issuedAt plus the company's payment terms), `YYYY-MM-DD`. */
		dueDate: v.optional(
			v.pipe(v.string(), v.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date such as 2026-03-14'))
		),
		company: InvoiceCompanySchema,
		paidAt: v.optional(timestamp),
		paidBy: v.optional(required)
	}),
	v.forward(
		v.partialCheck(
			[['_id'], ['year'], ['seq']],
			(d) => d._id === `invoice:${d.year}-${String(d.seq).padStart(6, '0')}`,
			'must be "invoice:<year>-<seq padded to 6>"'
		),
		['_id']
	),
	v.forward(
		v.partialCheck(
			[['number'], ['year'], ['seq']],
			(d) => d.number === `F${d.year}-${String(d.seq).padStart(6, '0')}`,
			'must be "F<year>-<seq padded to 6>"'
		),
		['number']
	),
	v.forward(
		v.partialCheck(
			[['lines'], ['subtotalCents'], ['vatCents'], ['totalCents']],
			(d) =>
				d.subtotalCents === d.lines.reduce((sum, l) => sum + l.amountCents, 0) &&
				d.totalCents === d.subtotalCents + d.vatCents,
			'must be the sum of the lines, plus VAT'
		),
		['totalCents']
	),
	v.forward(
		v.partialCheck(
			[['paidAt'], ['paidBy']],
			(d) => (d.paidAt === undefined) === (d.paidBy === undefined),
			'paidAt and paidBy go together'
		),
		['paidBy']
	)
);

export type InvoiceDoc = v.InferOutput<typeof InvoiceSchema>;
export type InvoiceLine = v.InferOutput<typeof InvoiceLineSchema>;
export type InvoiceCompany = v.InferOutput<typeof InvoiceCompanySchema>;
