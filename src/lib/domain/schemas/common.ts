/**
 * Building blocks shared by every document schema. Schemas hold no transforms or defaults,
 * so a document that passes is returned as it came (see parse.ts for why that matters).
 */
import * as v from 'valibot';
import { isId, type DocType } from '../ids.ts';
import {
	isDateInRange,
	isTimeInRange,
	MAX_SHORT_TEXT,
	MAX_TEXT,
	TIME_RANGE_MESSAGE
} from '../limits.ts';

const TIMESTAMP =
	/^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d{1,9})?)?(Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isCalendarDay(year: number, month: number, day: number): boolean {
	if (month < 1 || month > 12 || day < 1) return false;
	// Day 0 of the next month is the last day of this one; UTC avoids any local-time shift.
	return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** `2025-03-14T09:30:00Z`, with an offset or fractional seconds; a real calendar day. */
export function isIsoTimestamp(value: string): boolean {
	const m = TIMESTAMP.exec(value);
	return m !== null && isCalendarDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** `2025-03-14`, a real calendar day. */
export function isIsoDate(value: string): boolean {
	const m = DATE.exec(value);
	return m !== null && isCalendarDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** Between EARLIEST_DATE and LATEST_DATE (limits.ts), as every date and time of a document. */
export const timestamp = v.pipe(
	v.string(),
	v.check(isIsoTimestamp, 'must be a date and time such as 2025-03-14T09:30:00Z'),
	v.check((s) => !isIsoTimestamp(s) || isTimeInRange(s), TIME_RANGE_MESSAGE)
);

export const isoDate = v.pipe(
	v.string(),
	v.check(isIsoDate, 'must be a date such as 2025-03-14'),
	v.check((s) => !isIsoDate(s) || isDateInRange(s), TIME_RANGE_MESSAGE)
);

const SHORT = `must be at most ${MAX_SHORT_TEXT} characters`;
const notBlank = (s: string) => s.trim() !== '';

/**
 * Free text (a description, a body, notes); may be empty. At most MAX_TEXT characters, as
 * every text of a document: `checkShape` (limits.ts) enforces that before any schema runs.
 */
export const text = v.pipe(
	v.string(),
	v.maxLength(MAX_TEXT, `must be at most ${MAX_TEXT} characters`)
);

/** A short text (a label, a brand, a serial number); may be empty. */
export const shortText = v.pipe(v.string(), v.maxLength(MAX_SHORT_TEXT, SHORT));

/** A short text a person must fill in (a name, a title, an id): blank is refused. */
export const required = v.pipe(
	v.string(),
	v.maxLength(MAX_SHORT_TEXT, SHORT),
	v.check(notBlank, 'must not be empty')
);

/** A longer text a person must fill in (a solution, a reason): blank is refused. */
export const requiredText = v.pipe(text, v.check(notBlank, 'must not be empty'));

export const email = v.pipe(
	v.string(),
	v.maxLength(MAX_SHORT_TEXT, SHORT),
	v.check((s) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s), 'must be an e-mail address')
);

export const phone = v.pipe(
	v.string(),
	v.check((s) => /^\+?[0-9 ().-]{4,20}$/.test(s), 'must be a phone number')
);

/** An id of the given document type, e.g. `client:01J…`. */
export function ref<T extends DocType>(type: T) {
	return v.pipe(
		v.string(),
		v.maxLength(MAX_SHORT_TEXT, SHORT),
		v.check((s) => isId(s, type), `must be a ${type} id ("${type}:…")`)
	);
}

/** Any document id (events can be about any document). */
export const anyRef = v.pipe(
	v.string(),
	v.maxLength(MAX_SHORT_TEXT, SHORT),
	v.check((s) => isId(s), 'must be a document id such as "ticket:…"')
);

export const principal = v.pipe(
	v.string(),
	v.maxLength(MAX_SHORT_TEXT, SHORT),
	v.check(
		(s) => /^(user|role|group):[^\s]+$/.test(s),
		'must be a principal: "user:<id>", "role:<name>" or "group:<name>"'
	)
);

export const minutes = v.pipe(
	v.number(),
	v.integer('must be a whole number of minutes'),
	v.minValue(0, 'must not be negative')
);

export const positiveInt = v.pipe(
	v.number(),
	v.integer('must be a whole number'),
	v.minValue(1, 'must be at least 1')
);

export const latitude = v.pipe(
	v.number(),
	v.minValue(-90, 'must be between -90 and 90'),
	v.maxValue(90, 'must be between -90 and 90')
);
export const longitude = v.pipe(
	v.number(),
	v.minValue(-180, 'must be between -180 and 180'),
	v.maxValue(180, 'must be between -180 and 180')
);

/** A list of entities each with an `id`, unique inside the list (merges key on it). */
export function entities<T extends v.GenericSchema<unknown, { id: string }>>(item: T) {
	return v.pipe(
		v.array(item),
		v.check((list) => new Set(list.map((e) => e.id)).size === list.length, 'ids must be unique')
	);
}

export const uniqueStrings = v.pipe(
	v.array(v.pipe(v.string(), v.maxLength(MAX_SHORT_TEXT, SHORT))),
	v.check((list) => new Set(list).size === list.length, 'must not repeat a value')
);

const attachment = v.object({
	content_type: shortText,
	digest: v.optional(shortText),
	length: v.optional(v.number()),
	revpos: v.optional(v.number()),
	stub: v.optional(v.boolean()),
	data: v.optional(v.unknown())
});

/** When a field last changed and who changed it (see stamps.ts). */
export const stampSchema = v.object({
	at: timestamp,
	by: required,
	prev: v.optional(v.object({ at: timestamp, by: required }))
});

export const stamps = v.record(v.string(), stampSchema);

/** CouchDB's own fields and ours, common to every document. */
export function docBase<T extends DocType>(type: T) {
	return {
		_id: ref(type),
		_rev: v.optional(shortText),
		_deleted: v.optional(v.boolean()),
		_conflicts: v.optional(v.array(v.string())),
		_attachments: v.optional(v.record(v.string(), attachment)),
		type: v.literal(type),
		access: v.optional(v.array(principal))
	};
}

/** Who last wrote and when; needed by every document two people may edit at once. */
export const edited = {
	createdAt: timestamp,
	createdBy: required,
	updatedAt: timestamp,
	updatedBy: required,
	stamps: v.optional(stamps)
};

export function notBefore(later: string | undefined, earlier: string | undefined): boolean {
	return later === undefined || earlier === undefined || Date.parse(later) >= Date.parse(earlier);
}

export function after(later: string, earlier: string): boolean {
	return Date.parse(later) > Date.parse(earlier);
}

/** A time span whose end is after its start. */
export const span = v.pipe(
	v.object({ start: timestamp, end: timestamp }),
	v.forward(
		v.partialCheck([['start'], ['end']], (s) => after(s.end, s.start), 'must be after start'),
		['end']
	)
);
