/**
 * Counters in the private database that every server instance shares: an update is a write on
 * the revision it read, and a conflict (another instance, or another request of this one,
 * wrote first) reads again and recomputes, so no count is ever lost.
 */
import { createHash } from 'node:crypto';
import type { DocumentScope } from 'nano';
import { statusOf } from '../errors.ts';

export type Db = DocumentScope<Record<string, unknown>>;
type Stored = Record<string, unknown> & { _id: string; _rev?: string };

/** Enough for a few dozen requests updating one counter at the same instant. */
const MAX_ATTEMPTS = 60;

/** A document id for a key that may hold anything (an address, an e-mail address). */
export function hashedId(prefix: string, key: string): string {
	return `${prefix}:${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}

export async function read<T>(db: Db, id: string): Promise<(T & Stored) | null> {
	try {
		return (await db.get(id)) as unknown as T & Stored;
	} catch (error) {
		if (statusOf(error) === 404) return null;
		throw error;
	}
}

/**
 * Reads the document and writes what `change` makes of it, again and again until the write
 * lands on the revision it read. `change` returns the new body, `null` to delete it, or
 * `undefined` to leave it as it is; its result comes back with whether it was written.
 * @throws {Error} when the document keeps changing under it.
 */
export async function update<T, R>(
	db: Db,
	id: string,
	change: (current: T | null) => { doc: T | null | undefined; result: R }
): Promise<R> {
	for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
		const current = await read<T>(db, id);
		const { doc, result } = change(current);
		try {
			if (doc === undefined) return result;
			if (doc === null) {
				if (current?._rev) await db.destroy(id, current._rev);
			} else {
				await db.insert({
					...(doc as object),
					_id: id,
					...(current?._rev ? { _rev: current._rev } : {})
				} as Record<string, unknown>);
			}
			return result;
		} catch (error) {
			if (statusOf(error) !== 409 && !(doc === null && statusOf(error) === 404)) throw error;
			if (doc === null && statusOf(error) === 404) return result;
			// Someone else wrote first: let the others through, then read again.
			await new Promise((done) => setTimeout(done, Math.random() * Math.min(50, 2 * attempt)));
		}
	}
	throw new Error(`${id} kept changing: gave up after ${MAX_ATTEMPTS} attempts`);
}
