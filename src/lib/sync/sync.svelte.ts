import { ApiError } from '../api/http.ts';
import type { LocalDb } from '../data/local-db.ts';
import { pull, type PullProgress } from './pull.ts';

/** Pull again this often while the app is open (live updates come with the sync issue's feed). */
const POLL_MS = 30_000;
const RETRY_MIN_MS = 2_000;
const RETRY_MAX_MS = 5 * 60_000;

export type SyncPhase = 'idle' | 'syncing' | 'offline' | 'error';

/** The device's sync with the server: one instance, a status every screen can show. */
class SyncService {
	#phase = $state<SyncPhase>('idle');
	#progress = $state.raw<PullProgress | null>(null);
	#lastSuccess = $state<string | null>(null);
	#error = $state<string | null>(null);
	#revision = $state(0);
	#db: LocalDb | null = null;
	#timer: ReturnType<typeof setTimeout> | null = null;
	#failures = 0;
	#running: Promise<void> | null = null;

	get phase(): SyncPhase {
		return this.#phase;
	}
	get progress(): PullProgress | null {
		return this.#progress;
	}
	get lastSuccess(): string | null {
		return this.#lastSuccess;
	}
	get error(): string | null {
		return this.#error;
	}
	/** Bumped after each sync that changed local data, so lists know to re-read. */
	get revision(): number {
		return this.#revision;
	}

	start(db: LocalDb): void {
		this.#db = db;
		window.addEventListener('online', this.#onOnline);
		window.addEventListener('offline', this.#onOffline);
		void this.syncNow();
	}

	stop(): void {
		window.removeEventListener('online', this.#onOnline);
		window.removeEventListener('offline', this.#onOffline);
		if (this.#timer) clearTimeout(this.#timer);
		this.#timer = null;
		this.#db = null;
	}

	syncNow(): Promise<void> {
		this.#running ??= this.#run().finally(() => (this.#running = null));
		return this.#running;
	}

	reset(): void {
		this.stop();
		this.#phase = 'idle';
		this.#progress = null;
		this.#lastSuccess = null;
		this.#error = null;
		this.#failures = 0;
	}

	async #run(): Promise<void> {
		const db = this.#db;
		if (!db) return;
		if (!navigator.onLine) {
			this.#phase = 'offline';
			return;
		}
		this.#phase = 'syncing';
		try {
			const { fetched } = await pull(db, (p) => (this.#progress = p));
			this.#failures = 0;
			this.#error = null;
			this.#phase = 'idle';
			this.#lastSuccess = new Date().toISOString();
			if (fetched > 0) this.#revision++;
			this.#schedule(POLL_MS);
		} catch (error) {
			this.#failures++;
			const offline = error instanceof ApiError && error.status === 0;
			this.#phase = offline ? 'offline' : 'error';
			this.#error = offline ? null : error instanceof Error ? error.message : String(error);
			this.#schedule(Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** (this.#failures - 1)));
		}
	}

	#schedule(ms: number): void {
		if (this.#timer) clearTimeout(this.#timer);
		this.#timer = setTimeout(() => void this.syncNow(), ms);
	}

	#onOnline = (): void => void this.syncNow();
	#onOffline = (): void => {
		this.#phase = 'offline';
	};
}

export const sync = new SyncService();
