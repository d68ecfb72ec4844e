/**
 * Names local changes the way a person recognises them ("ticket n° 10421", "rapport du
 * ticket n° 10421"), for the sign-out warning and the sync errors.
 */
import type { MessageKey } from '../i18n/messages.ts';

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

type Json = Readonly<Record<string, unknown>>;

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** `ticket n° 10421`, or `ticket « Imprimante HS » (n° provisoire)` before the server numbers it. */
export function ticketName(ticket: Json | undefined, t: Translate): string {
	if (ticket === undefined) return t('unsynced.ticketUnknown');
	const number = ticket.number;
	if (typeof number === 'number') return t('unsynced.ticket', { number });
	return t('unsynced.ticketProvisional', { title: str(ticket.title) });
}

/**
 * The name of one changed document. `related` holds the tickets and missions it may refer to,
 * by id (what the device has).
 */
export function describeDoc(doc: Json, related: ReadonlyMap<string, Json>, t: Translate): string {
	const ticketOf = (id: unknown) => ticketName(related.get(str(id)), t);
	const id = str(doc._id);
	const type = id.slice(0, id.indexOf(':'));
	switch (type) {
		case 'ticket':
			return ticketName(doc, t);
		case 'mission':
			return t('unsynced.mission', { ticket: ticketOf(doc.ticketId) });
		case 'report': {
			const mission = related.get(str(doc.missionId));
			return t('unsynced.report', { ticket: ticketOf(doc.ticketId ?? mission?.ticketId) });
		}
		case 'event':
			return doc.ticketId === undefined
				? t('unsynced.note')
				: t('unsynced.event', { ticket: ticketOf(doc.ticketId) });
		case 'client':
			return t('unsynced.client', { name: str(doc.name) });
		case 'techfile':
			return t('unsynced.techfile', { name: str(related.get(str(doc.clientId))?.name) });
		case 'calendar':
			return t('unsynced.calendar');
		default:
			return t('unsynced.other', { id });
	}
}

/** The ids a changed document refers to, so the caller can load them in one read. */
export function relatedIds(doc: Json): string[] {
	return ['ticketId', 'missionId', 'clientId'].map((k) => str(doc[k])).filter((id) => id !== '');
}

/** "3 modifications non synchronisées : ticket n° 10421, rapport du ticket n° 10421, …" */
export function summarize(names: readonly string[], t: Translate, shown = 5): string {
	if (names.length === 0) return t('unsynced.none');
	const list = names.slice(0, shown).join(', ');
	const more = names.length > shown ? t('unsynced.more', { count: names.length - shown }) : '';
	return t(names.length === 1 ? 'unsynced.one' : 'unsynced.many', {
		count: names.length,
		list: `${list}${more}`
	});
}
