/**
 * The notifier's documents in the private database (never replicated): claims, push
 * subscriptions and preferences, the mail outbox, unsubscribed requesters and the feed
 * checkpoint. All reads and writes go through these few helpers.
 */
import type { DocumentScope } from 'nano';
import { statusOf } from '../errors.ts';

export type Db = DocumentScope<Record<string, unknown>>;

export type Stored<T> = T & { _id: string; _rev?: string };

/** The document, or null when it does not exist. Other errors are rethrown. */
export async function getOrNull<T>(db: Db, id: string): Promise<Stored<T> | null> {
	try {
		return (await db.get(id)) as unknown as Stored<T>;
	} catch (error) {
		if (statusOf(error) === 404) return null;
		throw error;
	}
}

/**
 * Creates a document that must not exist yet: the database's one-writer guarantee on an id.
 * @returns false when another writer created it first (409); other errors are rethrown.
 */
export async function createOnce(db: Db, doc: object): Promise<boolean> {
	try {
		await db.insert(doc as Record<string, unknown>);
		return true;
	} catch (error) {
		if (statusOf(error) === 409) return false;
		throw error;
	}
}

/**
 * Writes `doc` over the revision it was read at.
 * @returns the new revision, or null on a conflict (someone else wrote first).
 */
export async function putIfUnchanged(db: Db, doc: object): Promise<string | null> {
	try {
		return (await db.insert(doc as Record<string, unknown>)).rev;
	} catch (error) {
		if (statusOf(error) === 409) return null;
		throw error;
	}
}

/** The documents whose id starts with `prefix`, in id order (descending when asked). */
export async function byPrefix<T>(
	db: Db,
	prefix: string,
	options: { limit?: number; descending?: boolean } = {}
): Promise<Stored<T>[]> {
	const low = prefix;
	const high = `${prefix}\ufff0`;
	const res = await db.list({
		include_docs: true,
		...(options.descending
			? { startkey: high, endkey: low, descending: true }
			: { startkey: low, endkey: high }),
		...(options.limit ? { limit: options.limit } : {})
	});
	return res.rows.flatMap((r) => (r.doc ? [r.doc as unknown as Stored<T>] : []));
}

/** A design document of the notifier; put when missing or changed. */
export async function ensureDesign(
	db: Db,
	id: string,
	views: Record<string, string>
): Promise<void> {
	const wanted = Object.fromEntries(Object.entries(views).map(([name, map]) => [name, { map }]));
	for (let attempt = 0; attempt < 3; attempt++) {
		const current = await getOrNull<{ views?: unknown }>(db, id);
		if (current && JSON.stringify(current.views) === JSON.stringify(wanted)) return;
		const written = await putIfUnchanged(db, {
			_id: id,
			...(current?._rev ? { _rev: current._rev } : {}),
			language: 'javascript',
			views: wanted
		});
		if (written) return;
	}
}

/** Rows of a view of the notifier's design document. */
export async function viewRows<T>(
	db: Db,
	view: string,
	params: { startkey?: unknown; endkey?: unknown; limit?: number; descending?: boolean }
): Promise<Array<{ id: string; key: unknown; doc: Stored<T> }>> {
	const res = await db.view('notify', view, { include_docs: true, ...params });
	return res.rows.flatMap((r) =>
		r.doc ? [{ id: r.id, key: r.key as unknown, doc: r.doc as unknown as Stored<T> }] : []
	);
}
