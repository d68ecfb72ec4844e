import * as v from 'valibot';
import { TICKET_ACTION_TYPES } from '../ticket-rules.ts';
import { anyRef, docBase, ref, required, shortText, text, timestamp } from './common.ts';
import { TechfileChangeSchema } from './report.ts';
import {
	CLOSURE_HOWS,
	LINK_KINDS,
	PENDING_REASONS,
	TICKET_SOURCES,
	TICKET_STATUSES
} from './ticket.ts';

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
	'mission_ended',
	'report_signed',
	'link',
	'sla_warning',
	'ticket_numbered',
	'party_change',
	'escalated',
	'techfile_change'
] as const;
export const VISIBILITIES = ['internal', 'requester'] as const;

export type EventKind = (typeof EVENT_KINDS)[number];

/**
 * What a status change records: a ticket action, or `open` (the ticket was created) and
 * `confirm` (the requester confirmed the resolution on their page).
 */
export const STATUS_ACTIONS = ['open', ...TICKET_ACTION_TYPES, 'confirm'] as const;
export type StatusAction = (typeof STATUS_ACTIONS)[number];
export const MISSION_EVENT_ACTIONS = ['plan', 'move'] as const;
/** Why a mission ended without a signed report (the technician picks one, and may explain). */
export const MISSION_END_REASONS = [
	'client_absent',
	'site_inaccessible',
	'parts_missing',
	'more_time_needed',
	'other_skills_needed',
	'other'
] as const;
export type MissionEndReason = (typeof MISSION_END_REASONS)[number];
export const SLA_CLOCKS = ['response', 'resolution'] as const;
/** Who the ticket is for, as the desk sets it after intake (domain/parties.ts). */
export const PARTY_FIELDS = ['client', 'site', 'requester'] as const;
export type PartyField = (typeof PARTY_FIELDS)[number];

const status = v.picklist(TICKET_STATUSES);
const level = v.picklist([1, 2, 3]);
const opt = v.optional;
const names = v.array(shortText);

/**
 * Each kind's `data`: the codes and parameters the screens put into words (the body holds
 * only what a person wrote). Every field is optional so that events written before these codes
 * existed stay valid (they render their body); a field that is there must have its type.
 */
export const EVENT_DATA = {
	follow_up: v.looseObject({ reportId: opt(ref('report')) }),
	call: v.looseObject({}),
	status_change: v.looseObject({
		action: opt(v.picklist(STATUS_ACTIONS)),
		from: opt(status),
		to: opt(status),
		reason: opt(v.picklist(PENDING_REASONS)),
		how: opt(v.picklist(CLOSURE_HOWS)),
		source: opt(v.picklist(TICKET_SOURCES)),
		reportId: opt(ref('report')),
		duplicateOf: opt(ref('ticket')),
		// A closure by timeout names the resolution it closed.
		resolvedAt: opt(timestamp)
	}),
	assignment: v.looseObject({
		action: opt(v.picklist(['assign', 'route'])),
		from: opt(status),
		to: opt(status),
		assignees: opt(v.array(ref('user'))),
		assigneeNames: opt(names),
		group: opt(shortText),
		level: opt(level)
	}),
	escalation: v.looseObject({
		action: opt(v.literal('escalate')),
		from: opt(status),
		to: opt(status),
		group: opt(shortText),
		level: opt(level)
	}),
	notice_sent: v.looseObject({
		template: opt(shortText),
		number: opt(v.pipe(v.number(), v.integer())),
		to: opt(shortText)
	}),
	credential_reveal: v.looseObject({
		credentialId: opt(shortText),
		label: opt(shortText),
		missionId: opt(ref('mission'))
	}),
	merge_set_aside: v.looseObject({ fields: opt(v.array(v.string())) }),
	/** What a desk edit changed in a technical file (its subject), for the file's history. */
	techfile_change: v.looseObject({
		changes: opt(v.pipe(v.array(TechfileChangeSchema), v.maxLength(50, 'at most 50 changes')))
	}),
	mission_planned: v.looseObject({
		action: opt(v.picklist(MISSION_EVENT_ACTIONS)),
		missionId: opt(ref('mission')),
		technicianId: opt(ref('user')),
		technicianName: opt(shortText),
		start: opt(timestamp),
		end: opt(timestamp),
		// The ticket's status before planning; a move's previous slot (older events: `from`).
		from: opt(
			v.union([status, v.looseObject({ start: opt(timestamp), technicianId: opt(ref('user')) })])
		),
		to: opt(status),
		previous: opt(
			v.looseObject({
				start: opt(timestamp),
				technicianId: opt(ref('user')),
				technicianName: opt(shortText)
			})
		)
	}),
	mission_ended: v.looseObject({
		missionId: ref('mission'),
		reason: v.picklist(MISSION_END_REASONS)
	}),
	report_signed: v.looseObject({
		reportId: opt(ref('report')),
		missionId: opt(ref('mission')),
		technician: opt(shortText),
		client: opt(shortText)
	}),
	link: v.looseObject({
		action: opt(v.picklist(['link', 'unlink'])),
		kind: opt(v.picklist(LINK_KINDS)),
		ticketId: opt(ref('ticket')),
		number: opt(v.pipe(v.number(), v.integer()))
	}),
	sla_warning: v.looseObject({
		clock: opt(v.picklist(SLA_CLOCKS)),
		state: opt(v.picklist(['at_risk', 'breached'])),
		dueAt: opt(timestamp)
	}),
	ticket_numbered: v.looseObject({ number: opt(v.pipe(v.number(), v.integer())) }),
	// The server's escalation on a missed deadline (domain/sla-facts.ts): which deadline, when
	// it fell due, the levels, and who was told.
	escalated: v.looseObject({
		deadline: v.picklist(SLA_CLOCKS),
		dueAt: timestamp,
		from: level,
		to: level,
		group: opt(shortText),
		told: opt(v.array(ref('user')))
	}),
	// Names, not ids, so the line reads the same after the client or contact is renamed.
	party_change: v.looseObject({
		field: v.picklist(PARTY_FIELDS),
		from: opt(shortText),
		to: opt(shortText),
		clientId: opt(ref('client'))
	})
} as const satisfies Record<EventKind, v.GenericSchema>;

function dataFits(kind: EventKind, data: Record<string, unknown> | undefined): boolean {
	if (
		(kind === 'mission_ended' || kind === 'party_change' || kind === 'escalated') &&
		data === undefined
	)
		return false;
	return data === undefined || v.is(EVENT_DATA[kind], data);
}

/**
 * A timeline entry. Events are never edited (a correction is a new follow-up), so they never
 * conflict. `subjectId` is the document the event is about (a ticket, mission or technical
 * file); `ticketId` is the timeline it shows in, when there is one.
 */
export const EventSchema = v.pipe(
	v.object({
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
	}),
	v.forward(
		v.partialCheck(
			[['kind'], ['data']],
			(e) => dataFits(e.kind, e.data),
			'must hold the codes of the event kind'
		),
		['data']
	)
);

export type EventDoc = v.InferOutput<typeof EventSchema>;
