/**
 * What the server's billing job writes at a ticket's closure (seed 000, F9): for each signed
 * report of the closed ticket, the billing item `billingAtClosure` computes with the `config:`
 * rates and the client's contract, and for a managed-services client the hour-bank movement
 * that takes the time from the bank.
 *
 * Ids are fixed by the ticket, the report and the closure (its instant), so two instances or
 * a run repeated write each document once (`createOnce`). A ticket reopened and closed again
 * is a new closure: its report is billed again only when the amounts changed, and then as a
 * correction, whose lines credit what the earlier items billed and bill the new amounts; the
 * earlier items are never edited. Nothing changed: nothing written.
 */
import {
	billingAtClosure,
	type BillingContract,
	type BillingItem,
	type BillingLine,
	type BillingRates,
	type BillingReportInput
} from './billing.ts';
import { hourBankBalance } from './hour-bank.ts';
import { idSuffix, type Instant } from './ids.ts';
import type { BillingDoc } from './schemas/billing.ts';
import type { ClientDoc } from './schemas/client.ts';
import type { HourBankDoc } from './schemas/hourbank.ts';
import type { ReportDoc } from './schemas/report.ts';
import type { TicketDoc } from './schemas/ticket.ts';

const key = (ticketId: string, reportId: string, closedAt: string) =>
	`${idSuffix(ticketId)}:${idSuffix(reportId)}:${closedAt}`;

/** The billing item of one report at one closure of its ticket. */
export const billingItemId = (ticketId: string, reportId: string, closedAt: string): string =>
	`billing:${key(ticketId, reportId, closedAt)}`;

/** The hour-bank movement of one report at one closure of its ticket. */
export const hourBankMoveId = (ticketId: string, reportId: string, closedAt: string): string =>
	`hourbank:${key(ticketId, reportId, closedAt)}`;

/** When the ticket (as the server's facts make it, `withSlaFacts`) was closed; null if not. */
export function closedAtOf(shown: TicketDoc): string | null {
	return shown.status === 'closed' && shown.closure ? shown.closure.at : null;
}

/** The report as `billingAtClosure` reads it, parts priced from the rates' price list. */
export function reportBillingInput(report: ReportDoc, rates: BillingRates): BillingReportInput {
	return {
		times: report.times,
		travelMinutes: report.travelMinutes,
		parts: report.parts.map((p) => {
			const listed =
				(p.ref === undefined ? undefined : rates.partPrices.find((l) => l.ref === p.ref)) ??
				rates.partPrices.find((l) => l.label === p.label);
			return {
				label: p.label,
				qty: p.qty,
				...(listed ? { unitPriceCents: listed.unitPriceCents } : {})
			};
		}),
		summary: report.tasks.join(' ; ')
	};
}

/** The client's contract as billing reads it, with what its bank has used so far. */
export function billingContract(
	client: ClientDoc | null,
	usedMinutes: number
): BillingContract | null {
	if (!client) return null;
	const c = client.contract;
	return {
		kind: c.kind,
		start: c.start,
		end: c.end,
		...(c.kind === 'managed'
			? { hourBankMinutes: Math.round((c.hourBank ?? 0) * 60), usedMinutes }
			: {})
	};
}

export interface ClosureBillingInput {
	/** The ticket as shown (closed, by the desk, a technician or by timeout). */
	readonly ticket: TicketDoc;
	readonly closedAt: string;
	/** The ticket's reports; only the signed ones are billed. */
	readonly reports: readonly ReportDoc[];
	readonly client: ClientDoc | null;
	readonly rates: BillingRates;
	/** Billing items already written for this ticket (any closure). */
	readonly billed: readonly BillingDoc[];
	/** The client's hour-bank movements (for the balance before and after). */
	readonly movements: readonly HourBankDoc[];
	readonly now: Instant;
}

export interface ClosureBilling {
	readonly items: BillingDoc[];
	readonly moves: HourBankDoc[];
	/** Items that are corrections of an earlier closure's. */
	readonly corrections: number;
}

const deducted = (b: Pick<BillingDoc, 'kind'> & { deductedMinutes?: number }): number =>
	b.kind === 'hour_bank' ? (b.deductedMinutes ?? 0) : 0;
const billedMinutes = (b: Pick<BillingDoc, 'kind'> & { billedMinutes?: number }): number =>
	b.kind === 'billable' ? (b.billedMinutes ?? 0) : 0;

/** The lines earlier items billed, netted: same line, quantities and amounts summed. */
function netLines(items: readonly BillingDoc[]): BillingLine[] {
	const net = new Map<string, BillingLine>();
	for (const item of items)
		for (const l of item.lines) {
			const k = JSON.stringify([l.kind, l.label, l.unit, l.unitPriceCents]);
			const was = net.get(k);
			net.set(k, {
				kind: l.kind,
				label: l.label,
				unit: l.unit,
				unitPriceCents: l.unitPriceCents,
				quantity: (was?.quantity ?? 0) + l.quantity,
				amountCents: (was?.amountCents ?? 0) + l.amountCents
			});
		}
	return [...net.values()].filter((l) => l.quantity !== 0 || l.amountCents !== 0);
}

const sum = (items: readonly BillingDoc[], f: (b: BillingDoc) => number) =>
	items.reduce((s, b) => s + f(b), 0);

/**
 * The documents this closure of the ticket adds, whatever was written before; the caller
 * creates each once (an id already taken means already done).
 */
export function closureBilling(input: ClosureBillingInput): ClosureBilling {
	const { ticket, closedAt, client, rates } = input;
	const out: ClosureBilling = { items: [], moves: [], corrections: 0 };
	const nowIso = new Date(input.now).toISOString();
	const signed = [...input.reports]
		.filter((r) => r.signedAt !== undefined && r.ticketId === ticket._id)
		.sort((a, b) => a._id.localeCompare(b._id));
	for (const report of signed) {
		const itemId = billingItemId(ticket._id, report._id, closedAt);
		const moveId = hourBankMoveId(ticket._id, report._id, closedAt);
		const prior = input.billed.filter(
			(b) => b.ticketId === ticket._id && b.reportId === report._id && b._id !== itemId
		);
		// The bank as the other movements leave it (this closure's own, if written, aside).
		const others = input.movements.filter((m) => m._id !== moveId);
		const balance = client ? hourBankBalance(client, others) : null;
		const item = billingAtClosure(
			{
				contract: billingContract(client, balance?.usedMinutes ?? 0),
				report: reportBillingInput(report, rates)
			},
			rates,
			closedAt
		);
		const doc = priorAware(item, prior, nowIso);
		if (doc === null) continue;
		const stored = {
			...doc,
			_id: itemId,
			type: 'billing',
			reportId: report._id,
			ticketId: ticket._id,
			clientId: client?._id ?? report.clientId,
			closedAt,
			...(prior.length > 0 ? { corrects: prior.map((p) => p._id).sort() } : {})
		} as BillingDoc;
		out.items.push(stored);
		if (prior.length > 0) (out as { corrections: number }).corrections++;
		const minutes = deducted(item) - sum(prior, deducted);
		if (minutes !== 0)
			out.moves.push({
				_id: moveId,
				type: 'hourbank',
				clientId: stored.clientId,
				ticketId: ticket._id,
				reportId: report._id,
				billingId: itemId,
				move: prior.length > 0 ? 'correction' : 'debit',
				minutes: -minutes,
				closedAt,
				at: nowIso,
				description: item.description
			});
	}
	return out;
}

/**
 * The item as this closure writes it: whole when nothing was billed before; null when the
 * earlier items already bill the same; else a correction (credit the net earlier lines, bill
 * the new ones; totals and minutes are the differences).
 */
function priorAware(
	item: BillingItem,
	prior: readonly BillingDoc[],
	nowIso: string
): BillingItem | null {
	const computed = { ...item, computedAt: nowIso };
	if (prior.length === 0) return computed;
	const last = [...prior]
		.sort((a, b) => (a.closedAt ?? '').localeCompare(b.closedAt ?? ''))
		.at(-1)!;
	const same =
		item.kind === last.kind &&
		item.subtotalCents === sum(prior, (b) => b.subtotalCents) &&
		item.vatCents === sum(prior, (b) => b.vatCents) &&
		deducted(item) === sum(prior, deducted);
	if (same) return null;
	const credit = netLines(prior).map((l) => ({
		...l,
		label: `Avoir : ${l.label}`,
		quantity: -l.quantity,
		amountCents: -l.amountCents
	}));
	const subtotalCents = item.subtotalCents - sum(prior, (b) => b.subtotalCents);
	const vatCents = item.vatCents - sum(prior, (b) => b.vatCents);
	const base = {
		...computed,
		lines: [...credit, ...item.lines],
		subtotalCents,
		vatCents,
		totalCents: subtotalCents + vatCents
	};
	if (base.kind === 'billable')
		return { ...base, billedMinutes: base.billedMinutes - sum(prior, billedMinutes) };
	if (base.kind === 'hour_bank') {
		const deductedMinutes = base.deductedMinutes - sum(prior, deducted);
		return {
			...base,
			deductedMinutes,
			balanceAfterMinutes: base.balanceBeforeMinutes - deductedMinutes
		};
	}
	return base;
}
