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
 * Writes one document and tells how the database took it: 201 when a quorum of copies holds it
 * (CouchDB cluster) or the single database does, 202 when fewer copies than the quorum accepted
 * it (a cluster with nodes down or two writers racing for the same revision). Only a 201 is a
 * decision: on one revision at most one writer can get it, since each copy accepts one.
 * @returns the new revision and status, or null on a conflict (409); other errors are rethrown.
 */
export async function write(db: Db, doc: object): Promise<{ rev: string; status: number } | null> {
	// nano answers the body only; the status is the decision, so this one write is raw HTTP.
	const { url, db: name } = (db as unknown as { config: { url: string; db: string } }).config;
	const base = new URL(url);
	const headers: Record<string, string> = {
		accept: 'application/json',
		'content-type': 'application/json'
	};
	if (base.username) {
		const user = decodeURIComponent(base.username);
		const pass = decodeURIComponent(base.password);
		headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
	}
	base.username = '';
	base.password = '';
	const id = (doc as { _id?: unknown })._id;
	if (typeof id !== 'string') throw new Error('write: a document needs an _id');
	const res = await fetch(
		`${base.toString().replace(/\/$/, '')}/${encodeURIComponent(name)}/${encodeURIComponent(id)}`,
		{ method: 'PUT', headers, body: JSON.stringify(doc), signal: AbortSignal.timeout(30_000) }
	);
	const body = (await res.json().catch(() => ({}))) as {
		rev?: string;
		error?: string;
		reason?: string;
	};
	if (res.status === 409) return null;
	if (!res.ok || typeof body.rev !== 'string') {
		throw new HttpStatusError(
			res.status,
			`CouchDB ${res.status} ${body.error ?? ''}: ${body.reason ?? ''}`
		);
	}
	return { rev: body.rev, status: res.status };
}

/** A database answer other than 2xx or 409, with its status (read by `statusOf`). */
class HttpStatusError extends Error {
	readonly statusCode: number;
	constructor(status: number, message: string) {
		super(message);
		this.statusCode = status;
	}
}

/**
 * Creates a document that must not exist yet: the database's one-writer guarantee on an id.
 * @returns its revision when this writer owns it (201); null when another writer created it
 * first (409) or when the database could not confirm it on a quorum of copies (202: the copy
 * written stays, and whoever sweeps stale documents settles it). Other errors are rethrown.
 */
export async function createOnce(db: Db, doc: object): Promise<string | null> {
	const written = await write(db, doc);
	return written?.status === 201 ? written.rev : null;
}

/**
 * Writes `doc` over the revision it was read at.
 * @returns the new revision, or null on a conflict (someone else wrote first) or when the
 * write was not confirmed by a quorum of copies (202, see createOnce).
 */
export async function putIfUnchanged(db: Db, doc: object): Promise<string | null> {
	const written = await write(db, doc);
	return written?.status === 201 ? written.rev : null;
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
