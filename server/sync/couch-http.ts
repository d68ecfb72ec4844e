import type { Couch } from '../couch/connect.ts';

/** A CouchDB answer that was not 2xx, with its status and CouchDB's `error`/`reason`. */
export class CouchError extends Error {
	override name = 'CouchError';
	readonly status: number;
	readonly error: string;
	constructor(status: number, error: string, reason: string) {
		super(`CouchDB ${status} ${error}: ${reason}`);
		this.status = status;
		this.error = error;
	}
}

/**
 * Raw HTTP to the database as admin, for what nano does not do well: streaming `_bulk_get`
 * answers to devices and the long-poll `_changes` feed (aborted on stop). `fetch` refuses URLs
 * with credentials, so they travel in a header.
 */
export class CouchHttp {
	readonly #base: string;
	readonly #auth: string | null;
	readonly db: string;
	readonly privateDb: string;

	constructor(couch: Couch, dbName: string) {
		const url = new URL(couch.url.toString());
		this.#auth = url.username
			? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`
			: null;
		url.username = '';
		url.password = '';
		this.#base = url.toString().replace(/\/$/, '');
		this.db = encodeURIComponent(dbName);
		this.privateDb = encodeURIComponent(`${dbName}_private`);
	}

	/** `path` starts with a database name (already encoded), e.g. `terrain/_bulk_get`. */
	fetch(
		path: string,
		init: { method?: string; body?: unknown; signal?: AbortSignal } = {}
	): Promise<Response> {
		const headers: Record<string, string> = { accept: 'application/json' };
		if (this.#auth) headers.authorization = this.#auth;
		if (init.body !== undefined) headers['content-type'] = 'application/json';
		return fetch(`${this.#base}/${path}`, {
			method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
			headers,
			body: init.body === undefined ? null : JSON.stringify(init.body),
			signal: init.signal ?? null
		});
	}

	/** @throws {CouchError} on a non-2xx answer. */
	async json<T>(
		path: string,
		init: { method?: string; body?: unknown; signal?: AbortSignal } = {}
	): Promise<T> {
		const res = await this.fetch(path, init);
		const text = await res.text();
		const body = text === '' ? {} : (JSON.parse(text) as unknown);
		if (!res.ok) {
			const e = body as { error?: string; reason?: string };
			throw new CouchError(res.status, e.error ?? 'error', e.reason ?? text.slice(0, 200));
		}
		return body as T;
	}
}

/**
 * The numeric part of an update sequence: CouchDB 2+ gives `"123-g1AAA…"`, PouchDB a number.
 * Only used to compare positions in one feed (has the access model caught up with this write?).
 */
export function seqNumber(seq: unknown): number {
	if (typeof seq === 'number') return seq;
	if (typeof seq === 'string') {
		const n = Number.parseInt(seq, 10);
		return Number.isFinite(n) ? n : 0;
	}
	return 0;
}
