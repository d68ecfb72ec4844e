/**
 * Deterministic merge of conflicting revisions of a mutable document (ticket, mission,
 * technical file, client).
 *
 * Each register (see stamps.ts) takes the value with the greatest stamp: time, then author,
 * then the value's canonical JSON, then the stamp's, so the order is total and the merge is a
 * join: commutative, associative and idempotent. Nodes that merge the same revisions, in any
 * order or grouping, write the same body (keys sorted), so with CouchDB's deterministic
 * revision ids they do not even create a new conflict.
 *
 * Nothing is dropped silently: a value that loses is returned in `setAside`, unless it was
 * not an edit at all (the winning author replaced it knowingly, or it is the common
 * ancestor's value), and `setAsideEvents` turns the list into timeline events.
 */
import { derivedId, idSuffix } from './ids.ts';
import type { EventDoc } from './schemas/event.ts';
import {
	canonical,
	compareStamps,
	MERGE_SPECS,
	normalizeStamps,
	registerKeys,
	registerValue,
	sameStamp,
	stampOf,
	type MergeableDoc,
	type Stamp
} from './stamps.ts';

export interface SetAside {
	docId: string;
	/** The register: a field (`title`), a group (`state`) or a list entity (`equipment/e1`). */
	register: string;
	/** The top-level fields the register covers. */
	fields: string[];
	/** The value that lost; undefined when what lost was a removal. */
	value: unknown;
	at: string;
	by: string;
	/** A revision that held the value (the lowest, so every node names the same one). */
	rev: string | undefined;
}

export interface MergeOutcome<T> {
	merged: T;
	setAside: SetAside[];
}

interface State {
	value: unknown;
	canon: string;
	stamp: Stamp;
	rev: string | undefined;
}

type Json = Record<string, unknown>;

function compareText(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

function compareStates(a: State, b: State): number {
	return (
		compareStamps(a.stamp, b.stamp) ||
		compareText(a.canon, b.canon) ||
		compareText(canonical(a.stamp), canonical(b.stamp))
	);
}

/** CouchDB's own winner rule: highest generation, then highest hash. */
export function compareRevs(a: string | undefined, b: string | undefined): number {
	const gen = (rev: string | undefined) => Number.parseInt(rev ?? '0', 10) || 0;
	return gen(a) - gen(b) || compareText(a ?? '', b ?? '');
}

function stateOf(doc: MergeableDoc, key: string): State | null {
	const stamp = stampOf(doc, key);
	if (stamp === null) return null;
	const value = registerValue(doc, key);
	return { value, canon: canonical(value), stamp, rev: doc._rev };
}

function fieldsOf(doc: MergeableDoc, register: string): string[] {
	const spec = MERGE_SPECS[doc.type];
	const group = spec.groups[register];
	if (group !== undefined) return [...group];
	const cut = register.indexOf('/');
	return [cut >= 0 && register.slice(0, cut) in spec.sets ? register.slice(0, cut) : register];
}

function sortKeys(doc: Json): Json {
	const keys = Object.keys(doc).sort((a, b) => {
		const rank = (k: string) => (k === '_id' ? 0 : k === '_rev' ? 1 : 2);
		return rank(a) - rank(b) || compareText(a, b);
	});
	const out: Json = {};
	for (const key of keys) out[key] = doc[key];
	return out;
}

/** Builds the merged body from the winning state of every register. */
function assemble<T extends MergeableDoc>(
	revs: readonly T[],
	winners: ReadonlyMap<string, State>
): T {
	const first = revs[0] as T;
	const spec = MERGE_SPECS[first.type];
	const couch = [...revs].sort((a, b) => compareRevs(b._rev, a._rev))[0] ?? first;
	const latest =
		[...revs].sort((a, b) => {
			const sa = { at: a.updatedAt, by: a.updatedBy };
			const sb = { at: b.updatedAt, by: b.updatedBy };
			return compareStamps(sb, sa) || compareText(canonical(sb), canonical(sa));
		})[0] ?? first;

	const out: Json = {
		_id: first._id,
		type: first.type,
		updatedAt: latest.updatedAt,
		updatedBy: latest.updatedBy
	};
	for (const meta of ['_rev', 'access', '_attachments'] as const) {
		if (couch[meta] !== undefined) out[meta] = couch[meta];
	}
	const lists: Record<string, Array<[string, unknown]>> = {};
	for (const field of Object.keys(spec.sets)) {
		if (revs.some((r) => Array.isArray((r as unknown as Json)[field]))) lists[field] = [];
	}
	const stamps: Record<string, Stamp> = {};
	for (const [key, state] of winners) {
		stamps[key] = state.stamp;
		const group = spec.groups[key];
		const cut = key.indexOf('/');
		const listField = cut >= 0 ? key.slice(0, cut) : '';
		if (group !== undefined) {
			for (const field of group) {
				const value = (state.value as Json)[field];
				if (value !== undefined) out[field] = value;
			}
		} else if (listField in spec.sets) {
			if (state.value !== undefined)
				(lists[listField] ??= []).push([key.slice(cut + 1), state.value]);
		} else if (state.value !== undefined) {
			out[key] = state.value;
		}
	}
	for (const [field, entries] of Object.entries(lists)) {
		out[field] = entries.sort(([a], [b]) => compareText(a, b)).map(([, item]) => item);
	}
	const merged = out as unknown as T;
	const normalized = normalizeStamps(merged, stamps);
	if (normalized !== undefined) out.stamps = normalized;
	return sortKeys(out) as unknown as T;
}

/**
 * Merges the leaf revisions of one document. `ancestor`, when the node still has it, only
 * quiets `setAside`: values it already held were not edits. The result keeps the `_rev` of
 * the revision CouchDB picked as winner, so it can be saved on top of it (and the other
 * leaves deleted).
 */
export function mergeRevisions<T extends MergeableDoc>(
	revs: readonly [T, ...T[]],
	options: { ancestor?: T | undefined } = {}
): MergeOutcome<T> {
	const keys = new Set<string>();
	for (const rev of revs) for (const key of registerKeys(rev)) keys.add(key);
	const winners = new Map<string, State>();
	const lost = new Map<string, SetAside>();
	for (const key of [...keys].sort()) {
		const states = revs.map((rev) => stateOf(rev, key)).filter((s): s is State => s !== null);
		const winner = states.reduce<State | null>(
			(best, s) => (best === null || compareStates(s, best) > 0 ? s : best),
			null
		);
		if (winner === null) continue;
		winners.set(key, winner);
		const before = options.ancestor === undefined ? null : stateOf(options.ancestor, key);
		for (const state of states) {
			if (state.canon === winner.canon) continue;
			const replacedKnowingly = states.some((s) => sameStamp(s.stamp.prev, state.stamp));
			const unchanged =
				before !== null && before.canon === state.canon && sameStamp(before.stamp, state.stamp);
			if (replacedKnowingly || unchanged) continue;
			const id = `${key}\n${state.canon}\n${canonical(state.stamp)}`;
			const known = lost.get(id);
			if (known === undefined || compareRevs(state.rev, known.rev) < 0) {
				lost.set(id, {
					docId: revs[0]._id,
					register: key,
					fields: fieldsOf(revs[0], key),
					value: state.value,
					at: state.stamp.at,
					by: state.stamp.by,
					rev: state.rev
				});
			}
		}
	}
	const setAside = [...lost.entries()].sort(([a], [b]) => compareText(a, b)).map(([, s]) => s);
	return { merged: assemble(revs, winners), setAside };
}

/**
 * What a branch is judged against when the revision it was made from is gone: CouchDB's
 * compaction keeps the bodies of the leaves only, so once another branch has grown from that
 * revision its body cannot be read any more. The result is `current` (the server's version),
 * except in the registers where the branch's stamp is older than `current`'s: there `current`
 * holds a change made elsewhere that the branch never saw, and the branch's value is where it
 * started from, not an edit of `current` by its author. Such a value loses the merge to the
 * newer one, so it never reaches the document (at most it is set aside, see `mergeRevisions`);
 * every register the branch would win is judged against `current`.
 */
export function branchBase<T extends MergeableDoc>(current: T, branch: T): T {
	if (current.type !== branch.type) return current;
	const keys = new Set([...registerKeys(current), ...registerKeys(branch)]);
	const winners = new Map<string, State>();
	for (const key of [...keys].sort()) {
		const now = stateOf(current, key);
		const then = stateOf(branch, key);
		const pick = now !== null && then !== null && compareStates(then, now) < 0 ? then : now;
		if (pick !== null) winners.set(key, pick);
	}
	const base = assemble([current], winners) as unknown as Json;
	base.updatedAt = current.updatedAt;
	base.updatedBy = current.updatedBy;
	return base as unknown as T;
}

/** The usual call: the winning revision and the bodies of its `_conflicts`. */
export function mergeConflict<T extends MergeableDoc>(
	winner: T,
	conflicts: readonly T[],
	ancestor?: T
): MergeOutcome<T> {
	return mergeRevisions([winner, ...conflicts], { ancestor });
}

/**
 * One `merge_set_aside` event per lost value, in the timeline of the ticket concerned. Ids
 * and bodies depend only on the lost value, so two nodes recording the same loss write the
 * same event, not two. The server records its merges as `system`; a device records its own
 * in its user's name (only the server may write as `system`).
 */
export function setAsideEvents(
	subject: MergeableDoc,
	setAside: readonly SetAside[],
	author = 'system'
): EventDoc[] {
	const ticketId =
		subject.type === 'ticket'
			? subject._id
			: subject.type === 'mission'
				? subject.ticketId
				: undefined;
	return setAside.map((s) => {
		const event: EventDoc = {
			_id: derivedId(
				'event',
				s.at,
				`${s.docId}\n${s.register}\n${canonical(s.value)}\n${s.at}\n${s.by}`
			),
			type: 'event',
			subjectId: s.docId,
			kind: 'merge_set_aside',
			visibility: 'internal',
			author,
			at: s.at,
			body: '', // codes only: the fields and the value set aside are in `data`
			data: {
				register: s.register,
				fields: s.fields,
				value: s.value ?? null,
				by: s.by,
				at: s.at,
				doc: idSuffix(s.docId)
			}
		};
		if (ticketId !== undefined) event.ticketId = ticketId;
		return event;
	});
}
