import { api } from '../api/http.ts';
import type { LocalDb } from '../data/local-db.ts';
import type { Ledger } from './ledger.ts';
import { localRevs, missingIds } from './local.ts';
import {
	batches,
	LIST_RANK,
	planPull,
	pullRank,
	unconfirmedIds,
	WRITTEN_MAX,
	type Manifest,
	type ManifestEntry
} from './plan.ts';
import { removeFromDevice } from './revoke.ts';

/** Documents fetched per `_bulk_get` round trip (the server takes up to 500). */
export const PULL_BATCH = 200;

export interface BulkGetResult {
	results: Array<{
		id: string;
		docs: Array<{ ok?: Record<string, unknown> & { _rev?: string }; error?: unknown }>;
	}>;
}

/** How the pull reaches the server; tests pass their own. */
export interface PullTransport {
	/**
	 * @param written ids this device pushed and no manifest listed yet: the server answers once
	 * it holds them (or after a short wait), so they are not taken for revoked.
	 */
	manifest(written?: readonly string[]): Promise<Manifest>;
	bulkGet(docs: ReadonlyArray<{ id: string; rev: string }>): Promise<BulkGetResult>;
}

export const httpTransport: PullTransport = {
	manifest: (written = []) =>
		written.length === 0
			? api<Manifest>('/api/sync/manifest')
			: api<Manifest>('/api/sync/manifest', { method: 'POST', body: { written } }),
	bulkGet: (docs) => api<BulkGetResult>('/api/sync/bulk_get', { method: 'POST', body: { docs } })
};

export interface PullProgress {
	readonly done: number;
	readonly total: number;
	/** The tickets among them (`done` of `total` on the device). */
	readonly tickets: { readonly done: number; readonly total: number };
	/** Everything the ticket list shows is on the device (fetched first, `LIST_RANK`). */
	readonly listReady: boolean;
}

export interface PullOutcome {
	/** Ids stored by this pull. */
	readonly fetched: string[];
	/** Ids removed from the device (no longer readable). */
	readonly removed: string[];
	readonly total: number;
}

/**
 * Of the removal marks to drop, those whose document is not a tombstone on the device (purged,
 * or live again at a newer server revision). A mark over a tombstone (an adapter without
 * purge) is kept: it is what keeps the push from sending that tombstone to the server.
 */
async function droppable(db: LocalDb, ids: readonly string[]): Promise<string[]> {
	if (ids.length === 0) return [];
	const { rows } = await db.allDocs({ keys: [...ids] });
	return rows.flatMap((row) =>
		'value' in row && (row.value as { deleted?: boolean } | undefined)?.deleted === true
			? []
			: [row.key]
	);
}

/**
 * Pull: ask the server which documents this user may hold, remove from the device those no
 * longer listed, fetch the missing revisions in batches and store them as they are
 * (`new_edits: false`, attachments inline). Interrupted, it resumes where it stopped: what
 * is stored is not asked for again, and the progress starts from it.
 * @param pending ids with local changes the server has not had (kept if never on a manifest)
 * @throws {ApiError} when the server refuses (over the document cap: 507) or cannot be reached.
 */
export async function pull(
	db: LocalDb,
	ledger: Ledger,
	transport: PullTransport,
	pending: ReadonlySet<string>,
	onProgress: (p: PullProgress) => void,
	now: () => string = () => new Date().toISOString()
): Promise<PullOutcome> {
	const local = await localRevs(db);
	const written = unconfirmedIds(local, ledger.serverRevs, pending);
	// Documents stored since `local` was read came from this device (pending) or this pull.
	const ids = local.map(([id]) => id);
	const planFor = async (manifest: Manifest) =>
		planPull({
			manifest: manifest.docs,
			missing: await missingIds(db, manifest.docs),
			localIds: ids,
			serverRevs: ledger.serverRevs,
			removed: ledger.removedMarks,
			pending
		});
	let plan = await planFor(await transport.manifest(written));
	// Before anything leaves the device, the server is asked again naming it: an instance or a
	// cluster's copy that lags may not list yet what another one listed (a ticket in conflict,
	// a write through the other instance). Only what both answers leave out is gone; the rest
	// of the plan is the first answer's (the second may come from a lagging instance).
	if (plan.remove.length > 0) {
		const named = [...new Set([...plan.remove, ...written])].slice(0, WRITTEN_MAX);
		const again = new Set((await planFor(await transport.manifest(named))).remove);
		plan = { ...plan, remove: plan.remove.filter((id) => again.has(id)) };
	}
	// Revocation first: it must happen even if the fetch below is interrupted.
	const removed = await removeFromDevice(db, ledger, plan.remove, 'revoked', now());
	await ledger.stored(plan.present);
	let done = plan.done;
	let ticketsDone = plan.tickets.done;
	// How many of the list's documents are still to fetch (they come first).
	let listLeft = plan.fetch.filter(([id]) => pullRank(id) <= LIST_RANK).length;
	const progress = (): PullProgress => ({
		done,
		total: plan.total,
		tickets: { done: ticketsDone, total: plan.tickets.total },
		listReady: listLeft === 0
	});
	onProgress(progress());
	const fetched: string[] = [];
	for (const batch of batches(plan.fetch, PULL_BATCH)) {
		const result = await transport.bulkGet(batch.map(([id, rev]) => ({ id, rev })));
		const docs = result.results.flatMap((r) => r.docs.flatMap((d) => (d.ok ? [d.ok] : [])));
		if (docs.length > 0) await db.bulkDocs(docs, { new_edits: false });
		const got = new Set(docs.map((d) => `${String(d._id)}\n${String(d._rev)}`));
		const stored: ManifestEntry[] = batch.filter(([id, rev]) => got.has(`${id}\n${rev}`));
		await ledger.stored(stored);
		fetched.push(...stored.map(([id]) => id));
		done += batch.length;
		ticketsDone += batch.filter(([id]) => id.startsWith('ticket:')).length;
		listLeft -= batch.filter(([id]) => pullRank(id) <= LIST_RANK).length;
		onProgress(progress());
	}
	// After the fetch: a document readable again is live by now, and its mark can go.
	await ledger.forget(await droppable(db, plan.forget));
	return { fetched, removed, total: plan.total };
}
