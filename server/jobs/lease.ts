/**
 * Leases in the database: "exactly one instance does this now", however many server processes
 * share the database, with no coordinator but CouchDB's one-writer rule on a revision.
 *
 * - `createOnce` a document with a fixed id: of N instances one gets 201, the others 409. That
 *   is the claim for work done once ever (a fact, a notice).
 * - `takeLease` a document for work done again and again (a job's sweep): the writer puts its
 *   name and an expiry on the revision it read; of two instances racing, one write wins. A
 *   lease still held by another instance is left alone; an expired one is taken over (its
 *   owner died or stalled).
 * - `releaseLease` writes the outcome on the revision the holder wrote: if another instance
 *   took the lease over meanwhile, that revision is no longer current and nothing is written.
 *
 * This is the notifier's claim pattern (server/notify/notifier.ts: claims, stale-claim
 * take-over, finish on the owner's revision) in one module; the notifier can move onto it.
 */
import { createOnce, getOrNull, putIfUnchanged, type Db, type Stored } from '../notify/store.ts';

export { createOnce, getOrNull, type Db, type Stored };

export interface LeaseFields {
	/** The instance holding the lease, or null when free. */
	readonly owner: string | null;
	/** When the lease expires (ISO), or null when free. */
	readonly leaseUntil: string | null;
}

export type Leased<T> = Stored<T & LeaseFields> & { _rev: string };

/** Whether the lease is held by someone (not expired) at `now`. */
export function leaseHeld(doc: LeaseFields | null, now: Date): boolean {
	return doc?.owner != null && doc.leaseUntil != null && doc.leaseUntil > now.toISOString();
}

/**
 * Takes the lease of document `id` for `ms`, creating the document (from `initial`) when
 * missing.
 * @returns the document as written (with its new revision), or null when another instance
 * holds the lease or won the race. Database errors other than a conflict are rethrown.
 */
export async function takeLease<T extends object>(
	db: Db,
	id: string,
	initial: T,
	owner: string,
	ms: number,
	now: Date
): Promise<Leased<T> | null> {
	const current = await getOrNull<T & LeaseFields>(db, id);
	if (current && leaseHeld(current, now) && current.owner !== owner) return null;
	const next = {
		...(current ?? { ...initial, _id: id }),
		owner,
		leaseUntil: new Date(now.getTime() + ms).toISOString()
	};
	const rev = current ? await putIfUnchanged(db, next) : await createOnce(db, next);
	return rev ? ({ ...next, _rev: rev } as Leased<T>) : null;
}

/**
 * Frees the lease and writes `patch` on the holder's revision.
 * @returns false when the lease was taken over meanwhile (nothing written).
 */
export async function releaseLease<T extends object>(
	db: Db,
	held: Leased<T>,
	patch: Partial<T>
): Promise<boolean> {
	const rev = await putIfUnchanged(db, { ...held, ...patch, owner: null, leaseUntil: null });
	return rev !== null;
}
