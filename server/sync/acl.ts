/**
 * Who may read a document over time, computed with the domain's `principalsFor` (the one place
 * the access rules live) from the facts it needs. Pure: no I/O, no clock.
 *
 * Access only depends on time through deadlines (a ticket's end plus the window, a grant's
 * expiry), so the readers of a document are constant between those instants. Evaluating
 * `principalsFor` once before every deadline and once at each gives, for each principal, the
 * intervals during which it reads the document: `[principal, from, until]` in epoch ms, `null`
 * for "since always" and "for ever". The access model keeps these entries, so a manifest checks
 * them against the clock and revocation by time is exact without rewriting anything.
 */
import {
	principalsFor,
	type AccessContext,
	type GrantFact,
	type MissionFact,
	type TicketFact
} from '#lib/domain/access.ts';
import { toMillis } from '#lib/domain/ids.ts';
import type { Doc, MissionStatus, GrantStatus } from '#lib/domain/schemas.ts';
import { DEFAULT_ACCESS_WINDOW_DAYS } from '#lib/domain/schemas.ts';
import { escalationFactId, isSlaFact } from '#lib/domain/sla-facts.ts';
import type { SlaDeadline } from '#lib/domain/sla.ts';
import { endedAt } from '#lib/domain/ticket.ts';
import type { TicketDoc } from '#lib/domain/schemas/ticket.ts';
import {
	AGING,
	agingMillis,
	holdMarksFor,
	planningWindow,
	ticketHoldMarks
} from '#lib/domain/working-set.ts';

const SLA_DEADLINES: readonly SlaDeadline[] = ['response', 'resolution'];

export type AclEntry = [principal: string, from: number | null, until: number | null];

export interface Acl {
	readonly entries: AclEntry[];
	/** Documents whose content (or, for events, whose readers) the entries were computed from. */
	readonly sources: string[];
}

export interface MissionRow {
	readonly id: string;
	readonly ticketId: string;
	readonly clientId: string;
	readonly technicianId: string;
	readonly status: MissionStatus;
}

export interface GrantRow {
	readonly id: string;
	readonly clientId: string;
	readonly technicianId: string;
	readonly status: GrantStatus;
	readonly expiresAt?: string | undefined;
}

/** What `aclFor` may ask about the rest of the database. */
export interface FactSource {
	windowDays(): number | undefined;
	missionsOfTicket(ticketId: string): readonly MissionRow[];
	missionsAtClient(clientId: string): readonly MissionRow[];
	grantsOnClient(clientId: string): readonly GrantRow[];
	/** The facts of a ticket, or undefined when it does not exist. */
	ticket(ticketId: string): TicketFact | undefined;
	/** The entries of an event's subject, or undefined when it has none. */
	subjectEntries(docId: string): readonly AclEntry[] | undefined;
	/** The groups the server's escalations of a ticket sent it to. */
	escalationGroups(ticketId: string): string[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The ids of a ticket's escalation facts (one per deadline, sla-facts.ts). */
export const escalationFactIds = (ticketId: string): string[] =>
	SLA_DEADLINES.map((d) => escalationFactId(ticketId, d));

/** The group an escalation fact sent its ticket to, or undefined (not one, or no group). */
export function escalationGroupOf(doc: Doc | null): string | undefined {
	if (doc?.type !== 'event' || doc.kind !== 'escalated' || !isSlaFact(doc)) return undefined;
	const group = doc.data?.group;
	return typeof group === 'string' && group !== '' ? group : undefined;
}
/** Before every deadline: the earliest instant a Date can hold. */
const BEGINNING = -8.64e15;

export function validAt(entry: AclEntry, now: number): boolean {
	const [, from, until] = entry;
	return (from === null || from <= now) && (until === null || now < until);
}

/** The principals reading now. */
export function principalsAt(entries: readonly AclEntry[], now: number): string[] {
	return [...new Set(entries.filter((e) => validAt(e, now)).map((e) => e[0]))];
}

export function everyPrincipal(entries: readonly AclEntry[]): string[] {
	return [...new Set(entries.map((e) => e[0]))];
}

/** True when one of `held` reads the document at `now`. */
export function readableBy(entries: readonly AclEntry[], held: ReadonlySet<string>, now: number) {
	return entries.some((e) => held.has(e[0]) && validAt(e, now));
}

function missionFacts(rows: readonly MissionRow[], ended: (m: MissionRow) => string | undefined) {
	return rows.map((m): MissionFact => ({
		technicianId: m.technicianId,
		status: m.status,
		ticketEndedAt: ended(m)
	}));
}

interface Gathered {
	context: Omit<AccessContext, 'now'>;
	subject?: readonly AclEntry[] | undefined;
	sources: string[];
}

function gather(doc: Doc, facts: FactSource): Gathered {
	const windowDays = facts.windowDays();
	switch (doc.type) {
		case 'ticket': {
			const rows = facts.missionsOfTicket(doc._id);
			const ended = endedAt(doc);
			const missions = missionFacts(rows, () => ended);
			const escalatedTo = facts.escalationGroups(doc._id);
			return {
				context: { windowDays, missions, escalatedTo },
				// The escalation facts, written or not yet: their arrival changes the readers.
				sources: [...rows.map((m) => m.id), ...escalationFactIds(doc._id)]
			};
		}
		case 'client':
		case 'techfile': {
			const clientId = doc.type === 'client' ? doc._id : doc.clientId;
			const rows = facts.missionsAtClient(clientId);
			const grantRows = facts.grantsOnClient(clientId);
			const grants: GrantFact[] = grantRows.map((g) => ({
				technicianId: g.technicianId,
				status: g.status,
				expiresAt: g.expiresAt
			}));
			return {
				context: {
					windowDays,
					missions: missionFacts(rows, (m) => facts.ticket(m.ticketId)?.endedAt),
					grants
				},
				sources: [
					...rows.map((m) => m.id),
					...rows.map((m) => m.ticketId),
					...grantRows.map((g) => g.id)
				]
			};
		}
		case 'mission':
		case 'report':
		case 'survey': {
			const ticket = facts.ticket(doc.ticketId);
			return {
				context: {
					windowDays,
					ticket: ticket ?? { group: undefined, endedAt: undefined },
					escalatedTo: facts.escalationGroups(doc.ticketId)
				},
				sources: [doc.ticketId, ...escalationFactIds(doc.ticketId)]
			};
		}
		case 'event':
			return {
				context: { windowDays },
				subject: facts.subjectEntries(doc.subjectId) ?? [],
				sources: [doc.subjectId]
			};
		default:
			return { context: { windowDays }, sources: [] };
	}
}

/** Every instant at which the readers may change, in order. */
function deadlines(doc: Doc, g: Gathered): number[] {
	const windowMs = (g.context.windowDays ?? DEFAULT_ACCESS_WINDOW_DAYS) * DAY_MS;
	const times = new Set<number>();
	const add = (t: number) => {
		if (Number.isFinite(t)) times.add(t);
	};
	const ended = (at: string | undefined) => {
		if (at !== undefined) add(toMillis(at) + windowMs);
	};
	if (doc.type === 'ticket') ended(endedAt(doc));
	for (const m of g.context.missions ?? []) ended(m.ticketEndedAt);
	ended(g.context.ticket?.endedAt);
	if (doc.type === 'mission' || doc.type === 'calendar')
		for (const t of planningWindow(doc)) add(t);
	for (const grant of g.context.grants ?? [])
		if (grant.expiresAt !== undefined) add(toMillis(grant.expiresAt));
	for (const [, from, until] of g.subject ?? []) {
		if (from !== null) add(from);
		if (until !== null) add(until);
	}
	return [...times].sort((a, b) => a - b);
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The readers of `doc` over time, and the documents they were derived from. */
export function aclFor(doc: Doc, facts: FactSource): Acl {
	const g = gather(doc, facts);
	const points = [BEGINNING, ...deadlines(doc, g)];
	const sets = points.map((now) => {
		const context: AccessContext = { ...g.context, now };
		if (g.subject !== undefined) context.subjectPrincipals = principalsAt(g.subject, now);
		// Readers, and the working-set marks of desk devices (working-set.ts).
		return new Set([...principalsFor(doc, context), ...holdMarksFor(doc, context)]);
	});
	const all = [...new Set(sets.flatMap((s) => [...s]))].sort(compareText);
	const entries: AclEntry[] = [];
	for (const principal of all) {
		let from: number | null | undefined;
		points.forEach((point, k) => {
			const present = sets[k]?.has(principal) === true;
			if (present && from === undefined) from = k === 0 ? null : point;
			if (!present && from !== undefined) {
				entries.push([principal, from, point]);
				from = undefined;
			}
		});
		if (from !== undefined) entries.push([principal, from, null]);
	}
	// An event of a ticket ages with it through its subject's marks (the mark is one of them).
	const aging = agingMillis(doc, g.context.ticket?.endedAt);
	if (aging !== undefined && !entries.some((e) => e[0] === AGING))
		entries.push([AGING, aging, null]);
	return { entries, sources: [...new Set(g.sources)].sort(compareText) };
}

export function missionRow(doc: {
	_id: string;
	ticketId: string;
	clientId: string;
	technicianId: string;
	status: MissionStatus;
}): MissionRow {
	return {
		id: doc._id,
		ticketId: doc.ticketId,
		clientId: doc.clientId,
		technicianId: doc.technicianId,
		status: doc.status
	};
}

export function grantRow(doc: {
	_id: string;
	clientId: string;
	technicianId: string;
	status: GrantStatus;
	expiresAt?: string | undefined;
}): GrantRow {
	return {
		id: doc._id,
		clientId: doc.clientId,
		technicianId: doc.technicianId,
		status: doc.status,
		expiresAt: doc.expiresAt
	};
}

export function ticketFact(doc: {
	group?: string | undefined;
	closure?: { at: string } | undefined;
	cancellation?: { at: string } | undefined;
	status?: TicketDoc['status'];
	assignees?: readonly string[];
	createdBy?: string;
	clientId?: string | undefined;
}): TicketFact {
	const fact: TicketFact = { group: doc.group, endedAt: doc.closure?.at ?? doc.cancellation?.at };
	if (doc.status !== undefined && doc.assignees !== undefined && doc.createdBy !== undefined)
		fact.holds = ticketHoldMarks({
			group: doc.group,
			status: doc.status,
			assignees: [...doc.assignees],
			createdBy: doc.createdBy,
			clientId: doc.clientId
		});
	return fact;
}
