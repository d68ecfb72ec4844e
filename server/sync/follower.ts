/**
 * The one follower of the database's changes feed in this process (never one per device):
 * it resolves conflicts as they appear, keeps the access model current for every change and
 * what depends on it, and tells the live hub who is concerned. At start it loads the model's
 * checkpoint (checkpoint.ts) and follows from the position it was taken at; without a usable
 * one, it notes the feed's position, derives the model from a scan, then follows from that
 * position (changes during the scan are applied again, which is harmless). It writes a
 * checkpoint after a scan and, while changes come, every few minutes, in the background.
 */
import { NUMBER_EVENT_PREFIX } from '#lib/domain/numbering.ts';
import type { Couch } from '../couch/connect.ts';
import { messageOf } from '../errors.ts';
import type { CheckpointStore } from './checkpoint.ts';
import type { Concerned, Indexer } from './indexer.ts';
import { seqNumber, type CouchHttp } from './couch-http.ts';
import type { LiveHub } from './live.ts';
import type { Numberer } from './numbering.ts';
import { resolveConflicts } from './resolve.ts';
import { StartupClock } from './startup.ts';

const BATCH = 200;
/** Further behind the feed than this (a bulk import, a restore), a fresh scan is faster. */
const REBUILD_LAG = 20_000;
const POLL_MS = 25_000;
/** A merge the database failed is tried again after this. */
const MERGE_RETRY_MS = 2_000;
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;
/** A checkpoint at most this often while changes come (a restart replays what follows it). */
const CHECKPOINT_MS = 5 * 60_000;
/** …or sooner once this many changes came (a bulk import), but not more than once a minute. */
const CHECKPOINT_CHANGES = 5_000;
const CHECKPOINT_MIN_MS = 60_000;
/** How long a stop may spend writing the last checkpoint (a restart then replays nothing). */
const STOP_CHECKPOINT_MS = 15_000;

interface Change {
	id: string;
	seq: string | number;
	deleted?: boolean;
	doc?: Record<string, unknown>;
	changes?: Array<{ rev?: string }>;
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
	readonly #observers: Array<
		(batch: ReadonlyMap<string, Record<string, unknown> | null> | null) => void
	> = [];

	/**
	 * Calls `observer` with each batch of the changes feed once the access model has it (bodies
	 * as stored; a deletion `{_id, _rev, _deleted}`), and with null after a full scan replaced
	 * the feed (the observer reads everything again). Derived indexes (search) follow with it.
	 */
	observe(
		observer: (batch: ReadonlyMap<string, Record<string, unknown> | null> | null) => void
	): void {
		this.#observers.push(observer);
	}
	#loop: Promise<void> | null = null;
	#isReady = false;
	/** The last batch was full: check how far behind the feed we are. */
	#full = false;
	#ready: Promise<void>;
	#markReady!: () => void;
	/** caughtUp calls waiting for the follower's next step. */
	#waiting: Array<{ done: () => void }> = [];
	readonly #checkpoints: CheckpointStore | null;
	/** Documents seen with open conflicts and not seen merged since (kept in checkpoints). */
	readonly #conflicted = new Set<string>();
	/** Documents whose merge failed (the database failing): tried again at the next steps. */
	readonly #failedMerges = new Set<string>();
	#mergeRetry: NodeJS.Timeout | null = null;
	/** Tickets seen without a number or its number event (kept in checkpoints). */
	readonly #unnumbered = new Set<string>();
	/** Changes applied since the last checkpoint; null: one is due now (after a scan). */
	#uncheckpointed: number | null = 0;
	#checkpointAt = 0;
	#saving: Promise<boolean> | null = null;
	#startedFrom: 'checkpoint' | 'scan' | null = null;
	/** This process wrote a checkpoint (at the position of the last one started). */
	#saved = false;
	/** The last step failed (the database does not answer): no checkpoint at stop then. */
	#failing = false;
	/** How this start went, phase by phase. */
	readonly startup: StartupClock;

	constructor(
		couch: Couch,
		http: CouchHttp,
		indexer: Indexer,
		live: LiveHub,
		now: () => Date,
		numberer: Numberer | null = null,
		checkpoints: CheckpointStore | null = null,
		startup: StartupClock = new StartupClock()
	) {
		this.startup = startup;
		this.#couch = couch;
		this.#checkpoints = checkpoints;
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

	/** Settles when the access model is first ready (from its checkpoint or a scan). */
	whenReady(): Promise<void> {
		return this.#ready;
	}

	/** How the model was first derived in this process: from its checkpoint, or a scan. */
	get startedFrom(): 'checkpoint' | 'scan' | null {
		return this.#startedFrom;
	}

	start(): void {
		this.#loop ??= this.#run();
	}

	/**
	 * Stops following; when changes were applied since the last checkpoint, writes one at the
	 * position reached (within STOP_CHECKPOINT_MS; not when the database stopped answering), so
	 * that the next start has nothing to catch up.
	 */
	async stop(): Promise<void> {
		this.#abort.abort();
		if (this.#mergeRetry) clearTimeout(this.#mergeRetry);
		const waiting = this.#waiting;
		this.#waiting = [];
		for (const w of waiting) w.done();
		await this.#loop;
		await this.#saving;
		if (!this.#isReady || !this.#checkpoints || this.#failing || this.#uncheckpointed === 0) return;
		this.#saveCheckpoint(AbortSignal.timeout(STOP_CHECKPOINT_MS));
		await this.#saving;
	}

	/**
	 * Writes a checkpoint of the model at the position applied, unless this process wrote one
	 * there already (tests, benchmarks; the follower writes its own in the background). False
	 * before the model is ready, when checkpoints are off, or when the write failed.
	 */
	async checkpoint(): Promise<boolean> {
		await this.#saving;
		if (!this.#isReady || !this.#checkpoints || this.#abort.signal.aborted) return false;
		if (this.#saved && this.#uncheckpointed === 0) return true;
		this.#saveCheckpoint();
		return (await this.#saving) ?? false;
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
				this.#maybeCheckpoint();
				await this.#step();
				delay = RETRY_MIN_MS;
				reported = false;
				this.#failing = false;
			} catch (error) {
				if (this.#abort.signal.aborted) break;
				this.#failing = true;
				if (!reported) console.error(`sync: changes follower: ${messageOf(error)} (retrying)`);
				reported = true;
				await sleep(delay, this.#abort.signal);
				delay = Math.min(delay * 2, RETRY_MAX_MS);
			}
		}
	}

	async #begin(): Promise<void> {
		if (await this.#restore()) return;
		const info = await this.#http.json<{ update_seq: string | number }>(this.#http.db);
		await this.#resolve(await this.startup.time('scanMs', () => this.#build()));
		this.#seq = info.update_seq;
		this.#uncheckpointed = null;
		this.#startedFrom = 'scan';
		this.#markStarted();
		this.startup.modelReady('scan', this.#indexer.model.size);
	}

	#markStarted(): void {
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
			// A deletion keeps its revision: the indexer tells a lagging copy's answer by it.
			const rev = change.changes?.[0]?.rev;
			const gone = rev ? { _id: change.id, _rev: rev, _deleted: true } : null;
			changes.set(change.id, change.deleted || !change.doc ? gone : change.doc);
		}
		if (this.#indexer.changesWindow(changes)) return this.#rebuild();
		const conflicted = [...changes].flatMap(([id, doc]) =>
			Array.isArray(doc?._conflicts) && doc._conflicts.length > 0 ? [id] : []
		);
		for (const id of changes.keys()) this.#conflicted.delete(id);
		for (const id of conflicted) this.#conflicted.add(id);
		await this.#resolve(conflicted);
		const concerned = await this.#indexer.apply(changes);
		for (const observer of this.#observers) observer(changes);
		for (const [id, doc] of changes) this.#noteNumbering(id, doc);
		this.#numberer?.flush();
		if (this.#uncheckpointed !== null) this.#uncheckpointed += changes.size;
		this.startup.applied(changes.size);
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
		for (const observer of this.#observers) observer(null);
		this.#uncheckpointed = null;
		this.#advance(info.update_seq, { all: true, principals: new Set() });
	}

	async #build(): Promise<string[]> {
		this.#unnumbered.clear();
		const conflicted = await this.#indexer.build((id, raw) => this.#noteNumbering(id, raw));
		this.#numberer?.flush();
		this.#conflicted.clear();
		for (const id of conflicted) this.#conflicted.add(id);
		return conflicted;
	}

	/** Shows a stored document to the numbering, and keeps the list of unnumbered tickets. */
	#noteNumbering(id: string, raw: Record<string, unknown> | null): void {
		this.#numberer?.observe(id, raw);
		const live = raw !== null && raw._deleted !== true;
		if (id.startsWith(NUMBER_EVENT_PREFIX)) {
			if (live) this.#unnumbered.delete(id.slice(NUMBER_EVENT_PREFIX.length));
		} else if (id.startsWith('ticket:')) {
			if (live && typeof raw.number !== 'number') this.#unnumbered.add(id);
			else this.#unnumbered.delete(id);
		}
	}

	/**
	 * Starts from the checkpoint when there is a usable one: the model it holds, the merges and
	 * numbers that were pending, and the position to follow from.
	 */
	async #restore(): Promise<boolean> {
		if (!this.#checkpoints) return false;
		let loaded;
		try {
			loaded = await this.#checkpoints.load(this.startup);
		} catch (error) {
			console.error(`sync: model checkpoint not used (${messageOf(error)}): full scan`);
			return false;
		}
		if (!loaded) return false;
		this.#indexer.restore(loaded.model);
		this.#conflicted.clear();
		for (const id of loaded.conflicted) this.#conflicted.add(id);
		this.#unnumbered.clear();
		for (const id of loaded.unnumbered) this.#unnumbered.add(id);
		this.#seq = loaded.seq;
		this.#uncheckpointed = 0;
		this.#checkpointAt = Date.now();
		this.#startedFrom = 'checkpoint';
		this.#markStarted();
		// Logged with the rest of the start-up (startup.ts), once caught up.
		this.startup.modelReady('checkpoint', loaded.model.size);
		// Work the last process left: merges that had not come through, tickets to number.
		await this.#resolve([...this.#conflicted]);
		await this.#renumber().catch((error: unknown) =>
			console.error(`sync: tickets to number not checked: ${messageOf(error)}`)
		);
		return true;
	}

	/** Shows the numbering the tickets that had no number when the checkpoint was taken. */
	async #renumber(): Promise<void> {
		if (!this.#numberer || this.#unnumbered.size === 0) return;
		const ids = [...this.#unnumbered].flatMap((id) => [id, NUMBER_EVENT_PREFIX + id]);
		const res = await this.#http.json<{
			rows: Array<{ key: string; doc?: Record<string, unknown> | null }>;
		}>(`${this.#http.db}/_all_docs?include_docs=true`, { body: { keys: ids } });
		for (const row of res.rows) this.#noteNumbering(row.key, row.doc ?? null);
		this.#numberer.flush();
	}

	/** Starts a checkpoint in the background when one is due and none is being written. */
	#maybeCheckpoint(): void {
		if (!this.#checkpoints || this.#saving || this.#full) return;
		const since = Date.now() - this.#checkpointAt;
		const due =
			this.#uncheckpointed === null ||
			(this.#uncheckpointed > 0 && since >= CHECKPOINT_MS) ||
			(this.#uncheckpointed >= CHECKPOINT_CHANGES && since >= CHECKPOINT_MIN_MS);
		if (due) this.#saveCheckpoint();
	}

	/** The model and position as they are now (one synchronous step), written in the background. */
	#saveCheckpoint(signal: AbortSignal = this.#abort.signal): void {
		const store = this.#checkpoints;
		if (!store) return;
		const state = {
			seq: this.#seq,
			model: this.#indexer.model.snapshot(),
			conflicted: [...this.#conflicted],
			unnumbered: [...this.#unnumbered]
		};
		const applied = this.#uncheckpointed;
		this.#uncheckpointed = 0;
		this.#checkpointAt = Date.now();
		this.#saving = store
			.save(state, signal)
			.then(() => (this.#saved = true))
			.catch((error: unknown) => {
				// Written again later (at the next due time).
				this.#uncheckpointed = applied === null ? 1 : (this.#uncheckpointed ?? 0) + applied;
				if (!signal.aborted || signal !== this.#abort.signal)
					console.error(`sync: could not write the model checkpoint: ${messageOf(error)}`);
				return false;
			})
			.finally(() => (this.#saving = null));
	}

	#advance(seq: string | number, concerned: Concerned): void {
		this.#seq = seq;
		this.#processed = seqNumber(seq);
		this.#live.advance(this.#processed, concerned.all, concerned.principals);
		const waiting = this.#waiting;
		this.#waiting = [];
		for (const w of waiting) w.done();
	}

	/** Tries the failed merges again after a while, beside the feed (which may be idle). */
	#retryMerges(): void {
		if (this.#mergeRetry || this.#abort.signal.aborted) return;
		this.#mergeRetry = setTimeout(() => {
			this.#mergeRetry = null;
			void this.#resolve([...this.#failedMerges]);
		}, MERGE_RETRY_MS);
		this.#mergeRetry.unref();
	}

	/** Merges conflicts as they are found; the merged revisions come back through the feed. */
	async #resolve(ids: readonly string[]): Promise<void> {
		for (const id of ids) {
			try {
				await resolveConflicts(this.#couch, id, this.#now());
				this.#failedMerges.delete(id);
			} catch (error) {
				if (this.#abort.signal.aborted) return;
				this.#failedMerges.add(id);
				console.error(`sync: could not merge ${id}: ${messageOf(error)} (tried again)`);
				this.#retryMerges();
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
