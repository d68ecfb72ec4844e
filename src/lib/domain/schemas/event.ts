import * as v from 'valibot';
import { anyRef, docBase, ref, required, shortText, text, timestamp } from './common.ts';

export const EVENT_KINDS = [
	'follow_up',
	'call',
	'status_change',
	'assignment',
	'escalation',
	'notice_sent',
	'credential_reveal',
	'merge_set_aside',
	'mission_planned',
	'report_signed',
	'link',
	'sla_warning',
	'ticket_numbered'
] as const;
export const VISIBILITIES = ['internal', 'requester'] as const;

export type EventKind = (typeof EVENT_KINDS)[number];

/**
 * A timeline entry. Events are never edited (a correction is a new follow-up), so they never
 * conflict. `subjectId` is the document the event is about (a ticket, mission or technical
 * file); `ticketId` is the timeline it shows in, when there is one.
 */
export const EventSchema = v.object({
	...docBase('event'),
	subjectId: anyRef,
	ticketId: v.optional(ref('ticket')),
	kind: v.picklist(EVENT_KINDS),
	visibility: v.picklist(VISIBILITIES),
	author: required, // a user id, or "system", or "requester"
	authorName: v.optional(shortText), // denormalised so a timeline reads well offline
	at: timestamp,
	body: text,
	data: v.optional(v.record(v.string(), v.unknown()))
});

export type EventDoc = v.InferOutput<typeof EventSchema>;
