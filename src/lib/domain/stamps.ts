/**
 * Field stamps: when each part of a mutable document last changed, and who changed it.
 *
 * Why: CouchDB keeps concurrent revisions side by side, and merge.ts must combine them the
 * same way on every node, in any order and any grouping. Last-writer-wins on the document's
 * `updatedAt` alone is not associative once a merged document is merged again (its
 * `updatedAt` makes every old field look new). So each document is cut into registers
 * (a field, a group of fields that must stay consistent, or one entity of a list keyed by
 * id), and each register carries its own stamp. A register without an entry in `stamps`
 * was last written when the document was created; an entry for a list entity that is
 * absent from the list records its removal.
 *
 * Every save of a ticket, mission, technical file or client goes through `touch`, which
 * stamps what changed; `checkStamps` lets the server refuse a save that did not.
 */
import { toIso, toMillis, type Instant } from './ids.ts';
import { err, ok, type Result } from './result.ts';
import type { ClientDoc } from './schemas/client.ts';
import type { MissionDoc } from './schemas/mission.ts';
import type { TechfileDoc } from './schemas/techfile.ts';
import type { TicketDoc } from './schemas/ticket.ts';

export type MergeableDoc = TicketDoc | MissionDoc | TechfileDoc | ClientDoc;
export type MergeableType = MergeableDoc['type'];

export interface Stamp {
	at: string;
	by: string;
	/** The stamp this write replaced: tells a merge that the author saw the older value. */
	prev?: { at: string; by: string } | undefined;
}

interface Spec {
	/** Fields that only make sense together (a ticket's status and its closure…). */
	groups: Readonly<Record<string, readonly string[]>>;
	/** Lists of entities merged one entity at a time, with the key of each entity. */
	sets: Readonly<Record<string, (item: unknown) => string>>;
}

const byId = (item: unknown): string => String((item as { id?: unknown }).id);
const created = ['createdAt', 'createdBy'];

export const MERGE_SPECS: Readonly<Record<MergeableType, Spec>> = {
	ticket: {
		groups: {
			state: [
				'status',
				'pending',
				'resolution',
				'closure',
				'cancellation',
				'assignees',
				'preTicket'
			],
			classification: ['clientId', 'siteId', 'category', 'subcategory', 'group'],
			priority: ['impact', 'urgency', 'priority'],
			created
		},
		sets: {
			links: (item) => {
				const link = item as { kind?: unknown; ticketId?: unknown };
				return `${String(link.kind)} ${String(link.ticketId)}`;
			}
		}
	},
	mission: { groups: { slot: ['start', 'end'], created }, sets: {} },
	techfile: { groups: { created }, sets: { equipment: byId, software: byId, credentials: byId } },
	client: { groups: { created }, sets: { sites: byId, contacts: byId } }
};

/** Fields that are not registers: CouchDB's, the server's, and the stamps themselves. */
export const UNSTAMPED = new Set([
	'_id',
	'_rev',
	'_deleted',
	'_conflicts',
	'_revisions',
	'_attachments',
	'type',
	'access',
	'stamps',
	'updatedAt',
	'updatedBy'
]);

type Json = Record<string, unknown>;

/** JSON with sorted keys and `undefined` members left out: equal values, equal strings. */
export function canonical(value: unknown): string {
	if (value === undefined) return '';
	if (value === null || typeof value !== 'object') return JSON.stringify(value);
	if (Array.isArray(value)) return `[${value.map((v) => canonical(v) || 'null').join(',')}]`;
	const entries = Object.entries(value as Json)
		.filter(([, v]) => v !== undefined)
		.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
	return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

function specOf(doc: MergeableDoc): Spec {
	return MERGE_SPECS[doc.type];
}

const SEP = '/';

/** The register holding a top-level field, or null for list fields and unstamped ones. */
function registerOfField(spec: Spec, field: string): string | null {
	if (UNSTAMPED.has(field) || field in spec.sets) return null;
	for (const [name, fields] of Object.entries(spec.groups)) if (fields.includes(field)) return name;
	return field;
}

/** Every register key the document has a value or a stamp for. */
export function registerKeys(doc: MergeableDoc): string[] {
	const spec = specOf(doc);
	const keys = new Set<string>(Object.keys(spec.groups));
	const json = doc as unknown as Json;
	for (const field of Object.keys(json)) {
		const register = registerOfField(spec, field);
		if (register !== null) keys.add(register);
	}
	for (const [field, keyOf] of Object.entries(spec.sets)) {
		const list = json[field];
		if (Array.isArray(list)) for (const item of list) keys.add(`${field}${SEP}${keyOf(item)}`);
	}
	for (const key of Object.keys(doc.stamps ?? {})) keys.add(key);
	return [...keys];
}

function setField(spec: Spec, key: string): string | null {
	const cut = key.indexOf(SEP);
	if (cut < 0) return null;
	const field = key.slice(0, cut);
	return field in spec.sets ? field : null;
}

/** The value of a register: a field's value, a group's fields, or one entity (or undefined). */
export function registerValue(doc: MergeableDoc, key: string): unknown {
	const spec = specOf(doc);
	const json = doc as unknown as Json;
	const group = spec.groups[key];
	if (group !== undefined) {
		const out: Json = {};
		for (const field of group) if (json[field] !== undefined) out[field] = json[field];
		return out;
	}
	const field = setField(spec, key);
	if (field !== null) {
		const list = json[field];
		const id = key.slice(field.length + SEP.length);
		const keyOf = spec.sets[field] ?? byId;
		return Array.isArray(list) ? list.find((item) => keyOf(item) === id) : undefined;
	}
	return json[key];
}

export function creationStamp(doc: MergeableDoc): Stamp {
	return { at: doc.createdAt, by: doc.createdBy };
}

/**
 * The stamp of a register, or null when the document knows nothing of it (a list entity it
 * never had): such a register takes no part in a merge.
 */
export function stampOf(doc: MergeableDoc, key: string): Stamp | null {
	const explicit = doc.stamps?.[key];
	if (explicit !== undefined) return explicit;
	if (setField(specOf(doc), key) !== null && registerValue(doc, key) === undefined) return null;
	return creationStamp(doc);
}

/** Orders stamps by time, then author; `0` only for the same time and author. */
export function compareStamps(a: Stamp, b: Stamp): number {
	const byTime = toMillis(a.at) - toMillis(b.at);
	if (byTime !== 0) return byTime;
	return a.by < b.by ? -1 : a.by > b.by ? 1 : 0;
}

export function sameStamp(a: { at: string; by: string } | undefined, b: Stamp): boolean {
	return a !== undefined && compareStamps(a, b) === 0;
}

/** Keeps only the stamps a reader could not infer (see `stampOf`), so equal states have
 * equal bodies and stamps stay few. */
export function normalizeStamps(
	doc: MergeableDoc,
	stamps: Readonly<Record<string, Stamp>>
): Record<string, Stamp> | undefined {
	const base = creationStamp(doc);
	const out: Record<string, Stamp> = {};
	for (const key of Object.keys(stamps).sort()) {
		const stamp = stamps[key];
		if (stamp === undefined) continue;
		const inferable = setField(specOf(doc), key) === null || registerValue(doc, key) !== undefined;
		const isFallback = inferable && stamp.prev === undefined && sameStamp(base, stamp);
		if (!isFallback) out[key] = stamp;
	}
	return Object.keys(out).length === 0 ? undefined : out;
}

function withStamps<T extends MergeableDoc>(doc: T, stamps: Record<string, Stamp> | undefined): T {
	const out: Json = { ...(doc as unknown as Json) };
	delete out.stamps;
	if (stamps !== undefined) out.stamps = stamps;
	return out as unknown as T;
}

/**
 * Prepares `after` for saving: sets `updatedAt`/`updatedBy` and stamps each register that
 * differs from `before` (with `before === null`, sets the creation fields instead). The time
 * used is `now`, or just after the previous save when the device clock lags behind it, so a
 * field's stamps only ever grow.
 */
export function touch<T extends MergeableDoc>(
	before: T | null,
	after: T,
	now: Instant,
	by: string
): T {
	if (before === null) {
		const at = toIso(now);
		return withStamps(
			{ ...after, createdAt: at, createdBy: by, updatedAt: at, updatedBy: by },
			undefined
		);
	}
	const at = toIso(Math.max(toMillis(now), toMillis(before.updatedAt) + 1));
	const next = { ...after, updatedAt: at, updatedBy: by };
	const stamps: Record<string, Stamp> = {};
	for (const key of new Set([...registerKeys(before), ...registerKeys(next)])) {
		const old = stampOf(before, key);
		if (canonical(registerValue(before, key)) !== canonical(registerValue(next, key))) {
			stamps[key] = old === null ? { at, by } : { at, by, prev: { at: old.at, by: old.by } };
		} else if (old !== null) {
			stamps[key] = old;
		}
	}
	return withStamps(next, normalizeStamps(next, stamps));
}

/**
 * Refuses a save in which a register changed without a newer stamp: such a change would be
 * silently undone by the next merge. Saves made through `touch` or `merge` always pass.
 */
export function checkStamps(before: MergeableDoc, after: MergeableDoc): Result<true> {
	for (const key of new Set([...registerKeys(before), ...registerKeys(after)])) {
		if (canonical(registerValue(before, key)) === canonical(registerValue(after, key))) continue;
		const old = stampOf(before, key);
		const now = stampOf(after, key);
		if (now === null || (old !== null && compareStamps(now, old) <= 0)) {
			return err(`${after.type}.${key}: changed without a newer stamp (save through touch())`);
		}
	}
	return ok(true);
}
