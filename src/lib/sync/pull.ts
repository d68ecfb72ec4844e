import { api } from '../api/http.ts';
import type { LocalDb } from '../data/local-db.ts';

/** Documents fetched per `_bulk_get` round trip. */
export const PULL_BATCH = 200;

interface Manifest {
	docs: Array<[id: string, rev: string]>;
	total: number;
}

interface BulkGetResult {
	results: Array<{ id: string; docs: Array<{ ok?: Record<string, unknown>; error?: unknown }> }>;
}

export interface PullProgress {
	readonly done: number;
	readonly total: number;
}

/**
 * Pull: ask the server which documents this user may hold, fetch the missing revisions in
 * batches and store them as they are (`new_edits: false`). Interrupted, it resumes where it
 * stopped, since what is already stored is not asked for again.
 * @throws {ApiError} when the server refuses or cannot be reached.
 */
export async function pull(
	db: LocalDb,
	onProgress: (p: PullProgress) => void
): Promise<{ fetched: number; total: number }> {
	const manifest = await api<Manifest>('/api/sync/manifest');
	const ids = manifest.docs.map(([id]) => id);
	const local = await db.allDocs({ keys: ids });
	const have = new Map<string, string>();
	for (const row of local.rows) {
		if ('value' in row && row.value && !row.value.deleted) have.set(row.id, row.value.rev);
	}
	const missing = manifest.docs.filter(([id, rev]) => have.get(id) !== rev);
	let done = manifest.total - missing.length;
	onProgress({ done, total: manifest.total });
	for (let i = 0; i < missing.length; i += PULL_BATCH) {
		const batch = missing.slice(i, i + PULL_BATCH);
		const result = await api<BulkGetResult>('/api/sync/bulk_get', {
			method: 'POST',
			body: { docs: batch.map(([id, rev]) => ({ id, rev })) }
		});
		const docs = result.results.flatMap((r) => r.docs.flatMap((d) => (d.ok ? [d.ok] : [])));
		await db.bulkDocs(docs as never, { new_edits: false });
		done += batch.length;
		onProgress({ done, total: manifest.total });
	}
	return { fetched: missing.length, total: manifest.total };
}
