/** Reads of the local database that the sync needs, in as few round trips as possible. */
import type { LocalDb } from '../data/local-db.ts';
import type { ManifestEntry } from './plan.ts';
import { shouldPush, type PushFacts } from './push-filter.ts';

const isSystem = (id: string): boolean => id.startsWith('_design/') || id.startsWith('_local/');

/** Ids of the documents on the device (tombstones and design documents left out). */
export async function localIds(db: LocalDb): Promise<string[]> {
	return (await localRevs(db)).map(([id]) => id);
}

/** `[id, winning rev]` of the documents on the device (tombstones, design documents left out). */
export async function localRevs(db: LocalDb): Promise<ManifestEntry[]> {
	const result = await db.allDocs();
	return result.rows.flatMap((row): ManifestEntry[] =>
		isSystem(row.id) ? [] : [[row.id, row.value.rev]]
	);
}

/**
 * Ids whose manifest revision is not in the local revision tree. The common case (the
 * device's winner is the server's revision) is settled by one `allDocs`; only the others go
 * through `revsDiff`, which also knows revisions that lost a conflict or lie under a local
 * edit not yet pushed.
 */
export async function missingIds(
	db: LocalDb,
	manifest: readonly ManifestEntry[]
): Promise<Set<string>> {
	const result = await db.allDocs({ keys: manifest.map(([id]) => id) });
	const winner = new Map<string, string>();
	for (const row of result.rows) {
		if ('value' in row && row.value && !row.value.deleted) winner.set(row.id, row.value.rev);
	}
	const unsure = manifest.filter(([id, rev]) => winner.get(id) !== rev);
	if (unsure.length === 0) return new Set();
	const diff = await db.revsDiff(Object.fromEntries(unsure.map(([id, rev]) => [id, [rev]])));
	return new Set(Object.keys(diff));
}

/**
 * Ids changed on the device since the last push that the server does not have: the
 * "changes not yet on the server" every screen shows, and what sign-out would lose.
 */
export async function pendingIds(
	db: LocalDb,
	since: number | string,
	facts: PushFacts
): Promise<string[]> {
	return (await pendingChanges(db, since, facts)).ids;
}

/** As pendingIds, with the local sequence the answer covers (where a push would get to). */
export async function pendingChanges(
	db: LocalDb,
	since: number | string,
	facts: PushFacts
): Promise<{ ids: string[]; lastSeq: number | string }> {
	const result = await db.changes({ since, style: 'main_only' });
	const ids = new Set<string>();
	for (const change of result.results) {
		const rev = change.changes[0]?.rev;
		if (shouldPush({ _id: change.id, _rev: rev }, facts)) ids.add(change.id);
	}
	return { ids: [...ids], lastSeq: result.last_seq };
}

/** Documents by id (missing ones left out), as plain JSON. */
export async function docsById(
	db: LocalDb,
	ids: readonly string[]
): Promise<Map<string, Record<string, unknown>>> {
	const out = new Map<string, Record<string, unknown>>();
	if (ids.length === 0) return out;
	const result = await db.allDocs({ keys: [...new Set(ids)], include_docs: true });
	for (const row of result.rows) {
		if ('doc' in row && row.doc) out.set(row.id, row.doc as Record<string, unknown>);
	}
	return out;
}
