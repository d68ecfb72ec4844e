/**
 * Invoices from billing items (issue #14, point 5), as pure functions: the lines (each billing
 * item's, then for a zero item the line that says why nothing is due), adjustments made before
 * issue (a new amount and its reason, the old amount kept), VAT by line, totals, the grouped
 * invoice's month, the due date, numbering, a client's standing, an hour-bank statement and the
 * accounting export's rows. The server issues and numbers (server/billing/); no I/O here.
 */
import { localDay } from './business-hours.ts';
import { toMillis, type Instant } from './ids.ts';
import { err, ok, type Result } from './result.ts';
import type { BillingDoc } from './schemas/billing.ts';
import type { ClientDoc } from './schemas/client.ts';
import type { HourBankDoc } from './schemas/hourbank.ts';
import type { InvoiceDoc, InvoiceLine } from './schemas/invoice.ts';
import { INVOICE_ID } from './schemas/invoice.ts';

/** The French standard VAT rate, in basis points (20 %). */
export const DEFAULT_VAT_RATE_BP = 2000;
/** Days an invoice is due after issue when the company says nothing (config:company). */
export const DEFAULT_PAYMENT_TERMS_DAYS = 30;
/** The mention the law requires on an invoice (Code de commerce, L441-10 and D441-5). */
export const DEFAULT_LATE_PENALTY =
	'En cas de retard de paiement, pénalités au taux de trois fois le taux d’intérêt légal et indemnité forfaitaire pour frais de recouvrement de 40 €. Pas d’escompte pour paiement anticipé.';
/** Shortest reason an adjustment may give. */
export const MIN_REASON_LENGTH = 3;
export const SEQ_DIGITS = 6;

const pad = (seq: number) => String(seq).padStart(SEQ_DIGITS, '0');

export function invoiceIdOf(year: number, seq: number): string {
	return `invoice:${year}-${pad(seq)}`;
}

export function invoiceNumberOf(year: number, seq: number): string {
	return `F${year}-${pad(seq)}`;
}

/** The year and sequence an invoice id names, or null for anything else. */
export function parseInvoiceId(id: string): { year: number; seq: number } | null {
	const m = INVOICE_ID.exec(id);
	if (!m) return null;
	const seq = Number(m[2]);
	return seq >= 1 ? { year: Number(m[1]), seq } : null;
}

/** The invoicing year of an instant: the calendar year in Paris (31 Dec 23:30 UTC is next year's). */
export function invoiceYear(at: Instant): number {
	return Number(localDay(at).slice(0, 4));
}

/** A change of one line's amount before issue. `lineIndex` counts the item's lines on the invoice. */
export interface Adjustment {
	readonly billingId: string;
	readonly lineIndex: number;
	readonly amountCents: number;
	readonly reason: string;
}

/** The words of the lines the invoice adds for zero items (French: the invoice is French). */
export interface ZeroLineWords {
	readonly included: string;
	readonly hourBank: string;
}

export type LinesProblem =
	| { code: 'unknown_line'; billingId: string; lineIndex: number }
	| { code: 'adjustment_reason'; billingId: string; lineIndex: number }
	| { code: 'adjustment_twice'; billingId: string; lineIndex: number };

/**
 * The lines an item contributes: its own (labour, travel, parts), then, for an item with
 * nothing to pay because of the contract, a zero line that says so: "included in the
 * maintenance contract", or the minutes taken from the hour bank. An item with no line at all
 * still gets one (an invoice is sent even when nothing is due, seed 000).
 */
export function itemLines(
	item: BillingDoc,
	vatRateBp: number,
	words: ZeroLineWords
): InvoiceLine[] {
	const own: InvoiceLine[] = item.lines.map((l) => ({
		billingId: item._id,
		kind: l.kind,
		label: l.label,
		quantity: l.quantity,
		unit: l.unit,
		unitPriceCents: l.unitPriceCents,
		amountCents: l.amountCents,
		vatRateBp
	}));
	const zero = (kind: 'included' | 'hour_bank', label: string, minutes: number): InvoiceLine => ({
		billingId: item._id,
		kind,
		label,
		quantity: minutes,
		unit: 'minute',
		unitPriceCents: 0,
		amountCents: 0,
		vatRateBp
	});
	if (item.kind === 'included') own.push(zero('included', words.included, item.onSiteMinutes));
	else if (item.kind === 'hour_bank')
		own.push(zero('hour_bank', words.hourBank, item.deductedMinutes));
	else if (own.length === 0) own.push(zero('included', words.included, item.onSiteMinutes));
	return own;
}

/** The invoice's lines, the items' in the order given, with the adjustments applied. */
export function invoiceLines(
	items: readonly BillingDoc[],
	adjustments: readonly Adjustment[],
	vatRateBp: number,
	words: ZeroLineWords
): Result<InvoiceLine[], LinesProblem> {
	const byItem = new Map(items.map((i) => [i._id, itemLines(i, vatRateBp, words)]));
	const seen = new Set<string>();
	for (const a of adjustments) {
		const lines = byItem.get(a.billingId);
		const line = lines?.[a.lineIndex];
		const at = { billingId: a.billingId, lineIndex: a.lineIndex };
		if (!lines || !line) return err({ code: 'unknown_line', ...at });
		if (a.reason.trim().length < MIN_REASON_LENGTH)
			return err({ code: 'adjustment_reason', ...at });
		const key = `${a.billingId}#${a.lineIndex}`;
		if (seen.has(key)) return err({ code: 'adjustment_twice', ...at });
		seen.add(key);
		lines[a.lineIndex] = {
			...line,
			amountCents: a.amountCents,
			adjusted: { fromCents: line.amountCents, reason: a.reason.trim() }
		};
	}
	return ok(items.flatMap((i) => byItem.get(i._id) ?? []));
}

/** VAT of one line, rounded to the cent. */
export function lineVat(line: Pick<InvoiceLine, 'amountCents' | 'vatRateBp'>): number {
	return Math.round((line.amountCents * line.vatRateBp) / 10_000);
}

export function invoiceTotals(lines: readonly InvoiceLine[]): {
	subtotalCents: number;
	vatCents: number;
	totalCents: number;
} {
	const subtotalCents = lines.reduce((sum, l) => sum + l.amountCents, 0);
	const vatCents = lines.reduce((sum, l) => sum + lineVat(l), 0);
	return { subtotalCents, vatCents, totalCents: subtotalCents + vatCents };
}

/** The month a grouped invoice covers: set when it has several items, all of one month. */
export function periodOf(
	items: readonly Pick<BillingDoc, 'interventionDate'>[]
): string | undefined {
	if (items.length < 2) return undefined;
	const months = new Set(items.map((i) => i.interventionDate.slice(0, 7)));
	return months.size === 1 ? [...months][0] : undefined;
}

/** `YYYY-MM-DD`, `days` calendar days after the Paris day of `issuedAt`. */
export function dueDateOf(issuedAt: Instant, days: number): string {
	const day = localDay(issuedAt);
	const ms = Date.UTC(
		Number(day.slice(0, 4)),
		Number(day.slice(5, 7)) - 1,
		Number(day.slice(8, 10))
	);
	return new Date(ms + days * 86_400_000).toISOString().slice(0, 10);
}

/** Where a client stands with its invoices. */
export interface Standing {
	readonly clientId: string;
	/** Unpaid, VAT included. */
	readonly outstandingCents: number;
	/** Unpaid invoices with something to pay, past their due date. */
	readonly overdueCount: number;
	/** The latest payment, or null. */
	readonly lastPaidAt: string | null;
	/** Invoices of the client counted. */
	readonly invoices: number;
}

type StandingInvoice = Pick<
	InvoiceDoc,
	'_id' | 'clientId' | 'totalCents' | 'paidAt' | 'dueDate' | 'issuedAt'
>;

/** The client's standing from its invoices (others are ignored), at `now`. */
export function standingOf(
	clientId: string,
	invoices: readonly StandingInvoice[],
	now: Instant,
	termsDays = DEFAULT_PAYMENT_TERMS_DAYS
): Standing {
	const today = localDay(now);
	let outstandingCents = 0;
	let overdueCount = 0;
	let lastPaidAt: string | null = null;
	let count = 0;
	for (const inv of invoices) {
		if (inv.clientId !== clientId) continue;
		count++;
		if (inv.paidAt !== undefined) {
			if (lastPaidAt === null || toMillis(inv.paidAt) > toMillis(lastPaidAt))
				lastPaidAt = inv.paidAt;
			continue;
		}
		outstandingCents += inv.totalCents;
		const due = inv.dueDate ?? dueDateOf(inv.issuedAt, termsDays);
		if (inv.totalCents > 0 && due < today) overdueCount++;
	}
	return { clientId, outstandingCents, overdueCount, lastPaidAt, invoices: count };
}

/**
 * The invoices as they stand once `written` is stored: the list read, with the written
 * document in place of the copy read (or added when the read missed it). On a CouchDB cluster a
 * read right after a write may answer from a copy that does not hold it yet.
 */
export function withWritten<T extends { _id: string }>(read: readonly T[], written: T): T[] {
	return [...read.filter((d) => d._id !== written._id), written];
}

/** What a payment does to the client's commercial status: a suspended client with nothing left due is active again. */
export function statusAfterPayment(
	client: Pick<ClientDoc, 'commercialStatus'>,
	standing: Pick<Standing, 'outstandingCents'>
): ClientDoc['commercialStatus'] {
	return client.commercialStatus === 'suspended' && standing.outstandingCents <= 0
		? 'active'
		: client.commercialStatus;
}

/** One movement of a statement, with the balance after it. */
export interface StatementRow {
	readonly move: HourBankDoc;
	readonly day: string;
	readonly balanceAfterMinutes: number;
}

export interface HourBankStatement {
	readonly clientId: string;
	readonly from: string;
	readonly to: string;
	readonly bankMinutes: number;
	readonly balanceBeforeMinutes: number;
	readonly balanceAfterMinutes: number;
	readonly rows: readonly StatementRow[];
}

/**
 * The client's hour bank from `from` to `to` (Paris days, both included): the balance before
 * (the bank, less what was used before Terrain, plus every movement before `from`), each
 * movement of the period in closing order with the balance after it, and the balance after.
 * Null when the client has no managed-services contract.
 */
export function hourBankStatement(
	client: Pick<ClientDoc, '_id' | 'contract'>,
	movements: readonly HourBankDoc[],
	from: string,
	to: string
): HourBankStatement | null {
	const c = client.contract;
	if (c.kind !== 'managed' || c.hourBank === undefined) return null;
	const bankMinutes = Math.round(c.hourBank * 60);
	let balance = bankMinutes - Math.round((c.hoursUsed ?? 0) * 60);
	const own = movements
		.filter((m) => m.clientId === client._id && m._id.startsWith('hourbank:'))
		.map((m) => ({ move: m, day: localDay(m.closedAt) }))
		.sort(
			(a, b) =>
				a.move.closedAt.localeCompare(b.move.closedAt) || a.move._id.localeCompare(b.move._id)
		);
	const before = own.filter((m) => m.day < from);
	for (const { move } of before) balance += move.minutes;
	const balanceBeforeMinutes = balance;
	const rows: StatementRow[] = [];
	for (const { move, day } of own) {
		if (day < from || day > to) continue;
		balance += move.minutes;
		rows.push({ move, day, balanceAfterMinutes: balance });
	}
	const balanceAfterMinutes = balance;
	return {
		clientId: client._id,
		from,
		to,
		bankMinutes,
		balanceBeforeMinutes,
		balanceAfterMinutes,
		rows
	};
}

/** One CSV field: quoted when it holds the separator, a quote or a line break. */
export function csvField(value: string | number | null | undefined): string {
	const text = value === null || value === undefined ? '' : String(value);
	return /[;"\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** `;`-separated lines with CRLF and a BOM, as French spreadsheets and accounting software read them. */
export function csvText(
	rows: readonly (readonly (string | number | null | undefined)[])[]
): string {
	return `\ufeff${rows.map((r) => r.map(csvField).join(';')).join('\r\n')}\r\n`;
}

/** Cents as French accounting writes them: `1234,56` (no thousands separator). */
export function csvAmount(cents: number): string {
	const sign = cents < 0 ? '-' : '';
	const abs = Math.abs(cents);
	return `${sign}${Math.floor(abs / 100)},${String(abs % 100).padStart(2, '0')}`;
}
