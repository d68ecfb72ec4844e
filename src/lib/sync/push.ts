import type { LocalDb } from '../data/local-db.ts';
import { shouldPush, type PushFacts } from './push-filter.ts';

/** Documents per `_revs_diff` / `_bulk_docs` round trip. */
export const PUSH_BATCH = 100;

export interface Refusal {
	readonly id: string;
	readonly reason: string;
}

export interface PushOutcome {
	readonly written: number;
	readonly refused: Refusal[];
	/** Local sequence the push got to: changes after it are not on the server yet. */
	readonly lastSeq: number | string;
}

export interface Cancelable {
	cancel(): void;
}

/**
 * Push: PouchDB replication to the server's endpoint, per document filtered by
 * `shouldPush`. The checkpoint is kept on the device only (`checkpoint: 'source'`), so the
 * server keeps no replication state per device. Refusals (`forbidden`, with the server's
 * reason) come back per document and do not stop the others.
 * @throws the replication error when the server cannot be reached or answers an error.
 */
export async function push(
	db: LocalDb,
	remote: LocalDb,
	facts: PushFacts,
	onStart: (replication: Cancelable) => void = () => undefined
): Promise<PushOutcome> {
	const refused: Refusal[] = [];
	const replication = db.replicate.to(remote, {
		filter: (doc: { _id: string; _rev?: string }) => shouldPush(doc, facts),
		checkpoint: 'source',
		batch_size: PUSH_BATCH
	} as PouchDB.Replication.ReplicateOptions);
	onStart(replication);
	// `on` returns the replication itself, a thenable: awaited below.
	void replication.on('denied', (error: unknown) => {
		const e = (error ?? {}) as { id?: unknown; reason?: unknown; message?: unknown };
		refused.push({ id: String(e.id ?? ''), reason: String(e.reason ?? e.message ?? '') });
	});
	const result = await replication;
	return { written: result.docs_written, refused, lastSeq: result.last_seq ?? 0 };
}
