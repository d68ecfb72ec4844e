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
		case 'user':
		case 'grant':
		case 'config':
		case 'billing':
		case 'hourbank':
		case 'invoice':
		case 'survey':
			return t(`syncDoc.${type}`);
		default:
			return t('syncDoc.other');
	}
}

/** A ticket as a refusal names it: its number (once the server gave one) and its title. */
export interface TicketWords {
	readonly number?: number;
	readonly title: string;
}

/**
 * What names a refused document, in no language: its type and the ticket, client or person it
 * belongs to, as this device has them. `describeDocName` puts it in words.
 */
export interface DocName {
	readonly type: string;
	readonly ticket?: TicketWords;
	/** A client's or a person's name. */
	readonly name?: string;
	/** A mission's planned start (instant), shown in Paris time. */
	readonly start?: string;
}

function ticketWords(ticket: Json | undefined): TicketWords | undefined {
	if (ticket === undefined) return undefined;
	const number = ticket.number;
	return typeof number === 'number'
		? { number, title: str(ticket.title) }
		: { title: str(ticket.title) };
}

/**
 * The name of a document by id, from the device's copy (`doc`, undefined when it is gone, e.g.
 * deleted) and the documents it refers to (`related`: tickets, missions, clients by id).
 */
export function docNameOf(
	id: string,
	doc: Json | undefined,
	related: ReadonlyMap<string, Json>
): DocName {
	const type = id.slice(0, Math.max(0, id.indexOf(':')));
	const ticketOf = (ticketId: unknown) => ticketWords(related.get(str(ticketId)));
	const withTicket = (ticket: TicketWords | undefined, more: Partial<DocName> = {}): DocName =>
		ticket ? { type, ticket, ...more } : { type, ...more };
	if (doc === undefined) return { type };
	switch (type) {
		case 'ticket':
			return withTicket(ticketWords(doc));
		case 'mission': {
			const start = str(doc.start);
			return withTicket(ticketOf(doc.ticketId), start ? { start } : {});
		}
		case 'report': {
			const mission = related.get(str(doc.missionId));
			return withTicket(ticketOf(doc.ticketId ?? mission?.ticketId));
		}
		case 'event':
			return withTicket(doc.ticketId === undefined ? undefined : ticketOf(doc.ticketId));
		case 'client': {
			const name = str(doc.name);
			return name ? { type, name } : { type };
		}
		case 'techfile': {
			const name = str(related.get(str(doc.clientId))?.name);
			return name ? { type, name } : { type };
		}
		case 'user': {
			const name = str(doc.displayName);
			return name ? { type, name } : { type };
		}
		default:
			return { type };
	}
}

const ALONE: Readonly<Record<string, MessageKey>> = {
	ticket: 'syncDoc.ticketAlone',
	mission: 'syncDoc.missionAlone',
	report: 'syncDoc.reportAlone',
	event: 'syncDoc.eventAlone',
	client: 'syncDoc.clientAlone',
	techfile: 'syncDoc.techfileAlone',
	user: 'syncDoc.userAlone',
	calendar: 'syncDoc.calendar',
	grant: 'syncDoc.grant',
	config: 'syncDoc.config',
	billing: 'syncDoc.billing',
	survey: 'syncDoc.survey'
};

/**
 * "le ticket n° 10302 « Imprimante HS »", "le rapport d’intervention du ticket n° 10302 …",
 * "la fiche du client Mairie de Lens"; a document whose details this device lacks by its type.
 */
export function describeDocName(
	t: Translate,
	name: DocName,
	dateTime: (iso: string) => string = () => ''
): string {
	const ticket = name.ticket
		? name.ticket.number === undefined
			? t('syncDoc.ticketNew', { title: name.ticket.title })
			: t('syncDoc.ticketName', { number: name.ticket.number, title: name.ticket.title })
		: undefined;
	switch (name.type) {
		case 'ticket':
		case 'report':
		case 'event':
			if (ticket) return t(`syncDoc.${name.type}`, { ticket });
			break;
		case 'mission':
			if (ticket) {
				const date = name.start ? dateTime(name.start) : '';
				return date ? t('syncDoc.missionAt', { ticket, date }) : t('syncDoc.mission', { ticket });
			}
			break;
		case 'client':
		case 'techfile':
		case 'user':
			if (name.name) return t(`syncDoc.${name.type}`, { name: name.name });
			break;
	}
	return t(ALONE[name.type] ?? 'syncDoc.other');
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
