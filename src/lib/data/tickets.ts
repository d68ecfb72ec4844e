import { NUMBER_EVENT_PREFIX, numberFromEvent } from '../domain/numbering.ts';
import { slaState, type SlaClockState } from '../domain/sla.ts';
import { isSlaFact, SLA_FACT_PREFIX, slaFactsOf, ticketSlaInput, withSlaFacts } from '../domain/sla-facts.ts';
import { isDocOf, type EventDoc, type TicketDoc } from '../domain/schemas.ts';
import { referentials, type Referentials } from './config.ts';
import { allOfType, readAll } from './docs.ts';
import type { LocalDb } from './local-db.ts';

export type SlaFlag = SlaClockState | 'paused' | 'none';

export interface TicketRow {
	readonly id: string;
	readonly number: number | null;
	readonly title: string;
	readonly status: TicketDoc['status'];
	readonly priority: TicketDoc['priority'];
	readonly preTicket: boolean;
	readonly clientId: string;
	readonly clientName: string;
	readonly group: string;
	readonly assignees: readonly string[];
	readonly category: string;
	readonly createdAt: string;
	readonly updatedAt: string;
	/** The SLA clock that matters now: response until answered, then resolution. */
	readonly sla: SlaFlag;
	readonly dueAt: string | null;
	/** Lower-cased text searched by the list's filter box. */
	readonly haystack: string;
}

/** Numbers the server gave to tickets opened on devices, by ticket id (one key range). */
export async function givenNumbers(db: LocalDb): Promise<Map<string, number>> {
	const res = await db.allDocs({ startkey: NUMBER_EVENT_PREFIX, endkey: `${NUMBER_EVENT_PREFIX}\ufff0`, include_docs: true });
	const numbers = new Map<string, number>();
	for (const row of res.rows) {
		const given = numberFromEvent(row.doc);
		if (given) numbers.set(given.ticketId, given.number);
	}
	return numbers;
}

/** The SLA jobs' facts (`event:sla:*`: escalations, closures by timeout), by ticket id. */
export async function slaFactsByTicket(db: LocalDb): Promise<Map<string, EventDoc[]>> {
	const res = await db.allDocs({ startkey: SLA_FACT_PREFIX, endkey: `${SLA_FACT_PREFIX}\ufff0`, include_docs: true });
	const byTicket = new Map<string, EventDoc[]>();
	for (const row of res.rows) {
		const doc = row.doc;
		if (!doc || !isDocOf('event', doc) || !isSlaFact(doc) || !doc.ticketId) continue;
		const list = byTicket.get(doc.ticketId) ?? [];
		list.push(doc);
		byTicket.set(doc.ticketId, list);
	}
	return byTicket;
}

/** The ticket as shown: with the number the server gave it, when it has none of its own. Display only, never saved. */
export function numbered(ticket: TicketDoc, numbers: ReadonlyMap<string, number>): TicketDoc {
	const number = ticket.number ?? numbers.get(ticket._id);
	return number === undefined ? ticket : { ...ticket, number };
}

interface CachedRow {
	readonly rev: string;
	readonly context: string;
	readonly row: TicketRow;
}

/**
 * Rows already computed, by ticket id. A ticket that is closed or cancelled keeps its row while
 * its revision, client name, number and SLA rules stay the same (its SLA clocks have stopped),
 * so the list after a sync re-reads only what changed and the open tickets, whose clocks run.
 */
const rowCache = new Map<string, CachedRow>();

/** The ticket list as the desk shows it, with SLA computed on the device (works offline). */
export async function listTickets(db: LocalDb, now: Date): Promise<TicketRow[]> {
	const [raw, clients, refs, numbers, slaFacts] = await Promise.all([
		allOfType(db, 'ticket'),
		readAll(db, 'client'),
		referentials(db),
		givenNumbers(db),
		slaFactsByTicket(db)
	]);
	const clientNames = new Map(clients.map((c) => [c._id, c.name]));
	const rules = JSON.stringify([refs.sla, refs.hours]);
	const rows: TicketRow[] = [];
	const seen = new Set<string>();
	let invalid = 0;
	for (const doc of raw) {
		const id = String(doc._id);
		const rev = String(doc._rev);
		const clientName = clientNames.get(String(doc.clientId ?? '')) ?? '';
		const facts = slaFacts.get(id) ?? [];
		const context = `${clientName}\u0000${numbers.get(id) ?? ''}\u0000${rules}\u0000${facts.map((e) => e._id).join(',')}`;
		seen.add(id);
		const cached = rowCache.get(id);
		if (cached && cached.rev === rev && cached.context === context) {
			rows.push(cached.row);
			continue;
		}
		if (!isDocOf('ticket', doc)) {
			invalid++;
			continue;
		}
		// As the server's facts make it (a level escalated, a closure by timeout): display only.
		const shown = withSlaFacts(numbered(doc, numbers), slaFactsOf(facts, id));
		const row = toRow(shown, clientName, refs, now);
		rows.push(row);
		if (shown.status === 'closed' || shown.status === 'cancelled') rowCache.set(id, { rev, context, row });
		else rowCache.delete(id);
	}
	for (const id of rowCache.keys()) if (!seen.has(id)) rowCache.delete(id);
	if (invalid > 0) console.warn(`${invalid} invalid ticket document(s) skipped`);
	return rows.sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1));
}

function toRow(t: TicketDoc, clientName: string, refs: Referentials, now: Date): TicketRow {
	const { flag, dueAt } = slaOf(t, refs, now);
	return {
		id: t._id,
		number: t.number ?? null,
		title: t.title,
		status: t.status,
		priority: t.priority,
		preTicket: t.preTicket,
		clientId: t.clientId ?? '',
		clientName,
		group: t.group ?? '',
		assignees: t.assignees,
		category: t.category ?? '',
		createdAt: t.createdAt,
		updatedAt: t.updatedAt,
		sla: flag,
		dueAt,
		haystack: `${t.number ?? ''} ${t.title} ${clientName} ${t.requester.name} ${t.requester.email ?? ''}`.toLowerCase()
	};
}

/** What the SLA needs, read off the ticket (the domain's, which the server's jobs use too). */
export const slaInputOf = ticketSlaInput;

export function slaOf(t: TicketDoc, refs: Referentials, now: Date): { flag: SlaFlag; dueAt: string | null } {
	if (t.status === 'cancelled') return { flag: 'none', dueAt: null };
	const state = slaState(slaInputOf(t), refs.sla, refs.hours, now);
	if (state.paused) return { flag: 'paused', dueAt: null };
	const clock = state.response.state === 'met' ? state.resolution : state.response;
	return { flag: clock.state, dueAt: clock.state === 'met' ? null : clock.dueAt };
}
