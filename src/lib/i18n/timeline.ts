/**
 * A timeline event in words. Events written by code carry a kind and codes with parameters
 * (schemas/event.ts EVENT_DATA); this is where they become sentences, with people's display
 * names and Paris dates. An event with no codes (older ones) shows its body only.
 */
import type { EventDoc } from '#lib/domain/schemas.ts';
import { label, personName, wordList, type Translate } from './labels.ts';

export type DateTime = (iso: string, options?: Intl.DateTimeFormatOptions) => string;

export interface TimelineWords {
	readonly t: Translate;
	readonly dateTime: DateTime;
	/** Display names by user id, from the device's user documents. */
	readonly names: ReadonlyMap<string, string>;
	/** How to name another ticket (a link's target): its number or title. */
	readonly ticketLabel?: (id: string) => string;
	/** How to name a group (the groups referential's label). */
	readonly groupLabel?: (id: string) => string;
}

const groupName = (w: TimelineWords, id: string): string => w.groupLabel?.(id) ?? id;

export interface EventLine {
	/** What happened, in words; empty for a follow-up or call (the body says it all). */
	readonly text: string;
	/** What a person wrote (a follow-up, a solution, a reason). */
	readonly body: string;
	/** Who did it, by name. */
	readonly author: string;
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const num = (value: unknown): number | null => (typeof value === 'number' ? value : null);
const strings = (value: unknown): string[] =>
	Array.isArray(value) ? value.filter((x): x is string => typeof x === 'string') : [];

function slot(w: TimelineWords, start: string, end: string): string {
	if (!start) return '';
	const day = w.dateTime(start, { dateStyle: 'full', timeStyle: 'short' });
	return end ? `${day} – ${w.dateTime(end, { timeStyle: 'short' })}` : day;
}

function statusText(w: TimelineWords, d: Record<string, unknown>, e: EventDoc): string {
	const { t } = w;
	const action = str(d.action);
	const requester = e.author === 'requester';
	switch (action) {
		case 'open':
			return str(d.source) === 'form'
				? t('tl.openForm')
				: t('tl.open', { source: label(t, 'source', str(d.source) || 'phone') });
		case 'confirm':
			return str(d.to) === 'closed' ? t('tl.closeRequester') : t('tl.confirm');
		case 'reopen':
			return requester ? t('tl.reopenRequester') : t('tl.reopen');
		case 'wait':
			return t('tl.wait', { reason: label(t, 'pending', str(d.reason) || 'third_party') });
		case 'close': {
			const how = label(t, 'closureHow', str(d.how) || (requester ? 'requester' : 'level1'));
			return str(d.reportId) ? t('tl.closeReport', { how }) : t('tl.close', { how });
		}
		case 'cancel':
			return str(d.duplicateOf) ? t('tl.cancelDuplicate') : t('tl.cancel');
		case 'qualify':
		case 'start':
		case 'resume':
		case 'resolve':
			return t(`tl.${action}`);
		default:
			return str(d.to) ? t('tl.status', { to: label(t, 'ticketStatus', str(d.to)) }) : '';
	}
}

function missionText(w: TimelineWords, d: Record<string, unknown>): string {
	const technicianId = str(d.technicianId);
	if (!technicianId) return '';
	const technician =
		w.names.get(technicianId) ?? (str(d.technicianName) || personName(technicianId, w.names));
	const when = slot(w, str(d.start), str(d.end));
	if (str(d.action) === 'move' || (typeof d.from === 'object' && d.from !== null)) {
		const prev = (d.previous ?? d.from) as Record<string, unknown>;
		return t2(w, 'tl.move', {
			date: when,
			technician,
			previous: str(prev.start)
				? w.dateTime(str(prev.start), { dateStyle: 'short', timeStyle: 'short' })
				: ''
		});
	}
	return when ? t2(w, 'tl.plan', { date: when, technician }) : '';
}

const t2 = (w: TimelineWords, key: Parameters<Translate>[0], params: Record<string, string>) =>
	w.t(key, params);

/** The sentence for an event's codes, or '' when it has none this version knows. */
function codedText(w: TimelineWords, e: EventDoc): string {
	const { t } = w;
	const d = e.data ?? {};
	switch (e.kind) {
		case 'follow_up':
			if (str(d.section)) return t('tl.techfile');
			return str(d.reportId) ? t('tl.reportFollowUp') : '';
		case 'call':
			return '';
		case 'status_change':
			return statusText(w, d, e);
		case 'assignment':
			if (str(d.action) === 'route' || (str(d.group) && strings(d.assignees).length === 0))
				return str(d.group)
					? t('tl.route', { group: groupName(w, str(d.group)), level: num(d.level) ?? 2 })
					: '';
			if (strings(d.assignees).length === 0) return '';
			return t('tl.assign', {
				names: wordList(
					t,
					strings(d.assignees).map(
						(id, i) => w.names.get(id) ?? strings(d.assigneeNames)[i] ?? personName(id, w.names)
					)
				)
			});
		case 'escalation': {
			const level = num(d.level);
			if (level === null) return '';
			return str(d.group)
				? t('tl.escalateGroup', { level, group: groupName(w, str(d.group)) })
				: t('tl.escalate', { level });
		}
		case 'mission_planned':
			return missionText(w, d);
		case 'mission_ended':
			return t('tl.ended', { reason: label(t, 'endReason', str(d.reason)) });
		case 'report_signed':
			return str(d.technician) && str(d.client)
				? t('tl.reportSigned', { technician: str(d.technician), client: str(d.client) })
				: str(d.reportId)
					? t('tl.reportSignedShort')
					: '';
		case 'notice_sent': {
			const template = str(d.template);
			if (!template) return '';
			const known = label(t, 'notice', template) !== template;
			return t('tl.notice', { template: known ? label(t, 'notice', template) : t('notice.other') });
		}
		case 'ticket_numbered':
			return num(d.number) === null ? '' : t('tl.numbered', { number: num(d.number) ?? 0 });
		case 'credential_reveal':
			return str(d.label) ? t('tl.credential', { label: str(d.label) }) : '';
		case 'techfile_change':
			return t('tl.techfileChange');
		case 'merge_set_aside':
			return t('tl.merge');
		case 'link': {
			const action = str(d.action);
			if (action !== 'link' && action !== 'unlink') return '';
			const target = str(d.ticketId);
			return t(action === 'link' ? 'tl.link' : 'tl.unlink', {
				kind: label(t, 'linkKind', str(d.kind)),
				ticket: target ? (w.ticketLabel?.(target) ?? '') : ''
			}).trim();
		}
		case 'party_change': {
			const field = label(t, 'partyField', str(d.field));
			const from = str(d.from);
			const to = str(d.to);
			if (!to) return from ? t('tl.partyCleared', { field, from }) : '';
			return from ? t('tl.partyChanged', { field, from, to }) : t('tl.partySet', { field, to });
		}
		case 'escalated': {
			const to = num(d.to);
			if (to === null) return '';
			return t(str(d.deadline) === 'response' ? 'tl.escalatedResponse' : 'tl.escalatedResolution', {
				level: to,
				due: str(d.dueAt)
					? w.dateTime(str(d.dueAt), { dateStyle: 'short', timeStyle: 'short' })
					: ''
			});
		}
		case 'sla_warning':
			return str(d.clock)
				? t('tl.sla', {
						clock: t(str(d.clock) === 'response' ? 'slaClock.response' : 'slaClock.resolution'),
						state: t(str(d.state) === 'breached' ? 'slaState.breached' : 'slaState.at_risk')
					})
				: '';
	}
}

/**
 * Old events (before the codes) kept a generated sentence in their body; the body is shown
 * as it is then. A merge's body was a dump of the set-aside value: never shown.
 */
function bodyOf(e: EventDoc, text: string): string {
	if (e.kind === 'merge_set_aside') return '';
	return text !== '' && e.kind === 'notice_sent' ? '' : e.body;
}

function authorOf(w: TimelineWords, e: EventDoc): string {
	if (e.author === 'system') return w.t('tl.system');
	if (e.author === 'requester') return e.authorName ?? w.t('tl.requester');
	return w.names.get(e.author) ?? e.authorName ?? personName(e.author, w.names);
}

export function describeEvent(w: TimelineWords, e: EventDoc): EventLine {
	const text = codedText(w, e);
	return { text, body: bodyOf(e, text), author: authorOf(w, e) };
}
