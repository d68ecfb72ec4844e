/**
 * The sync service of one server process: the access model and its changes follower, the
 * live hub, sync health, and the limits. Started with the server (start.ts), found by the
 * route handlers through the app context.
 */
import { DEFAULT_MAX_DOC_BYTES, ROLES, type Role } from '#lib/domain/schemas.ts';
import { DEFAULT_WORKING_SET_DAYS } from '#lib/domain/working-set.ts';
import type { AppContext } from '../http/context.ts';
import { HttpError, StartupError, statusOf } from '../errors.ts';
import { SearchService } from '../search/service.ts';
import { CouchHttp } from './couch-http.ts';
import { CheckpointStore } from './checkpoint.ts';
import { Follower } from './follower.ts';
import { HealthStore } from './health.ts';
import { Indexer } from './indexer.ts';
import { LiveHub } from './live.ts';
import { Numberer } from './numbering.ts';
import type { AccessModel } from './model.ts';
import type { StartupClock } from './startup.ts';
import type { PushLimits } from './push.ts';
import { revisionWriter, type RevisionWriter } from './revision-writer.ts';
import { TOMB_PREFIX, type TombDoc } from './resolve.ts';

export const DEFAULT_SYNC_MAX_DOC_BYTES = 1024 * 1024;
const SWEEP_MS = 1_000;
/** How long a manifest waits at most for a revision this process stored to reach the model. */
const WRITTEN_WAIT_MS = 10_000;

export interface SyncLimits extends PushLimits {
	/** The ceiling over every role: the stricter of `DOC_CAP` and `config:access`'s `docCap`. */
	readonly docCap: number;
	/** `config:access`'s caps per role (`domain/doc-cap.ts` has the defaults). */
	readonly docCaps: Partial<Record<Role, number>>;
	/** How long ended tickets stay in desk working sets (`domain/working-set.ts`). */
	readonly workingSetDays: number;
}

type Env = Readonly<Record<string, string | undefined>>;

const services = new WeakMap<AppContext, SyncService>();

/** @throws {HttpError} 503 when the sync service is not running (server starting or stopping). */
export function syncOf(ctx: AppContext): SyncService {
	const service = services.get(ctx);
	if (!service) throw new HttpError(503, 'sync_unavailable', 'Synchronisation indisponible.');
	return service;
}

/**
 * Starts following the database (the access model is built in the background; sync requests
 * wait for it).
 * @throws {StartupError} when MAX_DOC_BYTES or MAX_ATTACHMENT_BYTES is not a positive number.
 */
export function startSync(ctx: AppContext, env: Env = process.env): SyncService {
	const service = new SyncService(ctx, env);
	service.start();
	services.set(ctx, service);
	return service;
}

export class SyncService {
	readonly ctx: AppContext;
	readonly http: CouchHttp;
	readonly indexer: Indexer;
	readonly live = new LiveHub();
	readonly follower: Follower;
	readonly numberer: Numberer;
	readonly health: HealthStore;
	readonly write: RevisionWriter;
	/** Search over every ticket and client (issue #15), kept current by the follower. */
	readonly search: SearchService;
	readonly #maxDocBytes: number;
	readonly #written = new Map<string, { gen: number; deleted: boolean; until: number }>();
	readonly #maxAttachmentBytes: number;
	#sweeper: NodeJS.Timeout | null = null;
	#lastSweep: number;
	#limits: { rev: string | undefined; value: SyncLimits } | null = null;

	constructor(ctx: AppContext, env: Env) {
		this.ctx = ctx;
		this.http = new CouchHttp(ctx.couch, ctx.config.dbName);
		this.indexer = new Indexer(this.http);
		this.numberer = new Numberer(ctx.couch.db, ctx.couch.privateDb, ctx.now, (id, rev) =>
			this.noteWritten(id, rev, false)
		);
		this.follower = new Follower(
			ctx.couch,
			this.http,
			this.indexer,
			this.live,
			ctx.now,
			this.numberer,
			env.SYNC_CHECKPOINT === '0' ? null : new CheckpointStore(this.http, ctx.config.dbName)
		);
		this.search = new SearchService(this.http, this.follower);
		this.health = new HealthStore(ctx.couch);
		this.write = revisionWriter(ctx.couch, ctx.config, this.http);
		this.#maxDocBytes = positive('MAX_DOC_BYTES', env.MAX_DOC_BYTES, DEFAULT_SYNC_MAX_DOC_BYTES);
		this.#maxAttachmentBytes = positive(
			'MAX_ATTACHMENT_BYTES',
			env.MAX_ATTACHMENT_BYTES,
			DEFAULT_MAX_DOC_BYTES
		);
		this.#lastSweep = ctx.now().getTime();
	}

	/** How this start went, phase by phase (logged once; read by the benchmark). */
	get startup(): StartupClock {
		return this.follower.startup;
	}

	/** The current access model (replaced whole when the access window changes). */
	get model(): AccessModel {
		return this.indexer.model;
	}

	start(): void {
		this.follower.start();
		this.search.start();
		// Notes when the model first caught up with the feed, even before any device asks.
		void this.follower
			.whenReady()
			.then(() => this.caughtUp(60_000))
			.catch(() => undefined);
		this.#sweeper = setInterval(() => this.#sweep(), SWEEP_MS);
		this.#sweeper.unref();
	}

	/** Every write so far is in the model and every ticket it found is numbered (tests). */
	async settled(): Promise<void> {
		for (let round = 0; round < 10; round++) {
			const before = this.numberer.started;
			await this.follower.caughtUp(30_000);
			await this.numberer.idle();
			await this.#holdsWritten(Date.now() + 30_000);
			if (this.numberer.started === before) return;
		}
	}

	async stop(): Promise<void> {
		services.delete(this.ctx);
		this.search.stop();
		if (this.#sweeper) clearInterval(this.#sweeper);
		this.live.close();
		this.startup.stop();
		await this.follower.stop();
		await this.numberer.idle();
	}

	/**
	 * Waits for the index to hold every write made so far.
	 * @throws {HttpError} 503 when it is too far behind (the device retries).
	 */
	async caughtUp(ms = 10_000): Promise<void> {
		const deadline = Date.now() + ms;
		if (!(await this.follower.caughtUp(ms)) || !(await this.#holdsWritten(deadline))) {
			throw new HttpError(
				503,
				'sync_busy',
				'Le serveur prépare vos données : la synchronisation reprendra dans un instant.'
			);
		}
		this.startup.caughtUp();
	}

	/**
	 * Notes a revision this process just stored for a device, so that the next manifest waits
	 * for the model to hold it: on a cluster the feed may be read from a copy that does not
	 * have it yet, and the feed alone cannot tell (read-your-writes for the pushing device).
	 */
	noteWritten(id: string, rev: string, deleted: boolean): void {
		const gen = Number.parseInt(rev, 10);
		if (!Number.isFinite(gen)) return;
		this.#written.set(id, { gen, deleted, until: Date.now() + WRITTEN_WAIT_MS });
	}

	/**
	 * Waits at most `ms` for the model to know each of `ids` (a device's own writes, named with
	 * its manifest request), by `holds`. False when some are still unknown then: the manifest
	 * goes on (best effort: a document left out is fetched again at the next pull).
	 */
	async holdsIds(
		ids: readonly string[],
		ms: number,
		holds: (id: string) => boolean = (id) => this.model.get(id) !== undefined
	): Promise<boolean> {
		const deadline = Date.now() + ms;
		let unknown = ids.filter((id) => !holds(id));
		while (unknown.length > 0 && Date.now() < deadline) {
			await new Promise((resolve) => setTimeout(resolve, 25));
			unknown = unknown.filter((id) => !holds(id));
		}
		return unknown.length === 0;
	}

	/** False when the model still lacks a noted revision at `deadline`. */
	async #holdsWritten(deadline: number): Promise<boolean> {
		for (;;) {
			const now = Date.now();
			for (const [id, w] of this.#written) {
				const state = this.model.get(id);
				const held = w.deleted
					? state === undefined || Number.parseInt(state.rev, 10) > w.gen
					: state !== undefined && Number.parseInt(state.rev, 10) >= w.gen;
				if (held || now > w.until) this.#written.delete(id);
			}
			if (this.#written.size === 0) return true;
			if (now >= deadline) return false;
			await new Promise((resolve) => setTimeout(resolve, 25));
		}
	}

	/** The stricter of the environment's and the referential's (`config:access`) limits. */
	async limits(): Promise<SyncLimits> {
		// Read again whenever the referential changed (the model knows its revision).
		const rev = this.model.get('config:access')?.rev;
		if (this.#limits && this.#limits.rev === rev) return this.#limits.value;
		let config: {
			_rev?: unknown;
			docCap?: unknown;
			docCaps?: unknown;
			maxDocBytes?: unknown;
			workingSetDays?: unknown;
		} = {};
		// Kept only when the read gave the revision the model knows: a failed read, or a lagging
		// copy on a cluster, is asked again next time rather than kept as the limits.
		let keep: boolean;
		try {
			config = (await this.ctx.couch.db.get('config:access')) as typeof config;
			keep = config._rev === rev;
		} catch (error) {
			if (statusOf(error) !== 404) {
				// The database did not answer: the limits known last, else try again later.
				if (this.#limits) return this.#limits.value;
				throw new HttpError(
					503,
					'sync_unavailable',
					'La synchronisation est indisponible pour le moment.'
				);
			}
			keep = rev === undefined;
			config = {};
		}
		const min = (a: number, b: unknown) =>
			typeof b === 'number' && Number.isInteger(b) && b > 0 ? Math.min(a, b) : a;
		const caps = (
			typeof config.docCaps === 'object' && config.docCaps !== null ? config.docCaps : {}
		) as Record<string, unknown>;
		const docCaps: Partial<Record<Role, number>> = {};
		for (const role of ROLES) {
			const cap = caps[role];
			if (typeof cap === 'number' && Number.isInteger(cap) && cap > 0) docCaps[role] = cap;
		}
		const value: SyncLimits = {
			docCap: min(this.ctx.config.docCap, config.docCap),
			docCaps,
			maxDocBytes: min(this.#maxDocBytes, config.maxDocBytes),
			maxAttachmentBytes: this.#maxAttachmentBytes,
			workingSetDays:
				typeof config.workingSetDays === 'number' &&
				Number.isInteger(config.workingSetDays) &&
				config.workingSetDays >= 0
					? config.workingSetDays
					: DEFAULT_WORKING_SET_DAYS
		};
		if (keep) this.#limits = { rev, value };
		return value;
	}

	/**
	 * Checks that the principals read every id now; returns the first that they do not, and
	 * the deleted branches known for the others (sent along so devices close them too).
	 */
	async readable(
		ids: readonly string[],
		held: ReadonlySet<string>,
		now: number
	): Promise<{ refused: string | null; tombstones: Map<string, string[]> }> {
		const unique = [...new Set(ids)];
		const refused = unique.find((id) => !this.model.readable(id, held, now)) ?? null;
		const tombstones = new Map<string, string[]>();
		if (refused !== null || unique.length === 0) return { refused, tombstones };
		const res = await this.http.json<{
			rows: Array<{ key: string; doc?: Record<string, unknown> | null }>;
		}>(`${this.http.privateDb}/_all_docs?include_docs=true`, {
			body: { keys: unique.map((id) => TOMB_PREFIX + id) }
		});
		for (const row of res.rows) {
			const doc = row.doc as TombDoc | null | undefined;
			if (doc?.type === 'tombstones') tombstones.set(doc.doc, doc.revs);
		}
		return { refused, tombstones };
	}

	/** Wakes waiting devices whose access changes at a deadline that just passed. */
	#sweep(): void {
		const now = this.ctx.now().getTime();
		const since = this.#lastSweep;
		if (now <= since) return;
		this.#lastSweep = now;
		if (this.live.waiting === 0) return;
		const principals = this.deadlinesBetween(since, now);
		if (principals.size > 0) this.live.wake(false, principals);
	}

	/** Principals whose access to some document starts or ends in (since, until]. */
	deadlinesBetween(since: number, until: number): Set<string> {
		return this.model.deadlinesBetween(since, until);
	}
}

function positive(name: string, raw: string | undefined, fallback: number): number {
	if (raw === undefined || raw.trim() === '') return fallback;
	const value = Number(raw);
	if (!Number.isInteger(value) || value <= 0)
		throw new StartupError(`${name} "${raw}" must be a positive whole number of bytes.`);
	return value;
}
