/**
 * The search index of one server process (index.ts): loaded from the database at start, then
 * kept current by the sync follower's batches (and loaded again after a full scan). Nothing is
 * shared between instances: each derives the same index from the same database.
 */
import { NUMBER_EVENT_PREFIX } from '#lib/domain/numbering.ts';
import { HttpError } from '../errors.ts';
import type { CouchHttp } from '../sync/couch-http.ts';
import type { Follower } from '../sync/follower.ts';
import { SearchIndex } from './index.ts';

type Raw = Record<string, unknown>;
type Batch = ReadonlyMap<string, Raw | null>;

const PAGE = 2000;
const RANGES: ReadonlyArray<readonly [string, string]> = [
	[NUMBER_EVENT_PREFIX, `${NUMBER_EVENT_PREFIX}\ufff0`],
	['client:', 'client:\ufff0'],
	['ticket:', 'ticket:\ufff0']
];

export class SearchService {
	readonly index = new SearchIndex();
	readonly #http: CouchHttp;
	/** Batches seen while loading: applied once the load is done (older revisions are ignored). */
	#buffer: Batch[] | null = null;
	#ready: Promise<void> = Promise.resolve();
	#loads = 0;
	#stopped = false;
	/** How the last load went (logged; read by the benchmark). */
	loaded: { tickets: number; ms: number } | null = null;

	constructor(http: CouchHttp, follower: Follower) {
		this.#http = http;
		follower.observe((batch) => {
			if (batch === null) return void (this.#ready = this.#loadUntilDone());
			if (this.#buffer) return void this.#buffer.push(batch);
			try {
				this.#apply(batch);
			} catch (error) {
				// Never the follower's problem: the index is loaded again from the database.
				console.error(`search: a batch could not be indexed (${String(error)}); loading again`);
				this.#ready = this.#loadUntilDone();
			}
		});
	}

	start(): void {
		this.#ready = this.#loadUntilDone();
	}

	stop(): void {
		this.#stopped = true;
	}

	/** Loads, and tries again every few seconds while the database does not answer. */
	async #loadUntilDone(): Promise<void> {
		for (let attempt = 0; !this.#stopped; attempt++) {
			try {
				return await this.#load();
			} catch (error) {
				if (attempt === 0) console.error(`search: the index could not be loaded: ${String(error)}`);
				await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 1_000 * 2 ** attempt)));
			}
		}
	}

	/**
	 * Waits, at most `ms`, for the index to hold what the database held at start.
	 * @throws {HttpError} 503 when it is not loaded by then (the database did not answer).
	 */
	async whenReady(ms = 10_000): Promise<void> {
		let timer: NodeJS.Timeout | undefined;
		const late = new Promise<'late'>((resolve) => {
			timer = setTimeout(() => resolve('late'), ms);
		});
		const done = await Promise.race([this.#ready.then(() => 'ready' as const), late]);
		clearTimeout(timer);
		if (done === 'late')
			throw new HttpError(
				503,
				'search_unavailable',
				'La recherche sur le serveur est indisponible pour le moment ; réessayez dans un instant.'
			);
	}

	#apply(batch: Batch): void {
		const docs: Raw[] = [];
		for (const [id, raw] of batch) docs.push(raw ?? { _id: id, _deleted: true });
		this.index.apply(docs);
	}

	async #load(): Promise<void> {
		const load = ++this.#loads;
		const started = performance.now();
		this.#buffer = [];
		try {
			this.index.clear();
			for (const [start, end] of RANGES) {
				for await (const page of this.#pages(start, end)) {
					if (load !== this.#loads) return;
					this.index.apply(page);
				}
			}
			for (const batch of this.#buffer) this.#apply(batch);
		} finally {
			if (load === this.#loads) this.#buffer = null;
		}
		this.loaded = { tickets: this.index.ticketCount, ms: Math.round(performance.now() - started) };
	}

	async *#pages(start: string, end: string): AsyncGenerator<Raw[]> {
		let startkey = start;
		let skip = 0;
		for (;;) {
			const qs = new URLSearchParams({
				include_docs: 'true',
				limit: String(PAGE),
				skip: String(skip),
				startkey: JSON.stringify(startkey),
				endkey: JSON.stringify(end),
				inclusive_end: 'false'
			});
			const res = await this.#http.json<{ rows: Array<{ key: string; doc?: Raw }> }>(
				`${this.#http.db}/_all_docs?${qs}`
			);
			const docs = res.rows.flatMap((r) => (r.doc ? [r.doc] : []));
			if (docs.length > 0) yield docs;
			if (res.rows.length < PAGE) return;
			startkey = res.rows[res.rows.length - 1]!.key;
			skip = 1;
		}
	}
}
