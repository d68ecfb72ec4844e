/**
 * The ticket life cycle: `transition` applies an action for an actor and returns the new
 * ticket, or a refusal saying why. It never throws, so the UI can show the reason and the
 * server can return it per document.
 */
import { toIso, type Instant } from './ids.ts';
import { ITIL_PRIORITY_MATRIX, priorityOf } from './priority.ts';
import { err, ok, type Result } from './result.ts';
import { parseTicket } from './schemas.ts';
import type { PriorityMatrix, Taxonomy } from './schemas/config.ts';
import {
	LEVELS_1_TO_3,
	PENDING_REASONS,
	WORKED_STATUSES,
	type PendingReason,
	type Requester,
	type Scale3,
	type TicketDoc,
	type TicketKind,
	type TicketLink,
	type TicketSource
} from './schemas/ticket.ts';
import { touch } from './stamps.ts';
import { routingGroup } from './taxonomy.ts';
import { invalid, refusal, type RefusalKey, type RefusalParams } from './refusals.ts';
import {
	actorId,
	closureHow,
	hasRole,
	mayPerform,
	type Actor,
	type Refusal
} from './ticket-rules.ts';

export * from './ticket-rules.ts';

export type TicketAction =
	| {
			type: 'qualify';
			category: string;
			subcategory?: string | undefined;
			impact: Scale3;
			urgency: Scale3;
			kind?: TicketKind | undefined;
			clientId?: string | undefined;
			/** Overrides the taxonomy's routing group. */
			group?: string | undefined;
	  }
	| { type: 'route'; group: string }
	| { type: 'assign'; assignees: readonly string[] }
	| { type: 'plan'; technicianId: string }
	| { type: 'start' }
	| { type: 'wait'; reason: PendingReason }
	| { type: 'resume' }
	| { type: 'resolve'; solution: string }
	| { type: 'close'; solution?: string | undefined; reportId?: string | undefined }
	| { type: 'reopen'; to?: 'qualified' | 'assigned' | undefined }
	| { type: 'cancel'; reason: string; duplicateOf?: string | undefined }
	| { type: 'escalate'; group?: string | undefined }
	| { type: 'link'; link: TicketLink }
	| { type: 'unlink'; link: TicketLink };

/** Referentials some actions need; without a taxonomy, `qualify` must be given a group. */
export interface TicketRules {
	taxonomy?: Taxonomy | undefined;
	matrix?: PriorityMatrix | undefined;
	/** The groups referential: when given (and not empty), a ticket goes only to one of these. */
	groups?: readonly { readonly id: string }[] | undefined;
	/** Active users who may be assigned: when given, anyone else is refused. */
	assignable?: ReadonlySet<string> | undefined;
}

/** Whether `group` is one the referential knows (any group when there is no referential). */
export function knownGroup(rules: Pick<TicketRules, 'groups'>, group: string): boolean {
	const groups = rules.groups ?? [];
	return groups.length === 0 || groups.some((g) => g.id === group);
}

function groupRefusal(group: string): Result<never, Refusal> {
	return refuse('unknown_group', `there is no group ${group}: choose one from the list`);
}

type Draft = Omit<TicketDoc, 'pending' | 'resolution' | 'closure' | 'cancellation'> &
	Partial<TicketDoc>;

const refuse = (key: RefusalKey, message: string, params?: RefusalParams): Result<never, Refusal> =>
	err(refusal('params', key, message, params));
const blank = (s: string | undefined): boolean => s === undefined || s.trim() === '';

function withoutOutcome(ticket: TicketDoc): Draft {
	const { pending: _p, resolution: _r, closure: _c, cancellation: _x, ...rest } = ticket;
	return rest;
}

function sameLink(a: TicketLink, b: TicketLink): boolean {
	return a.kind === b.kind && a.ticketId === b.ticketId;
}

/** The ticket after `action`, before stamping; refusals here are about the parameters. */
function apply(
	ticket: TicketDoc,
	action: TicketAction,
	actor: Actor,
	at: string,
	rules: TicketRules
): Result<Draft, Refusal> {
	const by = actorId(actor);
	switch (action.type) {
		case 'qualify': {
			if (blank(action.category)) return refuse('need_category', 'choose a category');
			if (!LEVELS_1_TO_3.includes(action.impact) || !LEVELS_1_TO_3.includes(action.urgency)) {
				return refuse('need_levels', 'impact and urgency must be 1, 2 or 3');
			}
			let group = action.group;
			if (blank(group)) {
				if (rules.taxonomy === undefined)
					return refuse('need_taxonomy', 'no taxonomy to route by: choose a group');
				const routed = routingGroup(rules.taxonomy, action.category, action.subcategory);
				if (!routed.ok) {
					const params = { category: action.category, subcategory: action.subcategory ?? '' };
					const key =
						action.subcategory === undefined || routed.error.startsWith('unknown category')
							? 'unknown_category'
							: 'unknown_subcategory';
					return refuse(key, routed.error, params);
				}
				group = routed.value;
			}
			if (group !== undefined && !knownGroup(rules, group)) return groupRefusal(group);
			const clientId = action.clientId ?? ticket.clientId;
			if (clientId === undefined) return refuse('need_client', 'identify the client first');
			const { subcategory: _s, ...rest } = ticket;
			const next: Draft = {
				...rest,
				kind: action.kind ?? ticket.kind,
				preTicket: false,
				status: 'qualified',
				clientId,
				category: action.category,
				group,
				impact: action.impact,
				urgency: action.urgency,
				priority: priorityOf(action.impact, action.urgency, rules.matrix ?? ITIL_PRIORITY_MATRIX)
			};
			if (action.subcategory !== undefined) next.subcategory = action.subcategory;
			return ok(next);
		}
		case 'route':
			if (blank(action.group)) return refuse('need_group', 'choose a group');
			if (!knownGroup(rules, action.group)) return groupRefusal(action.group);
			return ok({
				...ticket,
				group: action.group,
				status: 'qualified',
				assignees: [],
				level: Math.max(ticket.level, 2) as Scale3
			});
		case 'assign': {
			const assignees = [...new Set(action.assignees)];
			if (assignees.length === 0) return refuse('need_assignee', 'choose at least one person');
			if (!assignees.every((id) => id.startsWith('user:')))
				return refuse('assignee_ids', 'assignees must be user ids ("user:…")');
			const { assignable } = rules;
			if (assignable !== undefined && !assignees.every((id) => assignable.has(id)))
				return refuse('unknown_user', 'choose people among the active users');
			return ok({ ...ticket, status: 'assigned', assignees });
		}
		case 'plan':
			if (!action.technicianId.startsWith('user:'))
				return refuse('technician_id', 'the technician must be a user id ("user:…")');
			return ok({
				...ticket,
				status: 'planned',
				assignees: [...new Set([...ticket.assignees, action.technicianId])]
			});
		case 'start':
			return ok({ ...ticket, status: 'in_progress' });
		case 'wait': {
			if (!PENDING_REASONS.includes(action.reason))
				return refuse(
					'need_wait_reason',
					'say whom the ticket waits on: the requester or a third party'
				);
			const from = ticket.status;
			if (
				from !== 'qualified' &&
				from !== 'assigned' &&
				from !== 'planned' &&
				from !== 'in_progress'
			)
				return refuse('nothing_to_wait', 'nothing to wait from');
			return ok({
				...ticket,
				status: 'pending',
				pending: { reason: action.reason, since: at, from }
			});
		}
		case 'resume':
			return ok({ ...withoutOutcome(ticket), status: ticket.pending?.from ?? 'qualified' });
		case 'resolve':
			if (blank(action.solution)) return refuse('need_solution', 'write the solution');
			return ok({
				...withoutOutcome(ticket),
				status: 'resolved',
				resolution: { by, at, solution: action.solution }
			});
		case 'close': {
			const solution = blank(action.solution) ? ticket.resolution?.solution : action.solution;
			if (solution === undefined || blank(solution))
				return refuse('need_solution', 'write the solution');
			const closure: NonNullable<TicketDoc['closure']> = {
				by,
				how: closureHow(ticket, actor),
				at,
				solution
			};
			// The field closes through the signed report only (may-write.ts checks it names one);
			// the desk (levels 1 and 2) closes with a written solution.
			const field =
				hasRole(actor, 'technician') &&
				!hasRole(actor, 'dispatcher') &&
				!hasRole(actor, 'admin') &&
				!hasRole(actor, 'expert');
			if (action.reportId === undefined && field)
				return refuse('need_report', 'a technician closes a ticket through the signed report');
			if (action.reportId !== undefined) {
				if (!action.reportId.startsWith('report:'))
					return refuse('invalid_report', 'the report must be a report id ("report:…")');
				closure.reportId = action.reportId;
			}
			const next: Draft = { ...withoutOutcome(ticket), status: 'closed', closure };
			if (ticket.resolution !== undefined) next.resolution = ticket.resolution;
			return ok(next);
		}
		case 'reopen': {
			const to = action.to ?? (ticket.assignees.length > 0 ? 'assigned' : 'qualified');
			if (to === 'assigned' && ticket.assignees.length === 0)
				return refuse('reopen_nobody', 'nobody to reopen it to: reopen it as qualified');
			return ok({ ...withoutOutcome(ticket), status: to });
		}
		case 'cancel': {
			if (blank(action.reason)) return refuse('need_reason', 'give the reason');
			const next: Draft = {
				...withoutOutcome(ticket),
				status: 'cancelled',
				cancellation: { by, at, reason: action.reason }
			};
			if (action.duplicateOf !== undefined) {
				if (!action.duplicateOf.startsWith('ticket:') || action.duplicateOf === ticket._id)
					return refuse('duplicate_target', 'name the ticket this one duplicates');
				const link: TicketLink = { kind: 'duplicate_of', ticketId: action.duplicateOf };
				if (!ticket.links.some((l) => sameLink(l, link))) next.links = [...ticket.links, link];
			}
			return ok(next);
		}
		case 'escalate': {
			const next: Draft = { ...ticket, level: (ticket.level + 1) as Scale3 };
			if (action.group !== undefined && action.group !== ticket.group) {
				if (blank(action.group)) return refuse('need_group', 'choose a group');
				if (!knownGroup(rules, action.group)) return groupRefusal(action.group);
				// A new group starts from its own queue: nobody there is assigned yet.
				next.group = action.group;
				next.assignees = [];
				if (WORKED_STATUSES.includes(ticket.status)) next.status = 'qualified';
				if (ticket.pending !== undefined) next.pending = { ...ticket.pending, from: 'qualified' };
			}
			return ok(next);
		}
		case 'link':
		case 'unlink': {
			const { link } = action;
			if (!link.ticketId.startsWith('ticket:') || link.ticketId === ticket._id)
				return refuse('link_target', 'a ticket links to another ticket');
			const present = ticket.links.some((l) => sameLink(l, link));
			if (action.type === 'link')
				return present
					? refuse('link_exists', 'these tickets are already linked so')
					: ok({ ...ticket, links: [...ticket.links, link] });
			return present
				? ok({ ...ticket, links: ticket.links.filter((l) => !sameLink(l, link)) })
				: refuse('link_missing', 'there is no such link');
		}
	}
}

/**
 * Applies `action` for `actor` at `now`. The result is stamped (stamps.ts) and checked
 * against the schema; a refusal carries a code and a sentence for the person.
 */
export function transition(
	ticket: TicketDoc,
	action: TicketAction,
	actor: Actor,
	now: Instant,
	rules: TicketRules = {}
): Result<TicketDoc, Refusal> {
	const allowed = mayPerform(ticket, action.type, actor);
	if (!allowed.ok) return allowed;
	const at = toIso(now);
	const applied = apply(ticket, action, actor, at, rules);
	if (!applied.ok) return applied;
	const next = touch(ticket, applied.value as TicketDoc, at, actorId(actor));
	const checked = parseTicket(next);
	// Only reachable if a rule above and the schema disagree: a bug, reported rather than saved.
	if (!checked.ok) return err(invalid(checked.error));
	return ok(next);
}

/** Closed or cancelled tickets are over; everything else is open (the backlog). */
export function isOpen(ticket: Pick<TicketDoc, 'status'>): boolean {
	return ticket.status !== 'closed' && ticket.status !== 'cancelled';
}

/** When the ticket stopped being open: the start of a technician's access window. */
export function endedAt(ticket: Pick<TicketDoc, 'closure' | 'cancellation'>): string | undefined {
	return ticket.closure?.at ?? ticket.cancellation?.at;
}

export interface NewTicket {
	id: string;
	kind: TicketKind;
	title: string;
	description?: string | undefined;
	requester: Requester;
	source: TicketSource;
	clientId?: string | undefined;
	impact?: Scale3 | undefined;
	urgency?: Scale3 | undefined;
	matrix?: PriorityMatrix | undefined;
}

/**
 * A new ticket as an operator or the form opens it: status new, level 1. What comes from the
 * form is a pre-ticket until an operator qualifies it (seed 004 §II-B). Impact and urgency
 * default to medium until someone qualifies the ticket.
 */
export function openTicket(input: NewTicket, by: string, now: Instant): TicketDoc {
	const impact = input.impact ?? 2;
	const urgency = input.urgency ?? 2;
	const at = toIso(now);
	const ticket: TicketDoc = {
		_id: input.id,
		type: 'ticket',
		kind: input.kind,
		preTicket: input.source === 'form',
		title: input.title,
		description: input.description ?? '',
		requester: input.requester,
		source: input.source,
		impact,
		urgency,
		priority: priorityOf(impact, urgency, input.matrix ?? ITIL_PRIORITY_MATRIX),
		status: 'new',
		level: 1,
		assignees: [],
		links: [],
		createdAt: at,
		createdBy: by,
		updatedAt: at,
		updatedBy: by
	};
	if (input.clientId !== undefined) ticket.clientId = input.clientId;
	return ticket;
}
