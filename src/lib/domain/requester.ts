/**
 * What the requester may do from their page (seed 004 §III-B-5, seed 003): confirm a resolved
 * ticket (it closes, closure how "requester"), say it is not solved within `reopenDays` of its
 * resolution or closure (it reopens), write a message, and answer the satisfaction survey once
 * the ticket is closed. The inputs are checked here with the words the page shows.
 */
import * as v from 'valibot';
import { toMillis, type Instant } from './ids.ts';
import { DEFAULT_REOPEN_DAYS } from './schemas/config.ts';
import { slaFactsOf, withSlaFacts } from './sla-facts.ts';
import { MAX_SURVEY_COMMENT, SURVEY_RATINGS } from './schemas/survey.ts';
import type { EventDoc } from './schemas/event.ts';
import type { MissionDoc } from './schemas/mission.ts';
import type { ReportDoc } from './schemas/report.ts';
import type { SurveyDoc } from './schemas/survey.ts';
import type { ClosureHow, TicketDoc, TicketStatus } from './schemas/ticket.ts';
import type { Actor } from './ticket-rules.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
export const MAX_REQUESTER_MESSAGE = 4000;

/** The requester, as the domain's rules know them: the ticket's own e-mail address. */
export function requesterActor(ticket: Pick<TicketDoc, 'requester'>): Actor {
	return { kind: 'requester', email: ticket.requester.email };
}

/** The days of `config:requester`, or the default when it is absent or wrong. */
export function reopenDaysOf(config: unknown): number {
	const days = (config as { reopenDays?: unknown } | null | undefined)?.reopenDays;
	return typeof days === 'number' && Number.isInteger(days) && days >= 0
		? days
		: DEFAULT_REOPEN_DAYS;
}

/** Until when the requester may reopen: N days after the resolution (or closure). */
export function reopenUntil(
	ticket: Pick<TicketDoc, 'status' | 'resolution' | 'closure'>,
	days: number
): string | undefined {
	const since =
		ticket.status === 'closed'
			? ticket.closure?.at
			: ticket.status === 'resolved'
				? ticket.resolution?.at
				: undefined;
	return since === undefined ? undefined : new Date(toMillis(since) + days * DAY_MS).toISOString();
}

/**
 * The ticket as the requester's page shows it, from the ticket as stored and its events: closed
 * when the server's timeout job closed its resolution (an `event:sla:` fact, sla-facts.ts), as
 * the desk shows it. Only that closure is the requester's: the level an escalation reached is
 * the team's business and is left as stored. Display only, never saved.
 */
export function requesterTicket(ticket: TicketDoc, events: readonly EventDoc[]): TicketDoc {
	const { timeouts } = slaFactsOf(events, ticket._id);
	return withSlaFacts(ticket, { escalatedFor: [], level: 0, warnedFor: [], timeouts });
}

/** Kinds of event never shown to the requester, whatever their visibility says. */
const INTERNAL_KINDS: ReadonlySet<EventDoc['kind']> = new Set(['escalated', 'sla_warning']);

/** Whether an event belongs on the requester's timeline: meant for them, and no SLA internals. */
export function isPublicEvent(event: Pick<EventDoc, 'kind' | 'visibility'>): boolean {
	return event.visibility === 'requester' && !INTERNAL_KINDS.has(event.kind);
}

export interface RequesterChoices {
	readonly confirm: boolean;
	readonly reopen: boolean;
	/** The last instant the requester may reopen, when they still may. */
	readonly reopenUntil?: string | undefined;
	readonly survey: boolean;
	readonly message: boolean;
}

export function requesterChoices(
	ticket: Pick<TicketDoc, 'status' | 'resolution' | 'closure'>,
	now: Instant,
	days: number,
	answered: boolean
): RequesterChoices {
	const until = reopenUntil(ticket, days);
	const reopen = until !== undefined && toMillis(now) < toMillis(until);
	return {
		confirm: ticket.status === 'resolved',
		reopen,
		...(reopen ? { reopenUntil: until } : {}),
		survey: ticket.status === 'closed' && !answered,
		message: ticket.status !== 'cancelled'
	};
}

/* The requester page's API answer (server/requester/view.ts makes it, the page words it). */

export interface PublicEvent {
	readonly id: string;
	readonly kind: EventDoc['kind'];
	readonly at: string;
	/** `you`: the requester; `staff`: someone of the support team (named); `system`. */
	readonly author: 'you' | 'staff' | 'system';
	readonly name?: string;
	readonly body: string;
	/** Only the fields a requester's entry is worded from. */
	readonly data: {
		readonly action?: string;
		readonly from?: string;
		readonly to?: string;
		/** How a closure happened, when the server closed it (`timeout`). */
		readonly how?: string;
		readonly number?: number;
		readonly start?: string;
		readonly technician?: string;
		/** For a notice: the template it was written from (`ticket_closed`…). */
		readonly template?: string;
	};
}

export interface PublicVisit {
	readonly start: string;
	readonly end: string;
	readonly status: MissionDoc['status'];
	readonly technician: string;
}

export interface PublicReport {
	/** The report id's suffix, for its PDF's address. */
	readonly id: string;
	readonly signedAt: string;
	readonly technician: string;
	readonly outcome: ReportDoc['outcome'];
}

export interface RequesterView {
	readonly number: number | null;
	readonly title: string;
	readonly createdAt: string;
	readonly status: TicketStatus;
	readonly requester: string;
	readonly solution?: string | undefined;
	readonly closure?: { readonly how: ClosureHow; readonly at: string } | undefined;
	readonly pendingOnYou: boolean;
	readonly timeline: readonly PublicEvent[];
	readonly visits: readonly PublicVisit[];
	readonly reports: readonly PublicReport[];
	readonly survey: Pick<SurveyDoc, 'rating' | 'comment' | 'answeredAt'> | null;
	readonly choices: RequesterChoices;
	readonly reopenDays: number;
}

const message = v.pipe(
	v.string('Message : texte attendu'),
	v.trim(),
	v.minLength(1, 'Message : écrivez quelques mots'),
	v.maxLength(MAX_REQUESTER_MESSAGE, `Message : ${MAX_REQUESTER_MESSAGE} caractères au plus`)
);

export const RequesterMessageInput = v.object({ text: message });

export const RequesterReopenInput = v.object({
	text: v.optional(
		v.pipe(
			v.string('Précisions : texte attendu'),
			v.trim(),
			v.maxLength(MAX_REQUESTER_MESSAGE, `Précisions : ${MAX_REQUESTER_MESSAGE} caractères au plus`)
		)
	)
});

export const RequesterSurveyInput = v.object({
	rating: v.picklist(SURVEY_RATINGS, 'Note : choisissez une note de 1 à 5'),
	comment: v.optional(
		v.pipe(
			v.string('Commentaire : texte attendu'),
			v.trim(),
			v.maxLength(MAX_SURVEY_COMMENT, `Commentaire : ${MAX_SURVEY_COMMENT} caractères au plus`)
		),
		''
	)
});
