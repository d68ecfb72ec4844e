/** The French sentences of pushes and fallback e-mails, and the values of notice placeholders. */
import { CLOSURE_WORDS } from '#lib/domain/notices.ts';
import type { NoticePlaceholder } from '#lib/domain/schemas/config.ts';
import type { ClosureHow } from '#lib/domain/schemas/ticket.ts';
import type { PushEvent } from './intents.ts';

const DAY = new Intl.DateTimeFormat('fr-FR', {
	timeZone: 'Europe/Paris',
	weekday: 'short',
	day: 'numeric',
	month: 'short'
});
const TIME = new Intl.DateTimeFormat('fr-FR', {
	timeZone: 'Europe/Paris',
	hour: '2-digit',
	minute: '2-digit'
});

/** `mar. 15 janv. à 10:30`, in Paris time (ICU's own joiner varies between versions). */
export function frenchWhen(iso: string): string {
	const date = new Date(iso);
	return Number.isNaN(date.getTime()) ? iso : `${DAY.format(date)} à ${TIME.format(date)}`;
}

export interface PushSubject {
	readonly start?: string;
	readonly ticketLabel: string;
	readonly level?: number;
	readonly withdrawn?: boolean;
}

/** One short sentence: what happened, when, and which ticket. */
export function pushSentence(event: PushEvent, s: PushSubject): string {
	const when = s.start ? frenchWhen(s.start) : '';
	switch (event) {
		case 'assigned':
			return `Nouvelle mission le ${when} — ${s.ticketLabel}`;
		case 'rescheduled':
			return `Mission déplacée au ${when} — ${s.ticketLabel}`;
		case 'cancelled':
			return s.withdrawn
				? `Mission du ${when} confiée à un autre intervenant — ${s.ticketLabel}`
				: `Mission du ${when} annulée — ${s.ticketLabel}`;
		case 'escalated':
			return `Ticket escaladé au niveau ${s.level ?? '?'} — ${s.ticketLabel}`;
		case 'reminder':
			return `Rappel : mission à ${s.start ? TIME.format(new Date(s.start)) : ''} — ${s.ticketLabel}`;
	}
}

export const PUSH_TITLES: Readonly<Record<PushEvent, string>> = {
	assigned: 'Nouvelle mission',
	rescheduled: 'Mission déplacée',
	cancelled: 'Mission annulée',
	escalated: 'Ticket escaladé',
	reminder: 'Mission bientôt'
};

const STATUS_FR: Readonly<Record<string, string>> = {
	new: 'nouvelle',
	qualified: 'qualifiée',
	assigned: 'attribuée',
	planned: 'intervention planifiée',
	in_progress: 'en cours de traitement',
	pending: 'en attente',
	resolved: 'résolue',
	closed: 'clôturée',
	cancelled: 'annulée'
};

const PENDING_FR: Readonly<Record<string, string>> = {
	requester: 'dans l’attente de votre réponse',
	third_party: 'dans l’attente d’un tiers'
};

/**
 * Placeholder values of a requester notice for a ticket document. `number` is the ticket's
 * real number, or null while the server has not given one: the notice then names none
 * (never the provisional id).
 */
export function noticeValues(
	ticket: Record<string, unknown>,
	number: number | null,
	operator: string,
	url: string
): Partial<Record<NoticePlaceholder, string>> {
	const requester = ticket.requester as { name?: string } | undefined;
	const closure = ticket.closure as { solution?: string; how?: string } | undefined;
	const resolution = (closure ?? ticket.resolution) as { solution?: string } | undefined;
	const pending = ticket.pending as { reason?: string } | undefined;
	return {
		number: number === null ? '' : String(number),
		title: String(ticket.title ?? ''),
		requester: requester?.name ?? '',
		operator,
		status: STATUS_FR[String(ticket.status)] ?? String(ticket.status),
		solution: resolution?.solution ?? '',
		closure: closure?.how ? (CLOSURE_WORDS[closure.how as ClosureHow] ?? '') : '',
		reason: pending?.reason ? (PENDING_FR[pending.reason] ?? pending.reason) : '',
		url
	};
}

/** `n° 10421 Imprimante`, or the title alone before the server numbered the ticket. */
export function ticketLabel(ticket: Record<string, unknown>, number: number | null): string {
	const title = String(ticket.title ?? '');
	return number === null ? title : `n° ${number} ${title}`.trim();
}
