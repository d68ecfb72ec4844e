// A ticket's life told through the domain's own state machine: every step is a real
// `transition` by a real actor, and leaves its timeline events (status changes,
// assignments, notices sent to the requester…), so the demo obeys the same rules as
// the app.
import type {
	EventDoc,
	MissionDoc,
	NoticeKey,
	ReportDoc,
	TicketDoc
} from '../../src/lib/domain/schemas.ts';
import {
	CLOSURE_WORDS,
	DEFAULT_NOTICE_TEMPLATES,
	renderNotice
} from '../../src/lib/domain/notices.ts';
import {
	transition,
	type Actor,
	type TicketAction,
	type TicketRules
} from '../../src/lib/domain/ticket.ts';
import type { DemoContext } from './context.ts';
import type { Staff } from './people.ts';
import { iso } from './time.ts';

export type Who = Staff | 'requester' | 'system';

/** Ticket statuses in French, for the demo's mail bodies (notices are rendered as sent). */
export const STATUS_LABELS: Readonly<Record<TicketDoc['status'], string>> = {
	new: 'Nouveau',
	qualified: 'Qualifié',
	assigned: 'Attribué',
	planned: 'Planifié',
	in_progress: 'En cours',
	pending: 'En attente',
	resolved: 'Résolu',
	closed: 'Clos',
	cancelled: 'Annulé'
};

export const SYSTEM_NAME = 'Terrain (automatique)';

export function actorOf(who: Who, requesterEmail: string | undefined): Actor {
	if (who === 'system') return { kind: 'system' };
	if (who === 'requester') return { kind: 'requester', email: requesterEmail };
	return { kind: 'user', id: who.id, roles: who.roles, groups: who.groups };
}

export function authorOf(who: Who): string {
	return typeof who === 'string' ? who : who.id;
}

interface EventOptions {
	visibility?: EventDoc['visibility'];
	data?: Record<string, unknown>;
	subjectId?: string;
}

export class TicketStory {
	ticket: TicketDoc;
	readonly events: EventDoc[] = [];
	readonly missions: MissionDoc[] = [];
	readonly reports: ReportDoc[] = [];
	readonly number: number;
	readonly #ctx: DemoContext;
	readonly #rules: TicketRules;

	constructor(ctx: DemoContext, ticket: TicketDoc, rules: TicketRules) {
		this.#ctx = ctx;
		this.ticket = ticket;
		this.number = ticket.number ?? 0;
		this.#rules = rules;
	}

	#name(who: Who): string {
		if (who === 'system') return SYSTEM_NAME;
		if (who === 'requester') return this.ticket.requester.name;
		return who.displayName;
	}

	/**
	 * Applies `action` through the domain's `transition` and records it in the timeline with
	 * the codes the app writes (data/ticket-actions.ts): `plan` is recorded by the mission it
	 * creates. `note` is what the person wrote (a reason); solutions come from the action;
	 * `names` are the assignees' display names. A
	 * refusal is a bug in the generator, so it throws.
	 */
	act(action: TicketAction, who: Who, at: number, note = '', names: readonly string[] = []): void {
		const before = this.ticket;
		const result = transition(
			before,
			action,
			actorOf(who, before.requester.email),
			at,
			this.#rules
		);
		if (!result.ok) {
			throw new Error(
				`demo ticket n° ${this.number}: ${action.type} refused (${result.error.message})`
			);
		}
		this.ticket = result.value;
		const after = this.ticket;
		const data: Record<string, unknown> = {
			action: action.type,
			from: before.status,
			to: after.status
		};
		const written =
			action.type === 'resolve'
				? action.solution
				: action.type === 'close'
					? (action.solution ?? '')
					: action.type === 'cancel'
						? action.reason
						: note;
		const publicly = ['resolve', 'close', 'reopen', 'cancel'].includes(action.type);
		const options = { visibility: publicly ? ('requester' as const) : ('internal' as const) };
		if (action.type === 'assign') {
			this.event('assignment', at, who, written, {
				data: { ...data, assignees: after.assignees, assigneeNames: names }
			});
		} else if (action.type === 'route') {
			this.event('assignment', at, who, written, {
				data: { ...data, group: after.group ?? '', level: after.level }
			});
		} else if (action.type === 'escalate') {
			this.event('escalation', at, who, written, {
				data: { ...data, level: after.level, ...(after.group ? { group: after.group } : {}) }
			});
		} else if (action.type !== 'plan') {
			if (action.type === 'wait') data.reason = action.reason;
			if (action.type === 'close' && after.closure) {
				data.how = after.closure.how;
				if (after.closure.reportId) data.reportId = after.closure.reportId;
			}
			this.event('status_change', at, who, written, { ...options, data });
		}
	}

	event(
		kind: EventDoc['kind'],
		at: number,
		who: Who,
		body: string,
		options: EventOptions = {}
	): EventDoc {
		const event: EventDoc = {
			_id: this.#ctx.id('event', at),
			type: 'event',
			subjectId: options.subjectId ?? this.ticket._id,
			ticketId: this.ticket._id,
			kind,
			visibility: options.visibility ?? 'internal',
			author: authorOf(who),
			authorName: this.#name(who),
			at: iso(at),
			body,
			...(options.data === undefined ? {} : { data: options.data })
		};
		this.events.push(event);
		return event;
	}

	/** The e-mail the requester received, rendered from the default French templates. */
	notice(
		key: NoticeKey,
		at: number,
		values: {
			operator?: string;
			solution?: string;
			reason?: string;
			technician?: string;
			date?: string;
		} = {}
	): void {
		const email = this.ticket.requester.email;
		if (email === undefined) return;
		const rendered = renderNotice(DEFAULT_NOTICE_TEMPLATES[key], {
			number: String(this.number),
			title: this.ticket.title,
			requester: this.ticket.requester.name,
			status: STATUS_LABELS[this.ticket.status],
			url: 'https://terrain.aprile.example/suivi/…',
			...(this.ticket.closure ? { closure: CLOSURE_WORDS[this.ticket.closure.how] } : {}),
			...values
		});
		this.event('notice_sent', at, 'system', '', {
			visibility: 'requester',
			data: { template: key, to: email, subject: rendered.subject, body: rendered.body }
		});
	}
}
