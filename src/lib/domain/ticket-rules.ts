/**
 * Who may do what to a ticket, and from which status (seed 004 §III-B, seed 003).
 *
 *   new ─qualify→ qualified ─assign→ assigned ─plan→ planned ─start→ in_progress
 *   (qualified…in_progress) ─wait→ pending ─resume→ back where it was
 *   (qualified…pending) ─resolve→ resolved ─close→ closed      (close also straight from work)
 *   resolved / closed ─reopen→ qualified or assigned;  (new…pending) ─cancel→ cancelled
 *
 * The people: the dispatcher (level 1; admins act as dispatchers), an expert of the ticket's
 * group (level 2/3), an assignee (expert or technician the ticket is assigned to), the
 * requester through the form, and the system (timeouts, escalation on deadlines).
 */
import { refusal, type Refusal, type RefusalCode, type RefusalParams } from './refusals.ts';
import { err, ok, type Result } from './result.ts';
import type { Role, UserDoc } from './schemas/people.ts';
import type { ClosureHow, TicketDoc, TicketStatus } from './schemas/ticket.ts';

export type Actor =
	| {
			readonly kind: 'user';
			readonly id: string;
			readonly roles: readonly Role[];
			readonly groups: readonly string[];
	  }
	| { readonly kind: 'requester'; readonly email?: string | undefined }
	| { readonly kind: 'system' };

export const TICKET_ACTION_TYPES = [
	'qualify',
	'route',
	'assign',
	'plan',
	'start',
	'wait',
	'resume',
	'resolve',
	'close',
	'reopen',
	'cancel',
	'escalate',
	'link',
	'unlink'
] as const;
export type TicketActionType = (typeof TICKET_ACTION_TYPES)[number];

export type { Refusal, RefusalCode } from './refusals.ts';

export type ActionAvailability =
	| { readonly action: TicketActionType; readonly allowed: true }
	| {
			readonly action: TicketActionType;
			readonly allowed: false;
			readonly code: RefusalCode;
			readonly reason: string;
			readonly refusal: Refusal;
	  };

export type Who =
	'dispatcher' | 'group_expert' | 'any_expert' | 'assignee' | 'requester' | 'system';

interface Rule {
	readonly from: readonly TicketStatus[];
	/** Who may, and from which of `from` (`true`: all of them). */
	readonly who: Partial<Record<Who, true | readonly TicketStatus[]>>;
}

const OPEN: readonly TicketStatus[] = [
	'qualified',
	'assigned',
	'planned',
	'in_progress',
	'pending'
];
const WORKING: readonly TicketStatus[] = ['qualified', 'assigned', 'planned', 'in_progress'];
const ALL: readonly TicketStatus[] = ['new', ...OPEN, 'resolved', 'closed', 'cancelled'];
const desk = { dispatcher: true, group_expert: true } as const;

export const TICKET_RULES: Readonly<Record<TicketActionType, Rule>> = {
	qualify: { from: ['new'], who: { dispatcher: true, any_expert: true } },
	route: { from: ['qualified', 'assigned'], who: desk },
	assign: { from: WORKING, who: desk },
	// From in progress too: a mission that ended without a signed report leaves the ticket to
	// plan again (planning.ts `mayReplan` checks that no mission of it is still active).
	plan: { from: ['qualified', 'assigned', 'planned', 'in_progress'], who: desk },
	start: { from: ['assigned', 'planned'], who: { assignee: true } },
	wait: { from: WORKING, who: { ...desk, assignee: true } },
	resume: { from: ['pending'], who: { ...desk, assignee: true, requester: true } },
	resolve: { from: OPEN, who: { ...desk, assignee: true } },
	close: {
		from: [...OPEN, 'resolved'],
		who: {
			...desk,
			assignee: ['assigned', 'planned', 'in_progress', 'pending', 'resolved'],
			requester: ['resolved'],
			system: ['resolved']
		}
	},
	reopen: { from: ['resolved', 'closed'], who: { ...desk, requester: true } },
	cancel: { from: ['new', ...OPEN], who: { ...desk, requester: ['new', 'qualified'] } },
	escalate: { from: OPEN, who: { ...desk, assignee: true, system: true } },
	link: { from: ALL, who: { ...desk, assignee: true } },
	unlink: { from: ALL, who: { ...desk, assignee: true } }
};

const WHO_WORDS: Record<Who, string> = {
	dispatcher: 'a dispatcher',
	group_expert: "an expert of the ticket's group",
	any_expert: 'an expert',
	assignee: 'a person assigned to the ticket',
	requester: 'the requester',
	system: 'the system'
};

export function actorFromUser(user: Pick<UserDoc, '_id' | 'roles' | 'groups' | 'disabled'>): Actor {
	// A disabled account keeps its id for the record but may no longer act.
	return {
		kind: 'user',
		id: user._id,
		roles: user.disabled === true ? [] : user.roles,
		groups: user.groups
	};
}

/** What goes into `updatedBy`, `closure.by`…: a user id, "requester" or "system". */
export function actorId(actor: Actor): string {
	return actor.kind === 'user' ? actor.id : actor.kind;
}

export function hasRole(actor: Actor, role: Role): boolean {
	return actor.kind === 'user' && actor.roles.includes(role);
}

export function isAssignee(ticket: Pick<TicketDoc, 'assignees'>, actor: Actor): boolean {
	return actor.kind === 'user' && ticket.assignees.includes(actor.id);
}

export function isGroupExpert(ticket: Pick<TicketDoc, 'group'>, actor: Actor): boolean {
	return (
		actor.kind === 'user' &&
		hasRole(actor, 'expert') &&
		ticket.group !== undefined &&
		actor.groups.includes(ticket.group)
	);
}

function fits(ticket: TicketDoc, actor: Actor, who: Who): boolean {
	switch (who) {
		case 'dispatcher':
			return hasRole(actor, 'dispatcher') || hasRole(actor, 'admin');
		case 'group_expert':
			return isGroupExpert(ticket, actor);
		case 'any_expert':
			return hasRole(actor, 'expert');
		case 'assignee':
			return isAssignee(ticket, actor);
		case 'requester':
			return actor.kind === 'requester';
		case 'system':
			return actor.kind === 'system';
	}
}

function sameEmail(a: string | undefined, b: string | undefined): boolean {
	return a !== undefined && b !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** Whether `actor` may perform `action` on `ticket` now (parameters are checked later). */
export function mayPerform(
	ticket: TicketDoc,
	action: TicketActionType,
	actor: Actor
): Result<true, Refusal> {
	const rule = TICKET_RULES[action];
	if (!rule.from.includes(ticket.status)) {
		return err(
			refusal(
				'status',
				'status_from',
				`cannot ${action} a ticket that is ${ticket.status.replace('_', ' ')}`,
				{ action, status: ticket.status }
			)
		);
	}
	const entries = Object.entries(rule.who) as Array<[Who, true | readonly TicketStatus[]]>;
	const here = entries.filter(([, from]) => from === true || from.includes(ticket.status));
	if (!here.some(([who]) => fits(ticket, actor, who))) {
		const names = here.map(([who]) => WHO_WORDS[who]);
		const list =
			names.length > 1
				? `${names.slice(0, -1).join(', ')} or ${names.at(-1) ?? ''}`
				: (names[0] ?? 'nobody');
		const params: RefusalParams = { action, who: here.map(([who]) => who) };
		return err(refusal('role', 'who_only', `only ${list} may ${action} this ticket now`, params));
	}
	if (actor.kind === 'requester' && !sameEmail(actor.email, ticket.requester.email)) {
		return err(
			refusal(
				'role',
				'requester_other',
				'only the requester of this ticket may do this through the form'
			)
		);
	}
	if (action === 'escalate' && ticket.level >= 3) {
		return err(refusal('rule', 'level_max', 'the ticket is already at level 3'));
	}
	if (action === 'resume' && actor.kind === 'requester' && ticket.pending?.reason !== 'requester') {
		return err(
			refusal(
				'rule',
				'waits_third_party',
				'the ticket waits on a third party, not on the requester'
			)
		);
	}
	return ok(true);
}

/** Every action with whether this actor may take it now and, if not, why (for the UI). */
export function availableActions(ticket: TicketDoc, actor: Actor): ActionAvailability[] {
	return TICKET_ACTION_TYPES.map((action) => {
		const verdict = mayPerform(ticket, action, actor);
		return verdict.ok
			? { action, allowed: true }
			: {
					action,
					allowed: false,
					code: verdict.error.code,
					reason: verdict.error.message,
					refusal: verdict.error
				};
	});
}

/**
 * How a closure is recorded (seed 004 §III-B-5-a): by the requester, on timeout by the system,
 * by level 2 when the closer treats the ticket (expert of its group, or assigned expert or
 * technician), otherwise by level 1.
 */
export function closureHow(ticket: TicketDoc, actor: Actor): ClosureHow {
	if (actor.kind === 'requester') return 'requester';
	if (actor.kind === 'system') return 'timeout';
	const treats =
		isGroupExpert(ticket, actor) ||
		(isAssignee(ticket, actor) && (hasRole(actor, 'expert') || hasRole(actor, 'technician')));
	return treats ? 'level2' : 'level1';
}

/** The statuses an action can lead to from `before`, given what else changed in `after`. */
function targets(
	action: TicketActionType,
	before: TicketDoc,
	after: ChangeFacts
): readonly TicketStatus[] {
	switch (action) {
		case 'qualify':
		case 'route':
			return ['qualified'];
		case 'assign':
			return ['assigned'];
		case 'plan':
			return ['planned'];
		case 'start':
			return ['in_progress'];
		case 'wait':
			return ['pending'];
		case 'resume':
			return [before.pending?.from ?? 'qualified'];
		case 'resolve':
			return ['resolved'];
		case 'close':
			return ['closed'];
		case 'reopen':
			return ['qualified', 'assigned'];
		case 'cancel':
			return ['cancelled'];
		case 'escalate': {
			// Only a real escalation (one level up) to another group requeues the ticket.
			const requeues = after.level === before.level + 1 && after.group !== before.group;
			return requeues ? ['qualified'] : [];
		}
		case 'link':
		case 'unlink':
			return [];
	}
}

type ChangeFacts = Pick<TicketDoc, 'status' | 'group' | 'level'>;

/**
 * For a save that changes a ticket's status without saying which action it was (a document
 * arriving through sync): allowed when some chain of actions this actor may take, each from
 * where the previous one left the ticket, leads there. A device pushes only the last revision
 * of a document, so a dispatcher who qualifies then plans before the first push (or offline)
 * sends new → planned; each step is checked as if it had been pushed on its own.
 */
export function statusChangeAllowed(
	before: TicketDoc,
	after: ChangeFacts,
	actor: Actor
): Result<true, Refusal> {
	if (before.status === after.status) return ok(true);
	let last: Refusal = refusal(
		'status',
		'status_path',
		`a ticket cannot go from ${before.status} to ${after.status}`,
		{ from: before.status, to: after.status }
	);
	const seen = new Set<TicketStatus>([before.status]);
	let frontier: TicketDoc[] = [before];
	for (let depth = 0; frontier.length > 0; depth++) {
		const next: TicketDoc[] = [];
		for (const at of frontier) {
			for (const action of TICKET_ACTION_TYPES) {
				if (!TICKET_RULES[action].from.includes(at.status)) continue;
				for (const to of targets(action, at, after)) {
					if (seen.has(to)) continue;
					const verdict = mayPerform(at, action, actor);
					if (!verdict.ok) {
						// The reason shown is that of a direct step, as when no chain was tried.
						if (depth === 0 && to === after.status) last = verdict.error;
						continue;
					}
					if (to === after.status) return ok(true);
					seen.add(to);
					next.push(stepped(before, after, at, to));
				}
			}
		}
		frontier = next;
	}
	return err(last);
}

/**
 * The ticket between two steps of a chain: the facts that decide who may act (assignees,
 * requester) stay those the server holds; group and level are those pushed; a wait remembers
 * where it came from, so resuming goes back there and nowhere else.
 */
function stepped(
	before: TicketDoc,
	after: ChangeFacts,
	at: TicketDoc,
	to: TicketStatus
): TicketDoc {
	const { pending: _pending, group: _group, ...rest } = before;
	const ticket: TicketDoc = {
		...rest,
		...(after.group === undefined ? {} : { group: after.group }),
		level: after.level,
		status: to
	};
	if (to !== 'pending') return ticket;
	const from = at.status as NonNullable<TicketDoc['pending']>['from'];
	return { ...ticket, pending: { reason: 'requester', since: before.updatedAt, from } };
}
