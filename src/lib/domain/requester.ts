/**
 * What the requester may do from their page (seed 004 §III-B-5, seed 003): confirm a resolved
 * ticket (it closes, closure how "requester"), say it is not solved within `reopenDays` of its
 * resolution or closure (it reopens), write a message, and answer the satisfaction survey once
 * the ticket is closed. The inputs are checked here with the words the page shows.
 */
import * as v from 'valibot';
import { toMillis, type Instant } from './ids.ts';
import { DEFAULT_REOPEN_DAYS } from './schemas/config.ts';
import { MAX_SURVEY_COMMENT, SURVEY_RATINGS } from './schemas/survey.ts';
import type { TicketDoc } from './schemas/ticket.ts';
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
