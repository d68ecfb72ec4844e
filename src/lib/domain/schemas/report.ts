import * as v from 'valibot';
import {
	docBase,
	minutes,
	ref,
	required,
	requiredText,
	shortText,
	span,
	text,
	timestamp
} from './common.ts';

export const OUTCOMES = ['resolved', 'follow_up'] as const;
export const TECHFILE_SECTIONS = [
	'equipment',
	'network',
	'software',
	'credentials',
	'notes'
] as const;

export const PartSchema = v.object({
	label: required,
	qty: v.pipe(v.number(), v.gtValue(0, 'must be more than 0')),
	ref: v.optional(shortText)
});

/** What the report says it changed in the technical file, for the history (F8). */
export const TechfileChangeSchema = v.object({
	section: v.picklist(TECHFILE_SECTIONS),
	action: v.picklist(['added', 'changed', 'removed']),
	itemId: v.optional(shortText),
	summary: requiredText
});

const signature = v.object({ name: required, at: timestamp });

/**
 * The intervention report. Signature images and photos are attachments. The write that adds
 * the second signature also sets `signedAt` and the hash (report-hash.ts): from then on the
 * report is sealed and nobody edits it.
 */
export const ReportSchema = v.pipe(
	v.object({
		...docBase('report'),
		missionId: ref('mission'),
		ticketId: ref('ticket'),
		clientId: ref('client'),
		technicianId: ref('user'),
		times: v.array(span),
		tasks: v.array(requiredText),
		parts: v.array(PartSchema),
		remarks: text,
		techfileChanges: v.array(TechfileChangeSchema),
		outcome: v.picklist(OUTCOMES),
		signatures: v.object({ technician: v.optional(signature), client: v.optional(signature) }),
		signedAt: v.optional(timestamp),
		hash: v.optional(
			v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in lower-case hex'))
		),
		travelMinutes: v.optional(minutes),
		createdAt: timestamp,
		updatedAt: timestamp
	}),
	v.forward(
		v.partialCheck(
			[['signedAt'], ['signatures']],
			(r) =>
				(r.signedAt !== undefined) ===
				(r.signatures.technician !== undefined && r.signatures.client !== undefined),
			'both signatures go with signedAt: a report is signed by the technician and the client at once'
		),
		['signatures']
	),
	v.forward(
		v.partialCheck(
			[['signedAt'], ['hash']],
			(r) => (r.signedAt === undefined) === (r.hash === undefined),
			'is required when, and only when, the report is signed'
		),
		['hash']
	)
);

export type Part = v.InferOutput<typeof PartSchema>;
export type ReportDoc = v.InferOutput<typeof ReportSchema>;
