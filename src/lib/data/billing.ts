/**
 * The billing face's data, read from the device's database: the billing items the server wrote
 * at closures (`billing:`), the reports and tickets they come from, the clients, the hour-bank
 * movements and the invoices issued (`invoice:`, synced once issued). What is still to bill is
 * every item no invoice names. Lines may be changed before issue; a changed amount needs a
 * reason, which the invoice keeps on the line (`adjusted`).
 */
import type { Adjustment, Invoice } from '../api/billing.ts';
import { localDay } from '../domain/business-hours.ts';
import { hourBankBalance, type HourBankBalance } from '../domain/hour-bank.ts';
import type { BillingDoc, ClientDoc, HourBankDoc, ReportDoc, TicketDoc } from '../domain/schemas.ts';
import { readAll, readDoc } from './docs.ts';
import type { LocalDb } from './local-db.ts';
import { givenNumbers, numbered } from './tickets.ts';

/** VAT when no rates referential is on the device: the French standard rate, 20 %. */
const DEFAULT_VAT_BP = 2000;

export interface BillingData {
	readonly items: readonly BillingDoc[];
	readonly reports: ReadonlyMap<string, ReportDoc>;
	/** With the numbers the server gave (display only). */
	readonly tickets: ReadonlyMap<string, TicketDoc>;
	readonly clients: ReadonlyMap<string, ClientDoc>;
	readonly movements: readonly HourBankDoc[];
	readonly invoices: readonly Invoice[];
	/** The configured VAT rate, in basis points (2000 = 20 %). */
	readonly vatRateBp: number;
}

export async function billingData(db: LocalDb): Promise<BillingData> {
	const [items, reports, tickets, numbers, clients, movements, invoices, rates] =
		await Promise.all([
			readAll(db, 'billing'),
			readAll(db, 'report'),
			readAll(db, 'ticket'),
			givenNumbers(db),
			readAll(db, 'client'),
			readAll(db, 'hourbank'),
			readAll(db, 'invoice'),
			readDoc(db, 'config', 'config:billing_rates').catch(() => null)
		]);
	return {
		items,
		reports: new Map(reports.map((r) => [r._id, r])),
		tickets: new Map(tickets.map((t) => [t._id, numbered(t, numbers)])),
		clients: new Map(clients.map((c) => [c._id, c])),
		movements,
		invoices,
		vatRateBp:
			rates?.kind === 'billing_rates' ? rates.rates.vatRateBasisPoints : DEFAULT_VAT_BP
	};
}

/** The billing items already on an invoice. */
export function invoicedIds(invoices: readonly Pick<Invoice, 'billingIds'>[]): Set<string> {
	return new Set(invoices.flatMap((i) => i.billingIds));
}

export interface QueueRow {
	readonly item: BillingDoc;
	readonly clientId: string;
	readonly clientName: string;
	readonly ticketNumber: number | null;
	readonly ticketTitle: string;
	/** The intervention's day, `YYYY-MM-DD` (Paris). */
	readonly date: string;
	/** When the closure it bills happened; the computation instant for older items. */
	readonly closedAt: string;
	/** The contract applied (an expired contract is billed as none). */
	readonly contract: BillingDoc['appliedContract'];
	readonly totalCents: number;
}

/**
 * The closed interventions still to bill (items no invoice names), newest closure first; only
 * the client's when `clientId` is given.
 */
export function billingQueue(data: BillingData, clientId?: string): QueueRow[] {
	const done = invoicedIds(data.invoices);
	return data.items
		.filter((item) => !done.has(item._id) && (!clientId || item.clientId === clientId))
		.map((item) => {
			const ticket = data.tickets.get(item.ticketId);
			return {
				item,
				clientId: item.clientId,
				clientName: data.clients.get(item.clientId)?.name ?? '',
				ticketNumber: ticket?.number ?? null,
				ticketTitle: ticket?.title ?? item.description,
				date: item.interventionDate,
				closedAt: item.closedAt ?? item.computedAt,
				contract: item.appliedContract,
				totalCents: item.totalCents
			};
		})
		.sort((a, b) =>
			a.closedAt === b.closedAt
				? a.item._id < b.item._id
					? 1
					: -1
				: a.closedAt < b.closedAt
					? 1
					: -1
		);
}

/** The clients with something to bill, by name, for the queue's filter. */
export function queueClients(rows: readonly QueueRow[]): { id: string; name: string }[] {
	const byId = new Map(rows.map((r) => [r.clientId, r.clientName || r.clientId]));
	return [...byId]
		.map(([id, name]) => ({ id, name }))
		.sort((a, b) => a.name.localeCompare(b.name, 'fr'));
}

export interface MonthGroup {
	readonly clientId: string;
	readonly clientName: string;
	/** `YYYY-MM`, of the interventions' days. */
	readonly month: string;
	/** Oldest first, as the invoice lists them. */
	readonly billingIds: readonly string[];
	readonly totalCents: number;
}

/**
 * A client's items of one month, for one invoice per client and month; newest month first,
 * then by client name.
 */
export function groupByClientMonth(rows: readonly QueueRow[]): MonthGroup[] {
	const groups = new Map<string, { rows: QueueRow[] }>();
	for (const row of rows) {
		const key = `${row.clientId}\u0000${row.date.slice(0, 7)}`;
		const group = groups.get(key) ?? { rows: [] };
		group.rows.push(row);
		groups.set(key, group);
	}
	return [...groups.values()]
		.map(({ rows: list }) => {
			const first = list[0] as QueueRow;
			const ordered = [...list].sort((a, b) =>
				a.closedAt === b.closedAt ? 0 : a.closedAt < b.closedAt ? -1 : 1
			);
			return {
				clientId: first.clientId,
				clientName: first.clientName,
				month: first.date.slice(0, 7),
				billingIds: ordered.map((r) => r.item._id),
				totalCents: list.reduce((sum, r) => sum + r.totalCents, 0)
			};
		})
		.sort((a, b) =>
			a.month === b.month
				? a.clientName.localeCompare(b.clientName, 'fr')
				: a.month < b.month
					? 1
					: -1
		);
}

/**
 * An amount typed the French way or the English way: "12,50", "12.50", "1 234,5 €", "-3".
 * @returns cents, or null when it is not an amount (two decimals at most).
 */
export function parseEuros(text: string): number | null {
	const clean = text.replace(/[\s\u00a0\u202f€]/g, '').replace(',', '.');
	const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(clean);
	if (!m) return null;
	const whole = Number(m[2]);
	const frac = Number((m[3] ?? '').padEnd(2, '0'));
	const value = whole * 100 + frac;
	if (!Number.isSafeInteger(value)) return null;
	return m[1] === '-' && value !== 0 ? -value : value;
}

/** The amount as typed in a field: "12,50" (no symbol, no grouping). */
export function eurosText(amountCents: number): string {
	const sign = amountCents < 0 ? '-' : '';
	const abs = Math.abs(amountCents);
	return `${sign}${Math.floor(abs / 100)},${String(abs % 100).padStart(2, '0')}`;
}

/** A line being changed before issue: the amount as typed and the reason. */
export interface LineEdit {
	readonly billingId: string;
	readonly lineIndex: number;
	readonly amountText: string;
	readonly reason: string;
}

export type EditProblem = 'invalid_amount' | 'negative_amount' | 'reason_required' | 'no_line';

export interface EditCheck {
	readonly billingId: string;
	readonly lineIndex: number;
	readonly problem: EditProblem;
}

const lineOf = (items: readonly BillingDoc[], e: Pick<LineEdit, 'billingId' | 'lineIndex'>) =>
	items.find((i) => i._id === e.billingId)?.lines[e.lineIndex];

/** Replaces the edit of the same line, or adds it. */
export function withEdit(edits: readonly LineEdit[], edit: LineEdit): LineEdit[] {
	const rest = edits.filter((e) => e.billingId !== edit.billingId || e.lineIndex !== edit.lineIndex);
	return [...rest, edit];
}

/**
 * What stops the edits from being issued: an amount that is not one, a negative amount (a
 * correction is a credit, never an edit), a changed amount without a reason, a line that does
 * not exist. An edit that leaves the amount as computed needs no reason and is not sent.
 */
export function editProblems(items: readonly BillingDoc[], edits: readonly LineEdit[]): EditCheck[] {
	const problems: EditCheck[] = [];
	for (const e of edits) {
		const line = lineOf(items, e);
		const at = { billingId: e.billingId, lineIndex: e.lineIndex };
		if (!line) {
			problems.push({ ...at, problem: 'no_line' });
			continue;
		}
		const amount = parseEuros(e.amountText);
		if (amount === null) problems.push({ ...at, problem: 'invalid_amount' });
		else if (amount < 0) problems.push({ ...at, problem: 'negative_amount' });
		else if (amount !== line.amountCents && e.reason.trim() === '')
			problems.push({ ...at, problem: 'reason_required' });
	}
	return problems;
}

/**
 * The adjustments to send with the invoice: the lines whose amount changed, with their reason.
 * Only meaningful once `editProblems` is empty.
 */
export function adjustmentsOf(items: readonly BillingDoc[], edits: readonly LineEdit[]): Adjustment[] {
	const out: Adjustment[] = [];
	for (const e of edits) {
		const line = lineOf(items, e);
		const amountCents = parseEuros(e.amountText);
		if (!line || amountCents === null || amountCents === line.amountCents) continue;
		out.push({
			billingId: e.billingId,
			lineIndex: e.lineIndex,
			amountCents,
			reason: e.reason.trim()
		});
	}
	return out.sort((a, b) =>
		a.billingId === b.billingId ? a.lineIndex - b.lineIndex : a.billingId < b.billingId ? -1 : 1
	);
}

export interface Totals {
	readonly subtotalCents: number;
	readonly vatCents: number;
	readonly totalCents: number;
}

/**
 * The totals the invoice will show with the valid edits applied, VAT line by line at the
 * configured rate (the server computes the invoice's own; this is the preview).
 */
export function previewTotals(
	items: readonly BillingDoc[],
	edits: readonly LineEdit[],
	vatRateBp: number
): Totals {
	let subtotalCents = 0;
	let vatCents = 0;
	for (const item of items)
		item.lines.forEach((line, lineIndex) => {
			const edit = edits.find((e) => e.billingId === item._id && e.lineIndex === lineIndex);
			const typed = edit ? parseEuros(edit.amountText) : null;
			const amount = typed !== null && typed >= 0 ? typed : line.amountCents;
			subtotalCents += amount;
			vatCents += Math.round((amount * vatRateBp) / 10_000);
		});
	return { subtotalCents, vatCents, totalCents: subtotalCents + vatCents };
}

/** The client's hour bank from its movements; null without a managed-services contract. */
export function bankOf(data: BillingData, clientId: string): HourBankBalance | null {
	const client = data.clients.get(clientId);
	return client ? hourBankBalance(client, data.movements) : null;
}

export interface InvoiceRow {
	readonly invoice: Invoice;
	readonly clientName: string;
	readonly paid: boolean;
}

/** The invoices issued, newest first; unpaid only when asked. */
export function invoiceRows(data: BillingData, only: 'all' | 'unpaid' | 'paid' = 'all'): InvoiceRow[] {
	return data.invoices
		.map((invoice) => ({
			invoice,
			clientName: data.clients.get(invoice.clientId)?.name ?? '',
			paid: invoice.paidAt !== undefined
		}))
		.filter((r) => only === 'all' || (only === 'paid') === r.paid)
		.sort((a, b) => (a.invoice._id < b.invoice._id ? 1 : -1));
}

/** The clients with an hour bank (managed services), by name, for the statements. */
export function bankClients(data: BillingData): ClientDoc[] {
	return [...data.clients.values()]
		.filter((c) => c.contract.kind === 'managed')
		.sort((a, b) => a.name.localeCompare(b.name, 'fr'));
}

/** Today in Paris, `YYYY-MM-DD`: a payment's default date. */
export const todayInParis = (now: Date): string => localDay(now);

/** The first day of the month of `day` and its last, for a period's defaults. */
export function monthBounds(day: string): { from: string; to: string } {
	const [y, m] = day.split('-').map(Number) as [number, number];
	const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
	const mm = String(m).padStart(2, '0');
	return { from: `${y}-${mm}-01`, to: `${y}-${mm}-${String(last).padStart(2, '0')}` };
}
