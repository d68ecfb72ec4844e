// The requester's page: its calls to the server and the words of its timeline entries, from
// each entry's kind and data (codes), falling back to the text a person wrote.
import { api } from '#lib/api/http.ts';
import type { PublicEvent, RequesterView } from '#lib/domain/requester.ts';
import { TICKET_STATUSES, type TicketStatus } from '#lib/domain/schemas.ts';
import { label } from '#lib/i18n/labels.ts';
import type { MessageKey } from '#lib/i18n/messages.ts';

type T = (key: MessageKey, params?: Record<string, string | number>) => string;
type When = (iso: string, options?: Intl.DateTimeFormatOptions) => string;

export const base = (token: string) => `/api/public/track/${encodeURIComponent(token)}`;

export const load = (token: string) => api<RequesterView>(base(token));

export const post = (
	token: string,
	what: 'messages' | 'confirm' | 'reopen' | 'survey',
	body = {}
) => api<RequesterView>(`${base(token)}/${what}`, { method: 'POST', body });

const isStatus = (s: string | undefined): s is TicketStatus =>
	s !== undefined && (TICKET_STATUSES as readonly string[]).includes(s);

export const LONG_DATE: Intl.DateTimeFormatOptions = { dateStyle: 'long', timeStyle: 'short' };

/** Who wrote the entry, in words. */
export function authorOf(e: PublicEvent, t: T): string {
	if (e.author === 'you') return t('track.you');
	if (e.author === 'system') return t('track.system');
	return e.name ? t('track.staff', { name: e.name }) : t('track.team');
}

/** What happened, in words; the person's own text is shown apart (`textOf`). */
export function sentenceOf(e: PublicEvent, t: T, when: When): string {
	const { data } = e;
	switch (e.kind) {
		case 'status_change':
			if (
				data.action === 'open' ||
				data.action === 'confirm' ||
				data.action === 'reopen' ||
				data.action === 'resume'
			)
				return t(`track.e.${data.action}`);
			if (data.how === 'timeout') return t('track.e.timeout');
			if (isStatus(data.to)) return t('track.e.statusTo', { status: t(`status.${data.to}`) });
			return t('event.status_change');
		case 'mission_planned':
			if (data.start === undefined) return t('event.mission_planned');
			return data.technician
				? t('track.e.planned', { date: when(data.start, LONG_DATE), technician: data.technician })
				: t('track.e.plannedNoName', { date: when(data.start, LONG_DATE) });
		case 'ticket_numbered':
			return data.number === undefined
				? t('event.ticket_numbered')
				: t('track.e.numbered', { number: data.number });
		case 'notice_sent': {
			// The notice's kind in words ("clôture"), from its template; never an empty subject.
			const kind = data.template === undefined ? '' : label(t, 'notice', data.template);
			const subject = kind !== '' && kind !== data.template ? kind : e.body.trim();
			return subject ? t('track.e.notice', { subject }) : t('event.notice_sent');
		}
		case 'report_signed':
			return t('track.e.report');
		case 'follow_up':
		case 'call':
			return t(`track.e.${e.kind}`);
		default:
			return t(`event.${e.kind}`);
	}
}

/**
 * The person's own words, when the entry has some beyond what `sentenceOf` says: messages and
 * calls, and entries written before events carried codes.
 */
export function textOf(e: PublicEvent): string {
	switch (e.kind) {
		case 'follow_up':
		case 'call':
			return e.body;
		case 'status_change':
			return e.data.action || e.data.to ? '' : e.body;
		case 'mission_planned':
			return e.data.start === undefined ? e.body : '';
		case 'ticket_numbered':
		case 'notice_sent':
			return '';
		default:
			return e.body;
	}
}
