/**
 * How one start of the sync service went, phase by phase (issue #12, "Start-up at scale"):
 * logged once by the server (one line), read by the benchmark. Times are milliseconds of wall
 * clock; `readyMs` and `firstManifestMs` count from the start of the sync service.
 */
export interface StartupReport {
	/** Where the access model came from: its checkpoint, or a full scan. */
	from: 'checkpoint' | 'scan' | null;
	/** Documents in the access model once in place. */
	docs: number;
	/** Before the sync service started: reaching the database, checking its design documents. */
	connectMs: number;
	/** Reading and checking the checkpoint's header (and the database's mark). */
	headerMs: number;
	/** Fetching the checkpoint's chunks from the database. */
	readMs: number;
	chunks: number;
	/** Characters of JSON in those chunks. */
	chunkChars: number;
	/** Checking (checksums) and parsing the chunks. */
	decodeMs: number;
	/** Building the access model from what the chunks hold. */
	restoreMs: number;
	/** The full scan, when there was no usable checkpoint. */
	scanMs: number;
	/** From the model in place to the feed's end (the changes since the checkpoint's position). */
	catchUpMs: number;
	/** Changes applied during that catch-up. */
	catchUpChanges: number;
	/** From the start of the sync service until it first answered that it had caught up. */
	readyMs: number | null;
	/** From the start of the sync service until the first manifest was answered. */
	firstManifestMs: number | null;
}

/** After catching up, how long the work that can wait waits for the first device at most. */
const SERVED_GRACE_MS = 5_000;
/** After catching up, how long the start-up line waits for the first manifest at most. */
const LOG_GRACE_MS = 60_000;

/** The phases of one start, filled in as they happen. */
export class StartupClock {
	readonly #t0 = performance.now();
	readonly report: StartupReport = {
		from: null,
		docs: 0,
		connectMs: 0,
		headerMs: 0,
		readMs: 0,
		chunks: 0,
		chunkChars: 0,
		decodeMs: 0,
		restoreMs: 0,
		scanMs: 0,
		catchUpMs: 0,
		catchUpChanges: 0,
		readyMs: null,
		firstManifestMs: null
	};
	#modelAt: number | null = null;
	#logged = false;
	#timer: NodeJS.Timeout | null = null;
	#graceTimer: NodeJS.Timeout | null = null;
	readonly #served = Promise.withResolvers<void>();
	readonly #log: (line: string) => void;

	constructor(log: (line: string) => void = (line) => console.log(line)) {
		this.#log = log;
	}

	/** Milliseconds since the service started. */
	elapsed(): number {
		return performance.now() - this.#t0;
	}

	/** Runs `step` and adds its wall time to `phase`. */
	async time<T>(phase: TimedPhase, step: () => Promise<T>): Promise<T> {
		const t = performance.now();
		try {
			return await step();
		} finally {
			this.report[phase] += performance.now() - t;
		}
	}

	/** The same for a synchronous step. */
	timeSync<T>(phase: TimedPhase, step: () => T): T {
		const t = performance.now();
		try {
			return step();
		} finally {
			this.report[phase] += performance.now() - t;
		}
	}

	/** The model is in place (restored or scanned): the catch-up starts. */
	modelReady(from: 'checkpoint' | 'scan', docs: number): void {
		this.report.from = from;
		this.report.docs = docs;
		this.#modelAt = performance.now();
	}

	/** Changes the follower applied; counted until the service is first caught up. */
	applied(changes: number): void {
		if (this.report.readyMs === null) this.report.catchUpChanges += changes;
	}

	/** The service answered that it had caught up with the feed (the first time counts). */
	caughtUp(): void {
		if (this.report.readyMs !== null || this.#modelAt === null) return;
		this.report.catchUpMs = performance.now() - this.#modelAt;
		this.report.readyMs = this.elapsed();
		// A server nobody syncs with yet logs its start-up anyway, without the manifest.
		this.#timer = setTimeout(() => this.#emit(), LOG_GRACE_MS);
		this.#timer.unref();
		this.#graceTimer = setTimeout(() => this.#served.resolve(), SERVED_GRACE_MS);
		this.#graceTimer.unref();
	}

	/**
	 * Settles once the service caught up and answered its first manifest (or a few seconds after
	 * it caught up, when no device came): what can wait at start-up (the notifier) waits for it.
	 */
	whenServed(): Promise<void> {
		return this.#served.promise;
	}

	/** A manifest was answered (the first one counts). */
	manifestAnswered(): void {
		if (this.report.firstManifestMs !== null) return;
		this.report.firstManifestMs = this.elapsed();
		if (this.report.readyMs === null) return;
		this.#served.resolve();
		this.#emit();
	}

	stop(): void {
		if (this.#timer) clearTimeout(this.#timer);
		if (this.#graceTimer) clearTimeout(this.#graceTimer);
		this.#served.resolve();
	}

	#emit(): void {
		if (this.#logged) return;
		this.#logged = true;
		if (this.#timer) clearTimeout(this.#timer);
		this.#log(`sync: start-up ${formatReport(this.report)}`);
	}
}

type TimedPhase = 'headerMs' | 'readMs' | 'decodeMs' | 'restoreMs' | 'scanMs';

/** One line: where the model came from, each phase, the catch-up, the first manifest. */
export function formatReport(r: StartupReport): string {
	const ms = (n: number | null) => (n === null ? '–' : `${Math.round(n)} ms`);
	const parts =
		r.from === 'checkpoint'
			? [
					`from the checkpoint (${r.docs} documents)`,
					`connect ${ms(r.connectMs)}`,
					`header ${ms(r.headerMs)}`,
					`read ${ms(r.readMs)} (${r.chunks} chunks, ${(r.chunkChars / 1e6).toFixed(1)} MB)`,
					`decode ${ms(r.decodeMs)}`,
					`restore ${ms(r.restoreMs)}`
				]
			: [
					`from a full scan (${r.docs} documents)`,
					`connect ${ms(r.connectMs)}`,
					`scan ${ms(r.scanMs)}`
				];
	parts.push(
		`catch-up ${ms(r.catchUpMs)} (${r.catchUpChanges} changes)`,
		`ready ${ms(r.readyMs)}`,
		`first manifest ${ms(r.firstManifestMs)}`
	);
	return parts.join(', ');
}
