/**
 * Bounds on everything a document may hold (issue #11): nesting, fields, list lengths, text
 * lengths, numbers, dates and total size. One copy of these rules serves the device, the
 * server (push) and CouchDB's validate_doc_update, through `parseDoc` (schemas.ts).
 *
 * `checkShape` runs before the schemas, on the raw document, and never recurses: a document
 * nested thousands of levels deep, or holding a million fields, is refused here before any
 * recursive code (valibot, IndexedDB's structured clone, JSON encoders) has to walk it.
 *
 * No Intl and no recent built-ins here: CouchDB 3.5 runs this under QuickJS.
 */
import { toMillis, type Instant } from './ids.ts';

/** Levels of objects and lists inside one top-level field (the field's own value is level 1). */
export const MAX_DEPTH = 8;
/** Fields in one object (a `stamps` record holds one per register, so this is generous). */
export const MAX_KEYS = 5_000;
/** Characters in one field name. */
export const MAX_KEY_LENGTH = 200;
/** Items in one list. */
export const MAX_ARRAY = 2_000;
/** Characters in any text: descriptions, bodies, remarks, notes, free-form data. */
export const MAX_TEXT = 20_000;
/** Characters in a short text: names, titles, labels, ids, addresses, e-mail addresses. */
export const MAX_SHORT_TEXT = 1_000;
/** The whole document as JSON, attachments aside, in characters (about). */
export const MAX_DOC_CHARS = 2 * 1024 * 1024;
/** Problems reported for one document at most; the rest are not worth a longer message. */
export const MAX_PROBLEMS = 10;
/** Field names that would reach an object's prototype in careless code: refused anywhere. */
export const FORBIDDEN_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];
/** Every number: integers stay exact, 1e308 and the like are refused. */
export const MAX_NUMBER = Number.MAX_SAFE_INTEGER;

/** Earliest date and time a document may hold (dates and timestamps alike). */
export const EARLIEST_DATE = '2000-01-01';
/** Latest date and time a document may hold: missions are planned ahead, never this far. */
export const LATEST_DATE = '2100-01-01';
export const EARLIEST_TIME_MS = Date.UTC(2000, 0, 1);
export const LATEST_TIME_MS = Date.UTC(2100, 0, 1);
/**
 * How far ahead of the receiver's clock a stamp (and a document's `createdAt` and
 * `updatedAt`, which stand for the stamps it does not carry) may be: a device whose clock runs
 * ahead would otherwise win every later merge.
 */
export const STAMP_AHEAD_MS = 24 * 3600_000;

/** The instant of a timestamp is within EARLIEST_DATE and LATEST_DATE. */
export function isTimeInRange(value: string): boolean {
	const ms = Date.parse(value);
	return ms >= EARLIEST_TIME_MS && ms <= LATEST_TIME_MS;
}

/** A `YYYY-MM-DD` date is within EARLIEST_DATE and LATEST_DATE. */
export function isDateInRange(value: string): boolean {
	return value >= EARLIEST_DATE && value <= LATEST_DATE;
}

export const TIME_RANGE_MESSAGE = `must be between ${EARLIEST_DATE} and ${LATEST_DATE}`;

// A high surrogate not followed by a low one, or a low one not preceded by a high one
// (no lookbehind: older engines lack it).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when the text holds no unpaired surrogate (which some JSON encoders cannot write). */
export function isWellFormedText(value: string): boolean {
	return !LONE_SURROGATE.test(value);
}

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;

/** A field name as it may appear in a message: short, and valid Unicode. */
function shown(key: string): string {
	const cut = key.length > 40 ? `${key.slice(0, 40)}…` : key;
	return cut.replace(/[\uD800-\uDFFF]/g, '\uFFFD');
}

interface Frame {
	readonly value: unknown;
	readonly depth: number;
	readonly parent: Frame | null;
	readonly key: string | number;
	/** Inline attachment data: its size has its own limit (MAX_ATTACHMENT_BYTES on push). */
	readonly attachment: boolean;
}

/** `sites[0].city`, as schemas.ts names fields. */
function pathOf(frame: Frame): string {
	const parts: string[] = [];
	for (let f: Frame | null = frame; f !== null && f.parent !== null; f = f.parent) {
		const key = f.key;
		if (typeof key === 'number') parts.push(`[${key}]`);
		else if (IDENTIFIER.test(key) || f.parent.parent === null) parts.push(`.${shown(key)}`);
		else parts.push(`[${JSON.stringify(shown(key))}]`);
	}
	return parts.reverse().join('');
}

function topField(frame: Frame): string {
	let f = frame;
	while (f.parent !== null && f.parent.parent !== null) f = f.parent;
	return f.parent === null ? '' : `.${shown(String(f.key))}`;
}

/** Objects and lists to walk into; anything else (text, numbers, Blob, Buffer…) is a leaf. */
function kindOf(value: unknown): 'array' | 'object' | 'leaf' {
	if (Array.isArray(value)) return 'array';
	if (typeof value !== 'object' || value === null) return 'leaf';
	// The tag, not the prototype: documents may come from another realm (a vm context).
	return Object.prototype.toString.call(value) === '[object Object]' ? 'object' : 'leaf';
}

/**
 * The structural problems of a raw document, each naming the field and the rule
 * (`event.data: nested deeper than 8 levels`); empty when it is within every bound.
 * Iterative, and it stops early, so its cost is bounded whatever arrives (even a cycle).
 */
export function checkShape(raw: unknown, label: string): string[] {
	const problems: string[] = [];
	const tooDeep = new Set<string>();
	const report = (frame: Frame, rule: string) => {
		const line = `${label}${pathOf(frame)}: ${rule}`;
		if (!problems.includes(line)) problems.push(line);
	};
	let size = 0;
	const stack: Frame[] = [{ value: raw, depth: 0, parent: null, key: '', attachment: false }];
	while (stack.length > 0 && problems.length < MAX_PROBLEMS) {
		const frame = stack.pop() as Frame;
		const { value } = frame;
		if (typeof value === 'string') {
			if (frame.attachment) continue;
			size += value.length + 2;
			if (value.length > MAX_TEXT) report(frame, `must be at most ${MAX_TEXT} characters`);
			else if (!isWellFormedText(value))
				report(frame, 'must be valid Unicode text (it holds a lone surrogate)');
		} else if (typeof value === 'number') {
			size += 8;
			if (!Number.isFinite(value) || Math.abs(value) > MAX_NUMBER)
				report(frame, `must be a number between ${-MAX_NUMBER} and ${MAX_NUMBER}`);
		} else {
			const kind = kindOf(value);
			if (kind === 'leaf') {
				size += 5;
			} else if (frame.depth > MAX_DEPTH) {
				// Depth 0 is the document itself, so a top-level field's value is level 1.
				const field = topField(frame);
				if (!tooDeep.has(field)) {
					tooDeep.add(field);
					problems.push(`${label}${field}: nested deeper than ${MAX_DEPTH} levels`);
				}
			} else if (kind === 'array') {
				const list = value as unknown[];
				size += 2 + list.length;
				if (list.length > MAX_ARRAY) {
					report(frame, `must have at most ${MAX_ARRAY} items`);
				} else {
					for (let i = list.length - 1; i >= 0; i--) {
						stack.push({
							value: list[i],
							depth: frame.depth + 1,
							parent: frame,
							key: i,
							attachment: false
						});
					}
				}
			} else {
				const object = value as Record<string, unknown>;
				const keys = Object.keys(object);
				size += 2 + keys.length;
				if (keys.length > MAX_KEYS) {
					report(frame, `must have at most ${MAX_KEYS} fields`);
				} else {
					const inAttachments =
						frame.parent !== null &&
						frame.parent.parent !== null &&
						frame.parent.parent.parent === null &&
						frame.parent.key === '_attachments';
					for (let i = keys.length - 1; i >= 0; i--) {
						const key = keys[i] as string;
						const child: Frame = {
							value: object[key],
							depth: frame.depth + 1,
							parent: frame,
							key,
							attachment: inAttachments && key === 'data'
						};
						size += key.length + 3;
						if (FORBIDDEN_KEYS.includes(key)) {
							report(frame, `must not have a field named "${key}"`);
						} else if (key.length > MAX_KEY_LENGTH) {
							report(frame, `must not have a field name longer than ${MAX_KEY_LENGTH} characters`);
						} else if (!isWellFormedText(key)) {
							report(frame, 'must not have a field name that is not valid Unicode');
						} else {
							stack.push(child);
						}
					}
				}
			}
		}
		if (size > MAX_DOC_CHARS) {
			problems.push(`${label}: must be at most ${MAX_DOC_CHARS} characters as JSON`);
			break;
		}
	}
	return problems;
}

/** One stamp-like time of a document, with the field that holds it. */
function stampTimes(doc: Record<string, unknown>): Array<[string, unknown]> {
	const out: Array<[string, unknown]> = [];
	if ('createdAt' in doc) out.push(['createdAt', doc.createdAt]);
	if ('updatedAt' in doc) out.push(['updatedAt', doc.updatedAt]);
	const stamps = doc.stamps;
	if (kindOf(stamps) !== 'object') return out;
	for (const [key, stamp] of Object.entries(stamps as Record<string, unknown>)) {
		if (kindOf(stamp) !== 'object') continue;
		const s = stamp as { at?: unknown; prev?: unknown };
		out.push([`stamps.${shown(key)}.at`, s.at]);
		if (kindOf(s.prev) === 'object')
			out.push([`stamps.${shown(key)}.prev.at`, (s.prev as { at?: unknown }).at]);
	}
	return out;
}

/**
 * Refuses a document whose stamps (or `createdAt`, `updatedAt`) are more than a day
 * (STAMP_AHEAD_MS) ahead of `now`, the receiver's clock: the one rule that needs a clock, so
 * it is not in the schemas. Returns the problem, or null. Times that are not text, or not
 * dates, are left to the schema. `parseDoc(raw, { now })` runs it after the schema.
 */
export function checkStampsFresh(doc: unknown, now: Instant): string | null {
	if (kindOf(doc) !== 'object') return null;
	const d = doc as Record<string, unknown>;
	const label = typeof d.type === 'string' ? shown(d.type) : 'document';
	const limit = toMillis(now) + STAMP_AHEAD_MS;
	for (const [field, at] of stampTimes(d)) {
		if (typeof at !== 'string') continue;
		const ms = Date.parse(at);
		if (ms > limit)
			return `${label}.${field}: must not be more than a day ahead of the current time (${new Date(limit - STAMP_AHEAD_MS).toISOString()})`;
	}
	return null;
}
