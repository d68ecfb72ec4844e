/**
 * Who may read each document, as principals: `user:<id>`, `role:<name>`, `group:<name>`.
 * The server stores the list in `access`, indexes it by principal, and sends each device
 * exactly the documents one of its user's principals can read (issue #4).
 *
 * Choices, where the brief left room:
 * - Dispatchers read every ticket; experts read the tickets of their groups. The principal
 *   `group:<g>` is granted to experts only (see `userPrincipals`): a technician who belongs to
 *   a group for routing reads tickets through missions and assignments, not whole queues.
 * - A technician reads a mission assigned to them, its ticket, its report, and the client and
 *   technical file of its client, from planning until `windowDays` (default 7) after the
 *   ticket closes or is cancelled. A cancelled mission gives nothing. Assignees and the
 *   creator of a ticket read it on the same terms.
 * - An approved, unexpired access grant lets its technician read the client and its file.
 * - Profiles: each user reads their own; dispatchers, experts and admins read all (they
 *   assign people). Timelines carry `authorName`, so nobody else needs them.
 * - Events are read by whoever reads their subject, except credential reveals (an audit
 *   trail): the admin and the person who revealed.
 * - Referentials (`config:`) are read by everyone signed in (`role:everyone`).
 * - Satisfaction answers (`survey:`) are read by dispatchers, admins and the ticket's group.
 * - The commercial service (`role:billing`) reads what it bills from: billing items, hour-bank
 *   movements, reports, clients, and tickets once resolved or closed (of their timeline, only
 *   the number the server gave) — never an open ticket, a mission, a technical file (its
 *   passwords), a calendar, a grant or a satisfaction answer.
 * - `role:admin` is on every document.
 * Missing facts never widen access: without grants or missions in the context, nobody gets in
 * through them.
 */
import { toMillis, type Instant } from './ids.ts';
import { NUMBER_EVENT_PREFIX } from './numbering.ts';
import type { Doc } from './schemas.ts';
import { DEFAULT_ACCESS_WINDOW_DAYS } from './schemas/config.ts';
import type { MissionDoc, MissionStatus } from './schemas/mission.ts';
import type { GrantStatus, UserDoc } from './schemas/people.ts';
import type { TicketDoc } from './schemas/ticket.ts';

export { mayWrite, type Deletion, type WriteContext, type WriteSubject } from './may-write.ts';

export const EVERYONE = 'role:everyone';
export const ADMIN = 'role:admin';
const DISPATCHER = 'role:dispatcher';
const EXPERT = 'role:expert';
const BILLING = 'role:billing';

const DAY_MS = 24 * 60 * 60 * 1000;

export type UserLike = Pick<UserDoc, '_id' | 'roles' | 'groups' | 'disabled'>;

/** The facts about one mission that access depends on. */
export interface MissionFact {
	technicianId: string;
	status: MissionStatus;
	/** When the mission's ticket was closed or cancelled; absent while it is open. */
	ticketEndedAt?: string | undefined;
}

export interface GrantFact {
	technicianId: string;
	status: GrantStatus;
	expiresAt?: string | undefined;
}

export interface TicketFact {
	group?: string | undefined;
	endedAt?: string | undefined;
	/** Its working-set marks (working-set.ts), for its missions, reports and surveys. */
	holds?: readonly string[] | undefined;
}

/**
 * What `principalsFor` needs besides the document, gathered by the caller (no I/O here):
 * - ticket: `missions` of the ticket;
 * - client, techfile: `missions` at that client, `grants` on that client;
 * - mission, report, survey: `ticket`, the facts of its ticket (absent: taken as open, no group),
 *   and `escalatedTo`, the groups its ticket's escalations sent it to;
 * - event: `subjectPrincipals`, the readers of the document it is about.
 */
export interface AccessContext {
	now: Instant;
	windowDays?: number | undefined;
	missions?: readonly MissionFact[] | undefined;
	grants?: readonly GrantFact[] | undefined;
	ticket?: TicketFact | undefined;
	subjectPrincipals?: readonly string[] | undefined;
	/**
	 * ticket, and its mission, report and survey: the groups the server's escalations sent the
	 * ticket to (`event:sla:…` facts).
	 */
	escalatedTo?: readonly string[] | undefined;
}

export function missionFact(
	mission: Pick<MissionDoc, 'technicianId' | 'status'>,
	ticket?: Pick<TicketDoc, 'closure' | 'cancellation'>
): MissionFact {
	return {
		technicianId: mission.technicianId,
		status: mission.status,
		ticketEndedAt: ticket?.closure?.at ?? ticket?.cancellation?.at
	};
}

/** Still inside the access window: open, or ended less than `windowDays` ago. */
export function withinWindow(endedAt: string | undefined, context: AccessContext): boolean {
	if (endedAt === undefined) return true;
	const days = context.windowDays ?? DEFAULT_ACCESS_WINDOW_DAYS;
	return toMillis(context.now) < toMillis(endedAt) + days * DAY_MS;
}

function missionReaders(context: AccessContext, endedAt?: string): string[] {
	return (context.missions ?? [])
		.filter((m) => m.status !== 'cancelled' && withinWindow(endedAt ?? m.ticketEndedAt, context))
		.map((m) => m.technicianId);
}

export function grantActive(grant: GrantFact, now: Instant): boolean {
	return (
		grant.status === 'approved' &&
		grant.expiresAt !== undefined &&
		toMillis(now) < toMillis(grant.expiresAt)
	);
}

function grantReaders(context: AccessContext): string[] {
	return (context.grants ?? [])
		.filter((g) => grantActive(g, context.now))
		.map((g) => g.technicianId);
}

const users = (ids: readonly string[]): string[] => ids.filter((id) => id.startsWith('user:'));

/** Sorted, without repeats: equal inputs give byte-equal `access` fields. */
function principals(list: readonly (string | undefined)[]): string[] {
	return [...new Set(list.filter((p): p is string => p !== undefined))].sort();
}

/** The ticket states the commercial service bills from: work done, the report signed. */
const BILLED_STATUSES: ReadonlySet<TicketDoc['status']> = new Set(['resolved', 'closed']);

function ticketReaders(ticket: TicketDoc, context: AccessContext): string[] {
	const endedAt = ticket.closure?.at ?? ticket.cancellation?.at;
	const involved = withinWindow(endedAt, context) ? [...ticket.assignees, ticket.createdBy] : [];
	return [
		DISPATCHER,
		BILLED_STATUSES.has(ticket.status) ? BILLING : undefined,
		ticket.group === undefined ? undefined : `group:${ticket.group}`,
		// An escalation to a level with its own group (config:escalation) brings that group in.
		...(context.escalatedTo ?? []).map((g) => `group:${g}`),
		...users(involved),
		...missionReaders(context, endedAt)
	].filter((p): p is string => p !== undefined);
}

/** The principals that may read `doc`. */
export function principalsFor(doc: Doc, context: AccessContext): string[] {
	const group = context.ticket?.group === undefined ? undefined : `group:${context.ticket.group}`;
	const ticketLive = withinWindow(context.ticket?.endedAt, context);
	// The group an escalation routed the ticket to works it: it reads the work done on it too.
	const routed = (context.escalatedTo ?? []).map((g) => `group:${g}`);
	switch (doc.type) {
		case 'ticket':
			return principals([ADMIN, ...ticketReaders(doc, context)]);
		case 'client':
			return principals([
				ADMIN,
				DISPATCHER,
				EXPERT,
				BILLING,
				...missionReaders(context),
				...grantReaders(context)
			]);
		case 'techfile':
			return principals([
				ADMIN,
				DISPATCHER,
				EXPERT,
				...missionReaders(context),
				...grantReaders(context)
			]);
		case 'mission':
			return principals([
				ADMIN,
				DISPATCHER,
				group,
				...routed,
				doc.status !== 'cancelled' && ticketLive ? doc.technicianId : undefined
			]);
		case 'report':
			return principals([
				ADMIN,
				DISPATCHER,
				BILLING,
				group,
				...routed,
				ticketLive ? doc.technicianId : undefined
			]);
		case 'event': {
			if (doc.kind === 'credential_reveal') return principals([ADMIN, ...users([doc.author])]);
			// Of a billed ticket's timeline, the commercial service reads only its number: the
			// whole timeline of every closed ticket would not fit on its device (10× the demo:
			// 18,233 events of 21,633 documents, past the 10,000 cap).
			const subject = context.subjectPrincipals ?? [];
			const readers = doc._id.startsWith(NUMBER_EVENT_PREFIX)
				? subject
				: subject.filter((p) => p !== BILLING);
			return principals([ADMIN, ...readers]);
		}
		case 'calendar':
			return principals([ADMIN, DISPATCHER, doc.technicianId]);
		case 'user':
			return principals([ADMIN, DISPATCHER, EXPERT, doc._id]);
		case 'grant':
			return principals([ADMIN, doc.technicianId]);
		case 'config':
			return principals([ADMIN, EVERYONE]);
		case 'billing':
			return principals([ADMIN, BILLING]);
		case 'hourbank':
			// Minutes, no amounts: the desk shows the bank's balance at intake and on the ticket.
			return principals([ADMIN, DISPATCHER, EXPERT, BILLING]);
		case 'invoice':
			// Amounts and payments: the commercial service's and the admin's, nobody else's.
			return principals([ADMIN, BILLING]);
		case 'survey':
			// The desk follows satisfaction (seed 003): dispatchers, admins, the ticket's group.
			return principals([ADMIN, DISPATCHER, group, ...routed]);
	}
}

/** The principals a user holds. A disabled user holds none, so reads nothing. */
export function userPrincipals(user: UserLike): string[] {
	if (user.disabled === true) return [];
	const groups = user.roles.includes('expert') ? user.groups.map((g) => `group:${g}`) : [];
	return principals([user._id, EVERYONE, ...user.roles.map((r) => `role:${r}`), ...groups]);
}

export function visibleTo(docPrincipals: readonly string[], user: UserLike): boolean {
	const held = new Set(userPrincipals(user));
	return docPrincipals.some((p) => held.has(p));
}
