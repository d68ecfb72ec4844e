import * as v from 'valibot';
import { userIdFor } from '../ids.ts';
import { MAX_SHORT_TEXT } from '../limits.ts';
import {
	after,
	docBase,
	email,
	latitude,
	longitude,
	phone,
	ref,
	required,
	requiredText,
	shortText,
	text,
	timestamp,
	uniqueStrings
} from './common.ts';

export const CALENDAR_KINDS = ['absence', 'training', 'on_call'] as const;
export const ROLES = ['dispatcher', 'expert', 'technician', 'billing', 'admin'] as const;
export const GRANT_STATUSES = ['requested', 'approved', 'refused', 'revoked'] as const;

export type Role = (typeof ROLES)[number];
export type GrantStatus = (typeof GRANT_STATUSES)[number];

export const CalendarSchema = v.pipe(
	v.object({
		...docBase('calendar'),
		technicianId: ref('user'),
		kind: v.picklist(CALENDAR_KINDS),
		start: timestamp,
		end: timestamp,
		label: shortText
	}),
	v.forward(
		v.partialCheck([['start'], ['end']], (c) => after(c.end, c.start), 'must be after start'),
		['end']
	)
);

/** A profile. Its id is `user:<login>`, the same string other documents use to name the user. */
export const UserSchema = v.pipe(
	v.object({
		...docBase('user'),
		name: v.pipe(
			v.string(),
			v.maxLength(MAX_SHORT_TEXT, `must be at most ${MAX_SHORT_TEXT} characters`),
			v.regex(
				/^[a-z0-9][a-z0-9._@-]*$/,
				'must be a login: lower-case letters, digits, ".", "_", "-" or "@"'
			)
		),
		displayName: required,
		// Optional: accounts made with the CLI may have none; notices then go by push only.
		email: v.optional(email),
		phone: v.optional(phone),
		roles: v.pipe(
			v.array(v.picklist(ROLES)),
			v.check((r) => new Set(r).size === r.length, 'must not repeat a role')
		),
		groups: uniqueStrings,
		/** The team (agency) the person works in: a group of `config:groups` (working-set.ts). */
		team: v.optional(required),
		skills: uniqueStrings,
		base: v.optional(
			v.object({ address: required, lat: v.optional(latitude), lng: v.optional(longitude) })
		),
		disabled: v.optional(v.boolean())
	}),
	v.forward(
		v.partialCheck(
			[['_id'], ['name']],
			(u) => u._id === userIdFor(u.name),
			'must be "user:" followed by the login name'
		),
		['_id']
	)
);

/**
 * A technician's request to read a client's file outside any mission (seed 000, A5/M22/M23).
 * An admin decides; an approval always carries an expiry.
 */
export const GrantSchema = v.pipe(
	v.object({
		...docBase('grant'),
		technicianId: ref('user'),
		clientId: ref('client'),
		reason: requiredText,
		requestedAt: timestamp,
		status: v.picklist(GRANT_STATUSES),
		decidedBy: v.optional(ref('user')),
		decidedAt: v.optional(timestamp),
		expiresAt: v.optional(timestamp),
		comment: v.optional(text)
	}),
	v.forward(
		v.partialCheck(
			[['status'], ['decidedBy']],
			(g) => (g.status === 'requested') === (g.decidedBy === undefined),
			'is required once decided, and only then'
		),
		['decidedBy']
	),
	v.forward(
		v.partialCheck(
			[['status'], ['decidedAt']],
			(g) => (g.status === 'requested') === (g.decidedAt === undefined),
			'is required once decided, and only then'
		),
		['decidedAt']
	),
	v.forward(
		v.partialCheck(
			[['status'], ['expiresAt']],
			(g) => g.status !== 'approved' || g.expiresAt !== undefined,
			'is required for an approval'
		),
		['expiresAt']
	),
	v.forward(
		v.partialCheck(
			[['requestedAt'], ['expiresAt']],
			(g) => g.expiresAt === undefined || after(g.expiresAt, g.requestedAt),
			'must be after the request'
		),
		['expiresAt']
	)
);

export type CalendarDoc = v.InferOutput<typeof CalendarSchema>;
export type UserDoc = v.InferOutput<typeof UserSchema>;
export type GrantDoc = v.InferOutput<typeof GrantSchema>;
