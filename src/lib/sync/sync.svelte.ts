/**
 * The device's sync with the server: one instance, started after sign-in, with a status
 * every screen can show. A run is pull (manifest → removals → `_bulk_get` batches), local
 * conflict merge, expiry of closed missions, then push (PouchDB replication, filtered). A
 * long-poll wakes it when the server has something new; local edits push soon after they
 * are made; failures retry with exponential back-off; offline it waits for `online`.
 */
import { ApiError } from '../api/http.ts';
import { deviceDb, recordRun, type DeviceDb } from '../data/dexie.ts';
import { localDb, type LocalDb } from '../data/local-db.ts';
import { settings } from '../state/settings.svelte.ts';
import { retryDelay } from './backoff.ts';
import { resolveConflicts } from './conflicts.ts';
import { describeDoc, type Translate } from './describe.ts';
import { Ledger } from './ledger.ts';
import { waitForChange } from './live.ts';
import { pendingChanges, pendingIds } from './local.ts';
import { problemOf, type SyncProblem } from './problem.ts';
import { httpTransport, pull, type PullProgress, type PullTransport } from './pull.ts';
import { push, type Cancelable, type PushOutcome, type Refusal } from './push.ts';
import { refusalProblem, withRelated } from './refused.ts';
import { expiredIds, removeFromDevice } from './revoke.ts';
import { storage } from './storage.svelte.ts';

/** A full sync this often even when the long-poll says nothing (safety net). */
export const PERIODIC_MS = 5 * 60_000;
/** Local edits are pushed this long after the last one (a burst of typing is one push). */
export const LOCAL_PUSH_DELAY_MS = 1_000;
/** Screens are told to re-read this long after the last local change. */
export const REVISION_DEBOUNCE_MS = 150;

export type SyncPhase = 'idle' | 'syncing' | 'offline' | 'error';

export interface SyncUser {
	readonly name: string;
	readonly roles: readonly string[];
}

type Mode = 'full' | 'push';

const nowIso = (): string => new Date().toISOString();

/** Technicians read missions for a time; desk roles read by role and keep everything. */
function readsByMission(user: SyncUser): boolean {
	return (
		user.roles.includes('technician') &&
		!user.roles.some((r) => ['dispatcher', 'expert', 'admin', 'billing'].includes(r))
	);
}

class SyncService {
	#online = $state(true);
	#running = $state(false);
	#progress = $state.raw<PullProgress | null>(null);
	#lastSuccess = $state<string | null>(null);
	#problem = $state.raw<SyncProblem | null>(null);
	#pending = $state(0);
	#revision = $state(0);
	#firstSync = $state(false);
	#listIn = $state(false);

	#user: SyncUser | null = null;
	#db: LocalDb | null = null;
	#device: DeviceDb | null = null;
	#ledger = new Ledger();
	#transport: PullTransport = httpTransport;
	#ready: Promise<void> | null = null;
	#current: Promise<void> | null = null;
	#again: Mode | null = null;
	#failures = 0;
	#timer: ReturnType<typeof setTimeout> | null = null;
	#pushTimer: ReturnType<typeof setTimeout> | null = null;
	#revisionTimer: ReturnType<typeof setTimeout> | null = null;
	#liveAbort: AbortController | null = null;
	#localFeed: PouchDB.Core.Changes<Record<string, unknown>> | null = null;
	#replication: Cancelable | null = null;
	#mergedOnce = false;

	get phase(): SyncPhase {
		if (!this.#online) return 'offline';
		if (this.#running) return 'syncing';
		return this.#problem && this.#problem.kind !== 'refused' ? 'error' : 'idle';
	}
	get online(): boolean {
		return this.#online;
	}
	get syncing(): boolean {
		return this.#running;
	}
	/** Count/total of the pull under way; null when not pulling. */
	get progress(): PullProgress | null {
		return this.#progress;
	}
	get lastSuccess(): string | null {
		return this.#lastSuccess;
	}
	get problem(): SyncProblem | null {
		return this.#problem;
	}
	/** Local changes the server does not have yet. */
	get pending(): number {
		return this.#pending;
	}
	/** True until this device has completed one sync for this user. */
	get firstSync(): boolean {
		return this.#firstSync;
	}
	/**
	 * The ticket list's documents are on the device: a sync has completed, or this first sync
	 * has brought them (they come first, `pullRank`).
	 */
	get listReady(): boolean {
		return this.#lastSuccess !== null || this.#listIn;
	}
	/** Bumped whenever local data changed (sync or local edit), so lists know to re-read. */
	get revision(): number {
		return this.#revision;
	}
	/** The user the sync runs for, or null when stopped. */
	get userName(): string | null {
		return this.#user?.name ?? null;
	}

	/** Starts syncing for `user`; a second call for the same user does nothing. */
	start(user: SyncUser): void {
		if (this.#user?.name === user.name) return;
		if (this.#user) void this.stop();
		this.#user = user;
		this.#listIn = false;
		this.#db = localDb(user.name);
		this.#device = deviceDb(user.name);
		this.#ledger = new Ledger(this.#device);
		this.#online = navigator.onLine;
		window.addEventListener('online', this.#onOnline);
		window.addEventListener('offline', this.#onOffline);
		this.#ready = this.#ledger.load().then(() => {
			this.#lastSuccess = this.#ledger.lastSuccess;
			this.#firstSync = this.#ledger.lastSuccess === null;
		});
		this.#watchLocal(this.#db);
		storage.start();
		void this.#ready.then(async () => {
			await this.#expire();
			await this.#countPending();
			void this.syncNow();
			this.#live();
		});
	}

	/** Stops every timer, request and feed; waits for a run in progress to end. */
	async stop(): Promise<void> {
		window.removeEventListener('online', this.#onOnline);
		window.removeEventListener('offline', this.#onOffline);
		for (const t of [this.#timer, this.#pushTimer, this.#revisionTimer]) if (t) clearTimeout(t);
		this.#timer = this.#pushTimer = this.#revisionTimer = null;
		this.#liveAbort?.abort();
		this.#liveAbort = null;
		this.#localFeed?.cancel();
		this.#localFeed = null;
		this.#replication?.cancel();
		this.#user = null;
		storage.stop();
		await this.#current?.catch(() => undefined);
		this.#db = null;
		this.#device = null;
	}

	/** Syncs now (or once more right after the run under way). */
	syncNow(mode: Mode = 'full'): Promise<void> {
		if (this.#current) {
			if (this.#again !== 'full') this.#again = mode;
			return this.#current;
		}
		this.#current = this.#run(mode).finally(() => {
			this.#current = null;
			const again = this.#again;
			this.#again = null;
			if (again && this.#user) void this.syncNow(again);
		});
		return this.#current;
	}

	/**
	 * Pushes what changed on the device. With nothing to send, the replicator (and its code,
	 * loaded on first use) is not needed: the push position just moves on.
	 */
	async #push(db: LocalDb): Promise<PushOutcome> {
		const pending = await pendingChanges(db, this.#ledger.pushedSeq, this.#ledger);
		if (pending.ids.length === 0) return { written: 0, refused: [], lastSeq: pending.lastSeq };
		const { remoteDb } = await import('../data/remote-db.ts');
		return push(db, remoteDb(location.origin), this.#ledger, (r) => {
			this.#replication = r;
		});
	}

	/** Names of the local changes the server does not have yet (sign-out warning). */
	async unsyncedNames(t: Translate): Promise<string[]> {
		const db = this.#db;
		if (!db) return [];
		const ids = await pendingIds(db, this.#ledger.pushedSeq, this.#ledger);
		const { docs, related } = await withRelated(db, ids);
		return ids.map((id) => {
			const doc = docs.get(id);
			return doc ? describeDoc(doc, related, t) : describeDoc({ _id: id }, related, t);
		});
	}

	/** For tests: back to the state before any sign-in. */
	reset(): void {
		void this.stop();
		this.#progress = null;
		this.#lastSuccess = null;
		this.#problem = null;
		this.#pending = 0;
		this.#failures = 0;
		this.#firstSync = false;
		this.#listIn = false;
		this.#mergedOnce = false;
		this.#transport = httpTransport;
	}

	async #run(mode: Mode): Promise<void> {
		await this.#ready;
		const db = this.#db;
		const user = this.#user;
		if (!db || !user) return;
		if (!navigator.onLine) {
			this.#online = false;
			return;
		}
		this.#running = true;
		const startedAt = nowIso();
		const run = { pulled: 0, pushed: 0, removed: 0, merged: 0, errors: [] as string[] };
		let changed = false;
		try {
			if (mode === 'full') {
				const pending = new Set(await pendingIds(db, this.#ledger.pushedSeq, this.#ledger));
				// Only what this pull fetched is merged, once a whole run has merged: a pull cut
				// after some batches leaves stored conflicts no later pull fetches again, so until
				// this run's merge is done the next one looks at every document.
				const mergeAll = !this.#mergedOnce;
				this.#mergedOnce = false;
				let listWasReady: boolean | null = null;
				const pulled = await pull(db, this.#ledger, this.#transport, pending, (p) => {
					this.#progress = p;
					// The ticket list's documents come first (pullRank): screens read them as soon
					// as they are in, not at the end of a long first sync.
					listWasReady ??= p.listReady;
					if (p.listReady && !listWasReady) {
						listWasReady = true;
						this.#revision++;
					}
					if (p.listReady) this.#listIn = true;
				});
				run.pulled = pulled.fetched.length;
				run.removed = pulled.removed.length + (await this.#expire());
				run.merged = await resolveConflicts(
					db,
					mergeAll ? null : pulled.fetched,
					`user:${user.name}`
				);
				this.#mergedOnce = true;
				changed = run.pulled + run.removed + run.merged > 0;
			}
			this.#progress = null;
			const pushed = await this.#push(db);
			await this.#ledger.pushed(pushed.lastSeq);
			run.pushed = pushed.written;
			this.#failures = 0;
			this.#online = true;
			this.#problem = await this.#refusalProblem(db, pushed.refused);
			run.errors.push(...pushed.refused.map((r) => `${r.id}: ${r.reason}`));
			if (mode === 'full') {
				this.#lastSuccess = nowIso();
				this.#firstSync = false;
				await this.#ledger.succeeded(this.#lastSuccess);
			}
			this.#schedule(PERIODIC_MS);
			this.#live();
		} catch (error) {
			const problem = problemOf(error);
			run.errors.push(error instanceof Error ? error.message : String(error));
			this.#failures++;
			// A failed fetch counts as offline even when the browser thinks it is online (a
			// network without internet): the back-off timer tries again, and brings it back.
			if (problem.kind === 'unreachable') this.#online = false;
			this.#problem = problem;
			// A refused session will not heal by retrying often: the person must sign in again.
			this.#schedule(problem.kind === 'session' ? PERIODIC_MS : retryDelay(this.#failures));
		} finally {
			this.#replication = null;
			this.#progress = null;
			this.#running = false;
			if (changed) this.#revision++;
			await this.#countPending();
			// Edits made while this run was under way: push them now rather than at the next timer.
			if (this.#pending > 0 && this.#failures === 0 && this.#user) this.#again ??= 'push';
			void storage.refresh();
			if (mode === 'full' && this.#device) {
				await recordRun(this.#device, { startedAt, endedAt: nowIso(), ...run }).catch(
					() => undefined
				);
			}
		}
	}

	async #refusalProblem(db: LocalDb, refused: readonly Refusal[]): Promise<SyncProblem | null> {
		return refusalProblem(db, refused);
	}

	/** Closed missions past the access window leave a technician's device (even offline). */
	async #expire(): Promise<number> {
		const db = this.#db;
		const user = this.#user;
		if (!db || !user || !readsByMission(user)) return 0;
		const range = (type: string) =>
			db.allDocs({ include_docs: true, startkey: `${type}:`, endkey: `${type}:\ufff0` });
		const docs = (r: Awaited<ReturnType<typeof range>>) =>
			r.rows.flatMap((row) => (row.doc ? [row.doc as Record<string, unknown>] : []));
		const [missions, tickets, configs] = await Promise.all([
			range('mission'),
			range('ticket'),
			range('config')
		]);
		const access = docs(configs).find((c) => c.kind === 'access');
		const candidates = expiredIds({
			missions: docs(missions),
			tickets: new Map(docs(tickets).map((t) => [String(t._id), t])),
			reports: [],
			events: [],
			now: Date.now(),
			windowDays: typeof access?.windowDays === 'number' ? access.windowDays : undefined
		});
		if (candidates.length === 0) return 0;
		// Reports and timeline of those tickets go with them.
		const ticketIds = new Set(candidates.filter((id) => id.startsWith('ticket:')));
		const [reports, events] = await Promise.all([range('report'), range('event')]);
		const attached = [...docs(reports), ...docs(events)]
			.filter((d) => ticketIds.has(String(d.ticketId)))
			.map((d) => String(d._id));
		const removed = await removeFromDevice(
			db,
			this.#ledger,
			[...candidates, ...attached],
			'expired',
			nowIso()
		);
		if (removed.length > 0) this.#revision++;
		return removed.length;
	}

	async #countPending(): Promise<void> {
		const db = this.#db;
		if (!db) return;
		try {
			this.#pending = (await pendingIds(db, this.#ledger.pushedSeq, this.#ledger)).length;
		} catch {
			// The database is closing (sign-out): the count no longer matters.
		}
	}

	/** Local writes: tell screens to re-read, recount, and push soon. */
	#watchLocal(db: LocalDb): void {
		this.#localFeed = db
			.changes({ since: 'now', live: true })
			.on('change', () => {
				if (this.#revisionTimer) clearTimeout(this.#revisionTimer);
				this.#revisionTimer = setTimeout(() => {
					this.#revision++;
					if (!this.#running) void this.#countPending();
				}, REVISION_DEBOUNCE_MS);
				if (this.#running) return;
				if (this.#pushTimer) clearTimeout(this.#pushTimer);
				this.#pushTimer = setTimeout(() => {
					if (this.#pending > 0 && this.#online) void this.syncNow('push');
				}, LOCAL_PUSH_DELAY_MS);
			})
			.on('error', (error: unknown) => console.warn('local changes feed stopped', error));
	}

	/** The long-poll loop: one request at a time while online; a change starts a sync. */
	#live(): void {
		// Without live sync (a device setting), the periodic run and "sync now" remain.
		if (this.#liveAbort || !this.#user || !settings.liveSync) return;
		const abort = new AbortController();
		this.#liveAbort = abort;
		void (async () => {
			let token: string | null = null;
			let failures = 0;
			while (!abort.signal.aborted) {
				if (!this.#online) break;
				try {
					const answer = await waitForChange(token, abort.signal);
					failures = 0;
					const first = token === null;
					token = answer.token;
					if (answer.changed && !first) void this.syncNow();
				} catch (error) {
					if (abort.signal.aborted) break;
					failures++;
					if (error instanceof ApiError && error.status === 0 && !navigator.onLine) break;
					await new Promise((done) => setTimeout(done, retryDelay(failures)));
				}
			}
			if (this.#liveAbort === abort) this.#liveAbort = null;
		})();
	}

	#schedule(ms: number): void {
		if (this.#timer) clearTimeout(this.#timer);
		this.#timer = this.#user ? setTimeout(() => void this.syncNow(), ms) : null;
	}

	#onOnline = (): void => {
		this.#online = true;
		this.#failures = 0;
		void this.syncNow();
		this.#live();
	};

	#onOffline = (): void => {
		this.#online = false;
		this.#liveAbort?.abort();
		this.#liveAbort = null;
	};
}

export const sync = new SyncService();
