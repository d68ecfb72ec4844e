/**
 * The one follower of the database's changes feed in this process (never one per device):
 * it resolves conflicts as they appear, keeps the access model current for every change and
 * what depends on it, and tells the live hub who is concerned. At start it notes the feed's
 * position, derives the model from a scan, then follows from that position (changes during
 * the scan are applied again, which is harmless).
 */
import type { Couch } from '../couch/connect.ts';
import { messageOf } from '../errors.ts';
import type { Concerned, Indexer } from './indexer.ts';
import { seqNumber, type CouchHttp } from './couch-http.ts';
import type { LiveHub } from './live.ts';
import type { Numberer } from './numbering.ts';
import { resolveConflicts } from './resolve.ts';

const BATCH = 200;
/** Further behind the feed than this (a bulk import, a restore), a fresh scan is faster. */
const REBUILD_LAG = 20_000;
const POLL_MS = 25_000;
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;

interface Change {
	id: string;
	seq: string | number;
	deleted?: boolean;
	doc?: Record<string, unknown>;
}

export class Follower {
	readonly #couch: Couch;
	readonly #http: CouchHttp;
	readonly #indexer: Indexer;
	readonly #live: LiveHub;
	readonly #now: () => Date;
	readonly #numberer: Numberer | null;
	readonly #abort = new AbortController();
	#seq: string | number = 0;
	#processed = -1;
	#loop: Promise<void> | null = null;
	#isReady = false;
	/** The last batch was full: check how far behind the feed we are. */
	#full = false;
	#ready: Promise<void>;
	#markReady!: () => void;
	/** caughtUp calls waiting for the follower's next step. */
	#waiting: Array<{ done: () => void }> = [];

	constructor(
		couch: Couch,
		http: CouchHttp,
		indexer: Indexer,
		live: LiveHub,
		now: () => Date,
		numberer: Numberer | null = null
	) {
		this.#couch = couch;
		this.#numberer = numberer;
		this.#http = http;
		this.#indexer = indexer;
		this.#live = live;
		this.#now = now;
		this.#ready = new Promise((done) => (this.#markReady = done));
	}

	get ready(): boolean {
		return this.#isReady;
	}

	start(): void {
		this.#loop ??= this.#run();
	}

	async stop(): Promise<void> {
		this.#abort.abort();
		const waiting = this.#waiting;
		this.#waiting = [];
		for (const w of waiting) w.done();
		await this.#loop;
	}

	/**
	 * Waits until every write the database had when called is in the model (read-your-writes
	 * for a manifest or a push). False when that takes longer than `ms`.
	 */
	async caughtUp(ms: number): Promise<boolean> {
		const deadline = Date.now() + ms;
		if (!this.#isReady) {
			const waited = new AbortController();
			const ready = await Promise.race([
				this.#ready.then(() => true),
				sleep(ms, AbortSignal.any([this.#abort.signal, waited.signal])).then(() => false)
			]);
			waited.abort();
			if (!ready) return false;
		}
		// Sequences are opaque on a cluster (one position per shard copy; their numeric prefixes
		// are not comparable across requests): ask the feed whether anything follows the
		// position applied, and wait for the follower's next step while something does.
		while (!this.#abort.signal.aborted) {
			const seq = this.#seq;
			const qs = new URLSearchParams({ since: String(seq), limit: '1' });
			const next = await this.#http.json<{ results: Change[] }>(`${this.#http.db}/_changes?${qs}`);
			if (next.results.length === 0) return true;
			const left = deadline - Date.now();
			if (left <= 0) return false;
			if (!(await this.#nextAdvance(seq, left))) return false;
		}
		return false;
	}

	/** Resolves true once the applied position moves from `seq`, false after `ms`. */
	#nextAdvance(seq: string | number, ms: number): Promise<boolean> {
		if (this.#seq !== seq) return Promise.resolve(true);
		return new Promise((resolve) => {
			const entry = {
				done: () => {
					clearTimeout(timer);
					resolve(true);
				}
			};
			const timer = setTimeout(() => {
				this.#waiting = this.#waiting.filter((w) => w !== entry);
				resolve(false);
			}, ms);
			this.#waiting.push(entry);
		});
	}

	async #run(): Promise<void> {
		let delay = RETRY_MIN_MS;
		let reported = false;
		while (!this.#abort.signal.aborted) {
			try {
				if (!this.#isReady) await this.#begin();
				await this.#step();
				delay = RETRY_MIN_MS;
				reported = false;
			} catch (error) {
				if (this.#abort.signal.aborted) break;
				if (!reported) console.error(`sync: changes follower: ${messageOf(error)} (retrying)`);
				reported = true;
				await sleep(delay, this.#abort.signal);
				delay = Math.min(delay * 2, RETRY_MAX_MS);
			}
		}
	}

	async #begin(): Promise<void> {
		const info = await this.#http.json<{ update_seq: string | number }>(this.#http.db);
		await this.#resolve(await this.#build());
		this.#seq = info.update_seq;
		this.#processed = seqNumber(this.#seq);
		this.#live.start(this.#processed);
		this.#isReady = true;
		this.#markReady();
	}

	async #step(): Promise<void> {
		if (this.#full) {
			this.#full = false;
			const info = await this.#http.json<{ update_seq: string | number }>(this.#http.db);
			if (seqNumber(info.update_seq) - this.#processed > REBUILD_LAG) return this.#rebuild();
		}
		const qs = new URLSearchParams({
			feed: 'longpoll',
			since: String(this.#seq),
			timeout: String(POLL_MS),
			include_docs: 'true',
			conflicts: 'true',
			limit: String(BATCH)
		});
		const res = await this.#http.json<{ results: Change[]; last_seq: string | number }>(
			`${this.#http.db}/_changes?${qs}`,
			{ signal: this.#abort.signal }
		);
		const changes = new Map<string, Record<string, unknown> | null>();
		for (const change of res.results) {
			if (change.id.startsWith('_')) continue;
			changes.set(change.id, change.deleted || !change.doc ? null : change.doc);
		}
		if (this.#indexer.changesWindow(changes)) return this.#rebuild();
		await this.#resolve(
			[...changes].flatMap(([id, doc]) =>
				Array.isArray(doc?._conflicts) && doc._conflicts.length > 0 ? [id] : []
			)
		);
		const concerned = await this.#indexer.apply(changes);
		if (this.#numberer) {
			for (const [id, doc] of changes) this.#numberer.observe(id, doc);
			this.#numberer.flush();
		}
		this.#full = res.results.length >= BATCH;
		this.#advance(res.last_seq, concerned);
	}

	/**
	 * A fresh scan instead of the changes (far behind, or the access window moved): it reads
	 * everything up to the position noted first, and may tell everyone.
	 */
	async #rebuild(): Promise<void> {
		const info = await this.#http.json<{ update_seq: string | number }>(this.#http.db);
		await this.#resolve(await this.#build());
		this.#advance(info.update_seq, { all: true, principals: new Set() });
	}

	async #build(): Promise<string[]> {
		const numberer = this.#numberer;
		const conflicted = await this.#indexer.build(
			numberer ? (id, raw) => numberer.observe(id, raw) : undefined
		);
		numberer?.flush();
		return conflicted;
	}

	#advance(seq: string | number, concerned: Concerned): void {
		this.#seq = seq;
		this.#processed = seqNumber(seq);
		this.#live.advance(this.#processed, concerned.all, concerned.principals);
		const waiting = this.#waiting;
		this.#waiting = [];
		for (const w of waiting) w.done();
	}

	/** Merges conflicts as they are found; the merged revisions come back through the feed. */
	async #resolve(ids: readonly string[]): Promise<void> {
		for (const id of ids) {
			try {
				await resolveConflicts(this.#couch, id, this.#now());
			} catch (error) {
				console.error(`sync: could not merge ${id}: ${messageOf(error)}`);
			}
		}
	}
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
	return new Promise((resolve) => {
		if (signal.aborted) return resolve();
		const timer = setTimeout(done, ms);
		function done() {
			clearTimeout(timer);
			signal.removeEventListener('abort', done);
			resolve();
		}
		signal.addEventListener('abort', done);
	});
}
