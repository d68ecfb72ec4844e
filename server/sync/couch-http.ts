import type { Couch } from '../couch/connect.ts';
import { HttpError } from '../errors.ts';

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

	/**
	 * `path` starts with a database name (already encoded), e.g. `terrain/_bulk_get`. Aborted
	 * when `signal` is (the client went away, the server stops) or when the headers take longer
	 * than `timeoutMs` (default 30 s; a long-poll `_changes` gets its own `timeout` on top). The
	 * caller reads the body under its own signal.
	 * @throws {HttpError} 504 when the database does not answer in time.
	 */
	async fetch(path: string, init: RequestInit_ = {}): Promise<Response> {
		const timer = new Deadline(init.timeoutMs ?? timeoutFor(path));
		try {
			return await this.#send(path, init, timer);
		} finally {
			timer.clear();
		}
	}

	/**
	 * The whole answer, parsed, within the time limit (headers and body).
	 * @throws {CouchError} on a non-2xx answer.
	 * @throws {HttpError} 504 when the database does not answer in time.
	 */
	async json<T>(path: string, init: RequestInit_ = {}): Promise<T> {
		const { res, text } = await this.#whole(path, init);
		const body = text === '' ? {} : (JSON.parse(text) as unknown);
		if (!res.ok) {
			const e = body as { error?: string; reason?: string };
			throw new CouchError(res.status, e.error ?? 'error', e.reason ?? text.slice(0, 200));
		}
		return body as T;
	}

	/**
	 * The whole answer as text (an attachment, say), within the time limit.
	 * @throws {CouchError} on a non-2xx answer.
	 * @throws {HttpError} 504 when the database does not answer in time.
	 */
	async text(path: string, init: RequestInit_ = {}): Promise<string> {
		const { res, text } = await this.#whole(path, init);
		if (!res.ok) {
			let e: { error?: string; reason?: string } = {};
			try {
				e = JSON.parse(text) as typeof e;
			} catch {
				e = {};
			}
			throw new CouchError(res.status, e.error ?? 'error', e.reason ?? text.slice(0, 200));
		}
		return text;
	}

	async #whole(path: string, init: RequestInit_): Promise<{ res: Response; text: string }> {
		const timer = new Deadline(init.timeoutMs ?? timeoutFor(path));
		try {
			const res = await this.#send(path, init, timer);
			const text = await res.text().catch((error: unknown) => {
				throw timer.expired ? timer.error() : error;
			});
			return { res, text };
		} finally {
			timer.clear();
		}
	}

	async #send(path: string, init: RequestInit_, timer: Deadline): Promise<Response> {
		// No compression: on loopback (the embedded server gzips every answer) it only costs CPU.
		const headers: Record<string, string> = {
			accept: 'application/json',
			'accept-encoding': 'identity'
		};
		if (this.#auth) headers.authorization = this.#auth;
		if (init.body !== undefined) headers['content-type'] = 'application/json';
		try {
			return await fetch(`${this.#base}/${path}`, {
				method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
				headers,
				body: init.body === undefined ? null : JSON.stringify(init.body),
				signal: init.signal ? AbortSignal.any([init.signal, timer.signal]) : timer.signal
			});
		} catch (error) {
			throw timer.expired ? timer.error() : error;
		}
	}
}

type RequestInit_ = { method?: string; body?: unknown; signal?: AbortSignal; timeoutMs?: number };

/** How long the database may take to answer one request. */
export const COUCH_TIMEOUT_MS = 30_000;

/** A long-poll waits up to its own `timeout` (CouchDB's default 60 s) before it answers. */
function timeoutFor(path: string): number {
	const query = new URLSearchParams(path.split('?')[1] ?? '');
	if (query.get('feed') !== 'longpoll') return COUCH_TIMEOUT_MS;
	const wait = Number(query.get('timeout') ?? 60_000);
	return (Number.isFinite(wait) && wait >= 0 ? wait : 60_000) + COUCH_TIMEOUT_MS;
}

class Deadline {
	readonly #controller = new AbortController();
	readonly #timer: NodeJS.Timeout;
	readonly #ms: number;
	expired = false;
	constructor(ms: number) {
		this.#ms = ms;
		this.#timer = setTimeout(() => {
			this.expired = true;
			this.#controller.abort(this.error());
		}, ms);
	}
	get signal(): AbortSignal {
		return this.#controller.signal;
	}
	error(): HttpError {
		return new HttpError(
			504,
			'database_timeout',
			`La base de données n’a pas répondu en ${Math.round(this.#ms / 1000)} s.`
		);
	}
	clear(): void {
		clearTimeout(this.#timer);
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
