/**
 * Conflicts seen on the device: a pulled revision (stored with `new_edits: false`) that
 * branches from a local edit not yet pushed. They are merged with the domain's merge, the
 * same one the server runs, so both sides reach the same body; what the merge set aside
 * goes into the ticket's timeline (events sync up like any other document).
 */
import { mergeConflict, setAsideEvents } from '../domain/merge.ts';
import { parseDoc } from '../domain/schemas.ts';
import { canonical, type MergeableDoc } from '../domain/stamps.ts';
import type { LocalDb } from '../data/local-db.ts';

const MERGEABLE = ['ticket', 'mission', 'techfile', 'client'] as const;

type Row = Record<string, unknown> & { _id: string; _rev: string; _conflicts?: string[] };

function asMergeable(raw: unknown): MergeableDoc | null {
	const parsed = parseDoc(raw);
	if (!parsed.ok) return null;
	const doc = parsed.value;
	return (MERGEABLE as readonly string[]).includes(doc.type) ? (doc as MergeableDoc) : null;
}

function withoutMeta(doc: Readonly<Record<string, unknown>>): string {
	const { _rev: _r, _conflicts: _c, _revisions: _v, ...body } = doc;
	return canonical(body);
}

async function conflicted(db: LocalDb, ids: readonly string[] | null): Promise<Row[]> {
	const options = { include_docs: true, conflicts: true } as const;
	const results =
		ids === null
			? await Promise.all(
					MERGEABLE.map((type) =>
						db.allDocs({ ...options, startkey: `${type}:`, endkey: `${type}:\ufff0` })
					)
				)
			: ids.length === 0
				? []
				: [await db.allDocs({ ...options, keys: [...new Set(ids)] })];
	return results.flatMap((r) =>
		r.rows.flatMap((row) => {
			const doc = 'doc' in row ? (row.doc as Row | null | undefined) : undefined;
			return doc && (doc._conflicts?.length ?? 0) > 0 ? [doc] : [];
		})
	);
}

/**
 * Merges every conflicted document among `ids` (or all mergeable ones when null): writes
 * the merged body on the winning revision, deletes the losing leaves, and adds the
 * set-aside events, in the name of `author` (the signed-in user's id). Returns how many
 * documents were merged.
 */
export async function resolveConflicts(
	db: LocalDb,
	ids: readonly string[] | null,
	author: string
): Promise<number> {
	let merged = 0;
	for (const row of await conflicted(db, ids)) {
		const winner = asMergeable(row);
		if (!winner) continue;
		const leaves = (await db.get(row._id, {
			open_revs: row._conflicts ?? []
		})) as unknown as Array<{
			ok?: Record<string, unknown>;
		}>;
		const losers = leaves.flatMap((l) => {
			const doc = l.ok ? asMergeable(l.ok) : null;
			return doc && l.ok?._deleted !== true ? [doc] : [];
		});
		if (losers.length === 0) continue;
		const outcome = mergeConflict(winner, losers);
		const body: Record<string, unknown> = {
			...(outcome.merged as unknown as Record<string, unknown>),
			_rev: row._rev
		};
		delete body._conflicts;
		// Nothing new from the losers: deleting them is enough, no new revision of the winner.
		if (withoutMeta(body) !== withoutMeta(row)) await db.put(body);
		await db.bulkDocs(losers.map((l) => ({ _id: l._id, _rev: l._rev ?? '', _deleted: true })));
		const events = setAsideEvents(outcome.merged, outcome.setAside, author);
		// Deterministic ids: an event the server (or another device) already wrote is a 409, fine.
		if (events.length > 0) await db.bulkDocs(events as unknown as Array<Record<string, unknown>>);
		merged++;
	}
	return merged;
}
