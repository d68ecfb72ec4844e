import * as v from 'valibot';
import { after, docBase, edited, positiveInt, ref, required, text, timestamp } from './common.ts';

/** `unfinished`: the technician left without a signed report (the reason is in the timeline). */
export const MISSION_STATUSES = [
	'planned',
	'in_progress',
	'done',
	'unfinished',
	'cancelled'
] as const;
export type MissionStatus = (typeof MISSION_STATUSES)[number];

/** An on-site intervention (fiche d'intervention): what the technician must know before going. */
export const MissionSchema = v.pipe(
	v.object({
		...docBase('mission'),
		ticketId: ref('ticket'),
		clientId: ref('client'),
		siteId: required,
		technicianId: ref('user'),
		start: timestamp,
		end: timestamp,
		estimatedMinutes: positiveInt,
		instructions: text,
		toBring: v.optional(v.array(required)),
		status: v.picklist(MISSION_STATUSES),
		...edited
	}),
	v.forward(
		v.partialCheck([['start'], ['end']], (m) => after(m.end, m.start), 'must be after start'),
		['end']
	)
);

export type MissionDoc = v.InferOutput<typeof MissionSchema>;
