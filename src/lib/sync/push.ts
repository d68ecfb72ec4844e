import type { LocalDb } from '../data/local-db.ts';
import { parseRefusal, type Refusal as Why } from '../domain/refusals.ts';
import { shouldPush, type PushFacts } from './push-filter.ts';

/** Documents per `_revs_diff` / `_bulk_docs` round trip. */
export const PUSH_BATCH = 100;

/** A document the server refused: its English `reason` (logs) and why, as a code to put in words. */
export interface Refusal {
	readonly id: string;
	readonly reason: string;
	/** The server's coded refusal; null when it sent none this version knows. */
	readonly why: Why | null;
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

/** What the push starts from: the filter's facts and where the last complete push got to. */
export interface PushState extends PushFacts {
	/** Local sequence of the last push that completed (everything before it was answered). */
	readonly pushedSeq: number | string;
}

/**
 * Push: PouchDB replication to the server's endpoint, per document filtered by
 * `shouldPush`, from the device's own push position (`state.pushedSeq`, moved by the caller
 * once a push completes). PouchDB's checkpoint is not used: it moves after each batch, also
 * past a document the server refused in that batch, so a push cut in a later batch would
 * never send that document again. Starting from the last complete push instead, a batch the
 * server already took costs one `_revs_diff` and nothing is skipped. The server keeps no
 * replication state per device.
 *
 * The server judges an event against its subject as stored, and the replicator sends
 * changes in the device's sequence order, in batches: an event written before its subject
 * (a sealed report with attachments is stored after the event written with it; a subject
 * edited after its event moves behind it) can reach the server a batch before it and be
 * refused. So the refused documents are sent once more at the end, when everything before
 * them in this push is on the server. Refusals that remain (`forbidden`, with the server's
 * reason) are returned per document and do not stop the others.
 * @throws the replication error when the server cannot be reached or answers an error.
 */
export async function push(
	db: LocalDb,
	remote: LocalDb,
	state: PushState,
	onStart: (replication: Cancelable) => void = () => undefined
): Promise<PushOutcome> {
	const first = await replicate(db, remote, state, null, onStart);
	if (first.refused.length === 0) return first;
	const again = await replicate(
		db,
		remote,
		state,
		[...new Set(first.refused.map((r) => r.id))],
		onStart
	);
	return { written: first.written + again.written, refused: again.refused, lastSeq: first.lastSeq };
}

async function replicate(
	db: LocalDb,
	remote: LocalDb,
	state: PushState,
	docIds: string[] | null,
	onStart: (replication: Cancelable) => void
): Promise<PushOutcome> {
	const refused: Refusal[] = [];
	const replication = db.replicate.to(remote, {
		filter: (doc: { _id: string; _rev?: string }) => shouldPush(doc, state),
		checkpoint: false,
		since: state.pushedSeq,
		batch_size: PUSH_BATCH,
		...(docIds ? { doc_ids: docIds } : {})
	} as PouchDB.Replication.ReplicateOptions);
	onStart(replication);
	// `on` returns the replication itself, a thenable: awaited below.
	void replication.on('denied', (error: unknown) => {
		const e = (error ?? {}) as { id?: unknown; reason?: unknown; message?: unknown };
		refused.push({
			id: String(e.id ?? ''),
			reason: String(e.reason ?? e.message ?? ''),
			why: parseRefusal(error)
		});
	});
	const result = await replication;
	return { written: result.docs_written, refused, lastSeq: result.last_seq ?? state.pushedSeq };
}
