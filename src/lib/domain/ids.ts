/**
 * Document ids. Every id is `<type>:<rest>`, so a type is a cheap key range in CouchDB.
 * Generated ids are ULID-like: 10 Crockford base-32 characters of milliseconds since the
 * epoch, then 16 of randomness (80 bits). They sort by creation time as plain strings, and
 * a device can make them offline without asking anyone: two devices colliding would need
 * the same millisecond and the same 80 random bits.
 */

export const DOC_TYPES = [
	'client',
	'techfile',
	'ticket',
	'event',
	'mission',
	'report',
	'calendar',
	'user',
	'grant',
	'config',
	'billing',
	'survey',
	'hourbank',
	'invoice'
] as const;
export type DocType = (typeof DOC_TYPES)[number];

/** A point in time as callers have it; rules never read the clock themselves. */
export type Instant = string | number | Date;

/** A source of uniform numbers in [0, 1); injected so tests are reproducible. */
export type RandomSource = () => number;

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_LENGTH = 10;
const RANDOM_LENGTH = 16;
const MAX_TIME = 32 ** TIME_LENGTH - 1;
const GENERATED = /^[0-9A-HJKMNP-TV-Z]{26}$/;
// What may follow the prefix in any id, generated or chosen (user logins, config kinds).
const SUFFIX = /^[A-Za-z0-9._@:-]+$/;

export function isDocType(value: unknown): value is DocType {
	return typeof value === 'string' && (DOC_TYPES as readonly string[]).includes(value);
}

/** Milliseconds since the epoch; NaN when the instant is not a valid date. */
export function toMillis(instant: Instant): number {
	if (instant instanceof Date) return instant.getTime();
	if (typeof instant === 'number') return instant;
	return Date.parse(instant);
}

/** Canonical ISO form (`2025-03-14T09:30:00.000Z`). Throws RangeError on an invalid instant. */
export function toIso(instant: Instant): string {
	return new Date(toMillis(instant)).toISOString();
}

export function idPrefix(type: DocType): `${DocType}:` {
	return `${type}:`;
}

/** The document type an id belongs to, or null when its prefix is not a known type. */
export function typeOf(id: string): DocType | null {
	const colon = id.indexOf(':');
	if (colon <= 0) return null;
	const prefix = id.slice(0, colon);
	return isDocType(prefix) ? prefix : null;
}

/** True when `id` is a well-formed id, of `type` when one is given. */
export function isId(id: unknown, type?: DocType): id is string {
	if (typeof id !== 'string') return false;
	const actual = typeOf(id);
	if (actual === null || (type !== undefined && actual !== type)) return false;
	return SUFFIX.test(id.slice(actual.length + 1));
}

/** The part after `<type>:`. */
export function idSuffix(id: string): string {
	const colon = id.indexOf(':');
	return colon < 0 ? id : id.slice(colon + 1);
}

function encodeTime(millis: number): string {
	if (!Number.isInteger(millis) || millis < 0 || millis > MAX_TIME) {
		throw new RangeError(`cannot encode time ${String(millis)} in an id`);
	}
	let rest = millis;
	let out = '';
	for (let i = 0; i < TIME_LENGTH; i++) {
		out = ALPHABET.charAt(rest % 32) + out;
		rest = Math.floor(rest / 32);
	}
	return out;
}

function randomDigits(random: RandomSource): number[] {
	return Array.from({ length: RANDOM_LENGTH }, () => Math.floor(random() * 32) & 31);
}

function digitsToString(digits: readonly number[]): string {
	return digits.map((d) => ALPHABET.charAt(d)).join('');
}

/** Random numbers from WebCrypto, present in browsers and in Node alike. */
export const cryptoRandom: RandomSource = () => {
	const buffer = new Uint32Array(1);
	globalThis.crypto.getRandomValues(buffer);
	return (buffer[0] ?? 0) / 2 ** 32;
};

/**
 * A new id such as `ticket:01JQ3M7ZB4K8T2W9XQ0RN5DV6C`. Throws RangeError when `now` is
 * not a valid instant (a programming error, not a business refusal).
 */
export function newId(type: DocType, now: Instant, random: RandomSource = cryptoRandom): string {
	return `${type}:${encodeTime(toMillis(now))}${digitsToString(randomDigits(random))}`;
}

/**
 * An id generator whose ids strictly increase even within one millisecond or when the clock
 * steps back, so events written in one burst keep their order in a timeline.
 */
export function createIdFactory(
	random: RandomSource = cryptoRandom
): (type: DocType, now: Instant) => string {
	let lastTime = -1;
	let last: number[] = [];
	return (type, now) => {
		const time = toMillis(now);
		encodeTime(time); // validates before any state changes
		if (time > lastTime) {
			lastTime = time;
			last = randomDigits(random);
		} else {
			last = increment(last);
		}
		return `${type}:${encodeTime(lastTime)}${digitsToString(last)}`;
	};
}

function increment(digits: readonly number[]): number[] {
	const out = [...digits];
	for (let i = out.length - 1; i >= 0; i--) {
		const next = (out[i] ?? 0) + 1;
		if (next < 32) {
			out[i] = next;
			return out;
		}
		out[i] = 0;
	}
	return out;
}

/** Creation time of a generated id, or null for ids that were chosen (users, config). */
export function timeOf(id: string): number | null {
	const suffix = idSuffix(id);
	if (!GENERATED.test(suffix)) return null;
	let millis = 0;
	for (const char of suffix.slice(0, TIME_LENGTH)) millis = millis * 32 + ALPHABET.indexOf(char);
	return millis;
}

/**
 * An id in the generated format whose random part is a hash of `seed`: two nodes that derive
 * the same fact (e.g. the same merge loss) write the same document instead of two copies.
 */
export function derivedId(type: DocType, at: Instant, seed: string): string {
	return `${type}:${encodeTime(toMillis(at))}${hashToBase32(seed, RANDOM_LENGTH)}`;
}

/** Non-cryptographic, stable string hash (three murmur-mixed 32-bit lanes) as base 32;
 * 96 bits, so at most 19 characters. */
function hashToBase32(seed: string, length: number): string {
	const lanes = [0x811c9dc5, 0x01000193 ^ 0x9e3779b9, 0x85ebca6b].map((lane) => {
		let h = lane;
		for (let i = 0; i < seed.length; i++) {
			h = Math.imul(h ^ seed.charCodeAt(i), 0x5bd1e995);
			h ^= h >>> 15;
		}
		h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
		h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
		return (h ^ (h >>> 16)) >>> 0;
	});
	let bits = '';
	for (const lane of lanes) bits += lane.toString(2).padStart(32, '0');
	let out = '';
	for (let i = 0; i < length; i++)
		out += ALPHABET.charAt(parseInt(bits.slice(i * 5, i * 5 + 5), 2));
	return out;
}

/** One technical file per client: its id follows from the client's, so two devices that
 * create it offline meet in a merge instead of making two files. */
export function techfileIdFor(clientId: string): string {
	return `techfile:${idSuffix(clientId)}`;
}

export function userIdFor(login: string): string {
	return `user:${login}`;
}
