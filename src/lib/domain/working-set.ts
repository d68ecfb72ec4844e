/**
 * The working set of a desk device (issue #15): what a dispatcher, expert, billing or admin
 * device keeps so that the desk works through a network cut. The rest of what the user may read
 * (access.ts) stays on the server and is searched and opened online.
 *
 * Expressed like the access rules: each document carries *hold marks* (`hold:…`) beside its
 * readers, and each user holds some marks. A desk device receives a document when the user
 * reads it (access.ts) **and** holds one of its marks **and** it has not aged out:
 * - open tickets in the user's scope, with their timeline, missions, reports and surveys:
 *   - a dispatcher's scope is their groups' tickets plus the intake queue (tickets with no group
 *     yet); a dispatcher in no group (a small desk) holds every open ticket;
 *   - an expert's scope is their groups' pools (tickets of the group nobody has taken yet);
 *   - everyone holds the tickets they created or are assigned to;
 *   - billing holds the resolved and closed tickets (what it bills from), a quarter after
 *     their end (`BILLING_WORKING_SET_DAYS`: invoices are monthly or quarterly);
 *   - an admin holds the intake queue;
 * - ended tickets (closed, cancelled) stay `workingSetDays` (default 14) after their end, then
 *   age out; so do their timeline, missions, reports and surveys, and calendar entries after
 *   their end (the planning of the current and next weeks stays);
 * - the planning: missions and calendar entries of the current and next weeks for dispatchers
 *   (`planningWindow`);
 * - the client directory, people, referentials, grants, billing items, hour banks and invoices:
 *   held whenever readable (bounded by the size of the company, not by time);
 * - technical files (equipment, network, credentials) are not: the client page opens one online
 *   and the device then keeps it `PIN_DAYS` (server/sync/pins.ts), like an old ticket.
 * A technician's device is not filtered: their access is already bounded by missions.
 * Missing facts never widen the set: marks are only ever added from the document and its facts.
 *
 * **Teams** (agencies): in a large company each desk works a portfolio. A client and a user may
 * name a team (a group of `config:groups`, `team`). A desk user in a team holds the same scopes
 * as above, narrowed to their team (`TeamScope`): the tickets of their team's clients, the
 * planning of their team's technicians, and the clients and people of their team. Clients and
 * people in no team, and tickets with no client yet (the intake), are every team's. Everything else stays reachable
 * online (search, opening). So the working set is bounded by the size of a team, not of the
 * company. The narrowed marks are the plain ones with `@<client id>` (tickets) or
 * `@<technician id>` (planning); a client or person in a team carries `hold:team:<team>` instead
 * of the directory mark of those in no team.
 */
import { toMillis, type Instant } from './ids.ts';
import { grantActive, type AccessContext, type UserLike } from './access.ts';
import type { Doc } from './schemas.ts';
import type { TicketDoc } from './schemas/ticket.ts';

export const HOLD_PREFIX = 'hold:';
/** Every desk user holds it: referentials, directory, people. */
export const HOLD_ALL = 'hold:all';
/** Every open ticket (a dispatcher in no group). */
export const HOLD_EVERY_TICKET = 'hold:tickets';
/** Open tickets with no group yet: the intake queue. */
export const HOLD_QUEUE = 'hold:queue';
/** Missions and calendars: the planning. */
export const HOLD_PLANNING = 'hold:planning';
/** Resolved and closed tickets: what billing works from. */
export const HOLD_BILLED = 'hold:billed';
/**
 * Not a reader: the instant from which a document ages (`from` of its entry). A document with
 * this mark leaves desk devices `workingSetDays` after it.
 */
export const AGING = '~aging';

export const DEFAULT_WORKING_SET_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;

const DESK_ROLES = ['dispatcher', 'expert', 'billing', 'admin'] as const;

/** Clients and people in a team: held by desk users in no team (and by their team's). */
export const HOLD_DIRECTORY = 'hold:directory';
/** The mark of a team's clients and people. */
export const holdTeam = (team: string): string => `${HOLD_PREFIX}team:${team}`;
/** A scoped mark narrowed to one client's tickets, or one technician's planning. */
const narrowed = (mark: string, to: string) => `${mark}@${to}`;
/** The tickets with no client yet: every team's intake. */
const NO_CLIENT = '-';
/** The marks a team narrows (the others are the user's own or everyone's). */
const SCOPED = (mark: string) =>
	mark === HOLD_EVERY_TICKET ||
	mark === HOLD_QUEUE ||
	mark === HOLD_BILLED ||
	mark.startsWith(`${HOLD_PREFIX}group:`) ||
	mark.startsWith(`${HOLD_PREFIX}pool:`);

const holdUser = (id: string) => `${HOLD_PREFIX}${id}`;
const holdGroup = (group: string) => `${HOLD_PREFIX}group:${group}`;
const holdPool = (group: string) => `${HOLD_PREFIX}pool:${group}`;

/** True for a mark (`hold:…` or the aging mark): never a principal a user reads with. */
export const isHoldMark = (p: string): boolean => p.startsWith(HOLD_PREFIX) || p === AGING;

/** The marks of a ticket (kept in its facts, `TicketFact.holds`, for what hangs on it). */
export function ticketHoldMarks(
	ticket: Pick<TicketDoc, 'group' | 'status' | 'assignees' | 'createdBy'> & {
		readonly clientId?: string | undefined;
	}
): string[] {
	const plain = [
		HOLD_EVERY_TICKET,
		ticket.group === undefined ? HOLD_QUEUE : holdGroup(ticket.group),
		// A group's pool: its tickets nobody has taken yet (what an expert picks from).
		ticket.group !== undefined && ticket.assignees.length === 0
			? holdPool(ticket.group)
			: undefined,
		ticket.status === 'resolved' || ticket.status === 'closed' ? HOLD_BILLED : undefined,
		...[...ticket.assignees, ticket.createdBy].filter((id) => id.startsWith('user:')).map(holdUser)
	].filter((p): p is string => p !== undefined);
	// The same scopes narrowed to its client, for the desks of the client's team.
	const client = ticket.clientId ?? NO_CLIENT;
	return [...plain, ...plain.filter(SCOPED).map((m) => narrowed(m, client))];
}

/** The client a ticket's marks were narrowed to (its every-ticket mark names it). */
function clientOfHolds(holds: readonly string[] | undefined): string | undefined {
	const prefix = `${HOLD_EVERY_TICKET}@`;
	const mark = holds?.find((m) => m.startsWith(prefix));
	const client = mark?.slice(prefix.length);
	return client === NO_CLIENT ? undefined : client;
}

/** The planning marks of a technician's mission or calendar entry. */
const planningMarks = (technicianId: string) => [
	HOLD_PLANNING,
	narrowed(HOLD_PLANNING, technicianId)
];

/** A client or person: the directory, or their team's. */
const directoryMarks = (team: string | undefined) =>
	team === undefined ? [HOLD_ALL] : [HOLD_DIRECTORY, holdTeam(team)];

/**
 * The hold marks of `doc` with the same facts as `principalsFor`. For an event, mission,
 * report or survey the marks come from its subject or ticket: an event's `subjectPrincipals`
 * carry its subject's marks; the others take their ticket's (`context.ticket.holds`).
 */
export function holdMarksFor(
	doc: Doc,
	context: Pick<
		AccessContext,
		'now' | 'subjectPrincipals' | 'ticket' | 'escalatedTo' | 'missions' | 'grants'
	>
): string[] {
	// The groups an escalation sent the ticket to work it: they hold it like their own.
	// Its experts hold it even when someone took it (a pool mark too).
	const routed = (context.escalatedTo ?? []).flatMap((g) => [holdGroup(g), holdPool(g)]);
	const routedFor = (clientId: string | undefined) => [
		...routed,
		...routed.map((m) => narrowed(m, clientId ?? NO_CLIENT))
	];
	const fromTicket = (clientId: string | undefined) => [
		...(context.ticket?.holds ?? []),
		...routedFor(clientId)
	];
	switch (doc.type) {
		case 'ticket':
			return [...ticketHoldMarks(doc), ...routedFor(doc.clientId)];
		case 'mission':
			return [
				...fromTicket(doc.clientId),
				...(inPlanning(doc, context.now) ? planningMarks(doc.technicianId) : []),
				holdUser(doc.technicianId)
			];
		case 'report':
			return [...fromTicket(doc.clientId)];
		case 'survey':
			return [...fromTicket(clientOfHolds(context.ticket?.holds))];
		case 'event':
			if (doc.kind === 'credential_reveal') return [holdUser(doc.author)];
			// The planning holds missions, not their timelines (those come with the ticket).
			return (context.subjectPrincipals ?? []).filter(
				(p) => isHoldMark(p) && p !== HOLD_PLANNING && !p.startsWith(`${HOLD_PLANNING}@`)
			);
		case 'calendar':
			return [
				...(inPlanning(doc, context.now) ? planningMarks(doc.technicianId) : []),
				holdUser(doc.technicianId)
			];
		case 'client':
		case 'user':
			return directoryMarks(doc.team);
		case 'techfile':
			// Equipment, network and credentials: opened online from the client page (then kept
			// a while), not carried by every desk device. A technician who also works at the desk
			// keeps the files of their missions and grants (whether they read it is access.ts's).
			return [
				...new Set([
					...(context.missions ?? [])
						.filter((m) => m.status !== 'cancelled')
						.map((m) => holdUser(m.technicianId)),
					...(context.grants ?? [])
						.filter((g) => grantActive(g, context.now))
						.map((g) => holdUser(g.technicianId))
				])
			].sort();
		default:
			return [HOLD_ALL];
	}
}

/**
 * From when a document ages out of the working set, or undefined when it does not age: an ended
 * ticket from its end (with what hangs on it: `ticketEndedAt`), a calendar entry from its end, a
 * credential reveal from when it was made. An event of a ticket ages with it through its
 * subject's marks (`holdMarksFor`).
 */
export function agingFrom(doc: Doc, ticketEndedAt?: string): string | undefined {
	switch (doc.type) {
		case 'ticket':
			return doc.closure?.at ?? doc.cancellation?.at;
		case 'mission':
		case 'report':
		case 'survey':
			return ticketEndedAt;
		case 'calendar':
			return doc.end;
		case 'event':
			return doc.kind === 'credential_reveal' ? doc.at : undefined;
		default:
			return undefined;
	}
}

/** The planning screens show the current and next weeks: from 14 days before to 7 days after. */
const PLANNING_BEFORE_MS = 14 * DAY_MS;
const PLANNING_AFTER_MS = 7 * DAY_MS;

/**
 * When a mission or calendar entry is on the planning of desk devices: `[from, until)` in epoch
 * ms (the instants at which its marks change, for the access model's deadlines).
 */
export function planningWindow(entry: { start: string; end: string }): [number, number] {
	return [toMillis(entry.start) - PLANNING_BEFORE_MS, toMillis(entry.end) + PLANNING_AFTER_MS];
}

function inPlanning(entry: { start: string; end: string }, now: Instant): boolean {
	const [from, until] = planningWindow(entry);
	const at = toMillis(now);
	return from <= at && at < until;
}

/**
 * A desk user's team, as the server knows it: its id, its clients and its technicians (the
 * clients and people whose `team` names it, and those in no team).
 */
export interface TeamScope {
	readonly team: string;
	readonly clients: readonly string[];
	readonly technicians: readonly string[];
}

/**
 * The marks a desk user holds, or null for a user whose device holds all they read. With a
 * team, the scoped marks are narrowed to it (module comment).
 */
export function userHolds(user: UserLike, team?: TeamScope): string[] | null {
	const plain = plainHolds(user);
	if (plain === null || team === undefined || plain.length === 0) return plain;
	const clients = [...team.clients, NO_CLIENT];
	const out = new Set([holdTeam(team.team)]);
	for (const mark of plain) {
		if (SCOPED(mark)) for (const c of clients) out.add(narrowed(mark, c));
		else if (mark === HOLD_PLANNING) for (const t of team.technicians) out.add(narrowed(mark, t));
		else if (mark !== HOLD_DIRECTORY) out.add(mark);
	}
	return [...out].sort();
}

function plainHolds(user: UserLike): string[] | null {
	if (user.disabled === true) return [];
	const desk = user.roles.some((r) => (DESK_ROLES as readonly string[]).includes(r));
	if (!desk) return null;
	const marks = new Set([HOLD_ALL, HOLD_DIRECTORY, holdUser(user._id)]);
	const groups = user.groups.map(holdGroup);
	if (user.roles.includes('dispatcher')) {
		marks.add(HOLD_PLANNING);
		if (groups.length === 0) marks.add(HOLD_EVERY_TICKET);
		else for (const g of [...groups, HOLD_QUEUE]) marks.add(g);
	}
	if (user.roles.includes('expert')) for (const g of user.groups) marks.add(holdPool(g));
	if (user.roles.includes('billing')) marks.add(HOLD_BILLED);
	// The admin oversees the intake queue (tickets not routed yet) besides the referentials.
	if (user.roles.includes('admin')) marks.add(HOLD_QUEUE);
	// A technician who also works at the desk keeps their missions, as on the phone.
	if (user.roles.includes('technician')) marks.add(HOLD_PLANNING);
	return [...marks].sort();
}

/**
 * The commercial service invoices monthly or quarterly: it keeps the tickets it bills from (their
 * number and facts) a quarter after they end, whatever `workingSetDays` says.
 */
export const BILLING_WORKING_SET_DAYS = 92;

/** How long ended documents stay on this user's desk device. */
export function workingSetDaysFor(user: Pick<UserLike, 'roles'>, days: number): number {
	return user.roles.includes('billing') ? Math.max(days, BILLING_WORKING_SET_DAYS) : days;
}

/** One mark as the access model keeps it: `[mark, from, until]` in epoch ms (null: open). */
type Entry = readonly [string, number | null, number | null];

/**
 * True when a document with these entries (readers and marks, acl.ts) is in the working set of
 * a user holding `holds` at `now`. Readability is checked apart (access.ts).
 */
export function inWorkingSet(
	entries: readonly Entry[],
	holds: ReadonlySet<string>,
	now: number,
	days: number = DEFAULT_WORKING_SET_DAYS
): boolean {
	let marked = false;
	for (const [p, from, until] of entries) {
		if (p === AGING) {
			if (from !== null && now >= from + days * DAY_MS) return false;
		} else if (
			!marked &&
			p.startsWith(HOLD_PREFIX) &&
			holds.has(p) &&
			(from === null || from <= now) &&
			(until === null || now < until)
		)
			marked = true;
	}
	return marked;
}

/** `agingFrom` as epoch ms for the model (undefined: does not age). */
export function agingMillis(doc: Doc, ticketEndedAt?: string): number | undefined {
	const at = agingFrom(doc, ticketEndedAt);
	return at === undefined ? undefined : toMillis(at);
}
