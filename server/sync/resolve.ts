/**
 * Conflict resolution on the server, the moment a conflict appears (a device's push, or any
 * instance's changes follower as a safety net). Mergeable documents (ticket, mission, technical
 * file, client) get the domain's deterministic merge, written on top of CouchDB's winner, with
 * the losing branches deleted and what the merge set aside written as timeline events; other
 * types keep one branch by a fixed rule and set the others aside. The outcome depends only on
 * the set of branches, not on which device synced first or which instance resolved.
 */
import { compareRevs, mergeRevisions, setAsideEvents } from '#lib/domain/merge.ts';
import { derivedId, isId, toIso } from '#lib/domain/ids.ts';
import type { EventDoc } from '#lib/domain/schemas.ts';
import { canonical, MERGE_SPECS, type MergeableDoc } from '#lib/domain/stamps.ts';
import { isIsoTimestamp } from '#lib/domain/schemas.ts';
import type { Couch } from '../couch/connect.ts';
import { statusOf } from '../errors.ts';
import { parsed } from './indexer.ts';

type Raw = Record<string, unknown>;

export const TOMB_PREFIX = 'tomb:';
const TOMBS_KEPT = 20;

/** Deleted branches of a document, so a device that pushed a losing branch can close it too. */
export interface TombDoc {
	_id: string;
	_rev?: string;
	type: 'tombstones';
	doc: string;
	revs: string[];
}

function isMergeable(doc: { type: string }): doc is MergeableDoc {
	return doc.type in MERGE_SPECS;
}

function strip(doc: Raw): Raw {
	const { _conflicts: _c, _revisions: _r, ...rest } = doc;
	return rest;
}

function sameBody(a: Raw, b: Raw): boolean {
	const { _rev: _a, ...x } = strip(a);
	const { _rev: _b, ...y } = strip(b);
	return canonical(x) === canonical(y);
}

/**
 * Resolves the conflicts of one document, if it has any. Safe to run concurrently with
 * another instance: writes are deterministic, and a 409 starts over from what is stored.
 * @returns whether anything was written.
 */
export async function resolveConflicts(
	couch: Couch,
	id: string,
	now: Date,
	knownLeaves: readonly string[] = []
): Promise<boolean> {
	for (let attempt = 0; attempt < 5; attempt++) {
		try {
			return await resolveOnce(couch, id, now, knownLeaves);
		} catch (error) {
			if (statusOf(error) !== 409) throw error;
		}
	}
	return false;
}

/**
 * `knownLeaves`: revisions the caller just wrote or read as leaves. On a cluster a read right
 * after a write may come from copies that do not hold the new branch yet, so `_conflicts` alone
 * may miss it; a revision asked by name is found on any copy that holds it.
 */
async function resolveOnce(
	couch: Couch,
	id: string,
	now: Date,
	knownLeaves: readonly string[]
): Promise<boolean> {
	const db = couch.db;
	let winner: Raw;
	try {
		winner = (await db.get(id, { conflicts: true, revs: knownLeaves.length > 0 })) as Raw;
	} catch (error) {
		if (statusOf(error) === 404) return false;
		throw error;
	}
	const listed = new Set((winner._conflicts as string[] | undefined) ?? []);
	const history = winner._revisions as { start: number; ids: string[] } | undefined;
	const ancestry = new Set(history?.ids.map((hash, i) => `${history.start - i}-${hash}`) ?? []);
	for (const rev of knownLeaves) if (!ancestry.has(rev) && rev !== winner._rev) listed.add(rev);
	const conflictRevs = [...listed].sort();
	if (conflictRevs.length === 0) return false;
	const others = (
		await Promise.all(
			conflictRevs.map(async (rev) => {
				const doc = (await db.get(id, { rev })) as Raw;
				// A known leaf that was since deleted is no longer a conflict.
				return doc._deleted === true ? null : doc;
			})
		)
	).filter((d): d is Raw => d !== null);
	if (others.length === 0) return false;
	const leaves = [strip(winner), ...others.map(strip)];
	const docs = leaves.map(parsed);

	const events: EventDoc[] = [];
	let keep: Raw;
	let write: Raw | null = null;
	if (docs.every((d) => d !== null && isMergeable(d) && d.type === docs[0]?.type)) {
		const ancestor = await commonAncestor(couch, id, leaves);
		const revs = docs as MergeableDoc[];
		const { merged, setAside } = mergeRevisions(revs as [MergeableDoc, ...MergeableDoc[]], {
			ancestor: ancestor && isMergeable(ancestor) ? ancestor : undefined
		});
		events.push(...setAsideEvents(merged, setAside));
		keep = leaves.find((l) => l._rev === merged._rev) ?? leaves[0]!;
		const body = merged as unknown as Raw;
		if (!sameBody(body, keep)) write = body;
	} else {
		keep = keeper(leaves);
		for (const loser of leaves) {
			if (loser !== keep && !sameBody(loser, keep))
				events.push(setAsideEvent(id, loser, keep, now));
		}
	}
	// The record of what lost goes first: if we stop half way, nothing is lost.
	for (const event of events) {
		try {
			await db.insert(event as unknown as Raw);
		} catch (error) {
			if (statusOf(error) !== 409) throw error;
		}
	}
	if (write) await db.insert(write);
	const tombs: string[] = [];
	for (const leaf of leaves) {
		if (leaf._rev === keep._rev) continue;
		const res = await db.destroy(id, String(leaf._rev));
		tombs.push(res.rev);
	}
	await recordTombstones(couch, id, tombs);
	return true;
}

/** Non-mergeable types: a signed report over an unsigned one, then the latest save, then CouchDB's pick. */
export function keeper(leaves: Raw[]): Raw {
	const rank = (d: Raw) => [
		typeof d.signedAt === 'string' ? 1 : 0,
		typeof d.updatedAt === 'string' ? Date.parse(d.updatedAt) || 0 : 0
	];
	return leaves.reduce((best, leaf) => {
		const [sa, ua] = rank(leaf);
		const [sb, ub] = rank(best);
		if (sa !== sb) return (sa ?? 0) > (sb ?? 0) ? leaf : best;
		if (ua !== ub) return (ua ?? 0) > (ub ?? 0) ? leaf : best;
		return compareRevs(leaf._rev as string, best._rev as string) > 0 ? leaf : best;
	});
}

function setAsideEvent(id: string, loser: Raw, keep: Raw, now: Date): EventDoc {
	const stamp = [loser.updatedAt, loser.createdAt, keep.updatedAt].find(
		(v): v is string => typeof v === 'string' && isIsoTimestamp(v)
	);
	const at = stamp ? toIso(stamp) : toIso(now);
	const value: Raw = {};
	for (const [k, v] of Object.entries(loser)) if (!k.startsWith('_')) value[k] = v;
	const ticketId =
		typeof loser.ticketId === 'string' && isId(loser.ticketId, 'ticket')
			? loser.ticketId
			: isId(id, 'ticket')
				? id
				: undefined;
	const event: EventDoc = {
		_id: derivedId('event', at, `${id}\n${String(loser._rev)}`),
		type: 'event',
		subjectId: id,
		kind: 'merge_set_aside',
		visibility: 'internal',
		author: 'system',
		at,
		// The set-aside version is in `data`; the timeline says it in words (i18n/timeline.ts).
		body: '',
		data: { rev: loser._rev ?? null, value }
	};
	if (ticketId !== undefined) event.ticketId = ticketId;
	return event;
}

/** The body of the newest revision all leaves share, when the database still has it. */
async function commonAncestor(couch: Couch, id: string, leaves: Raw[]) {
	try {
		const histories = await Promise.all(
			leaves.map(async (leaf) => {
				const doc = (await couch.db.get(id, { rev: String(leaf._rev), revs: true })) as Raw;
				const r = doc._revisions as { start: number; ids: string[] } | undefined;
				return r ? r.ids.map((h, i) => `${r.start - i}-${h}`) : [];
			})
		);
		const [first, ...rest] = histories;
		const shared = first?.find((rev) => rest.every((h) => h.includes(rev)));
		if (!shared) return null;
		return parsed(await couch.db.get(id, { rev: shared }));
	} catch {
		return null; // compacted away: the merge is still right, it may only set aside more
	}
}

async function recordTombstones(couch: Couch, id: string, revs: string[]): Promise<void> {
	if (revs.length === 0) return;
	const tombId = TOMB_PREFIX + id;
	for (let attempt = 0; attempt < 5; attempt++) {
		let current: TombDoc | null = null;
		try {
			current = (await couch.privateDb.get(tombId)) as unknown as TombDoc;
		} catch (error) {
			if (statusOf(error) !== 404) throw error;
		}
		const all = [...new Set([...(current?.revs ?? []), ...revs])];
		const doc: TombDoc = {
			_id: tombId,
			...(current?._rev ? { _rev: current._rev } : {}),
			type: 'tombstones',
			doc: id,
			revs: all.sort(compareRevs).slice(-TOMBS_KEPT)
		};
		try {
			await couch.privateDb.insert(doc as unknown as Raw);
			return;
		} catch (error) {
			if (statusOf(error) !== 409) throw error;
		}
	}
}
