import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedCouch, type EmbeddedCouch } from '../../server/couch/embedded.ts';
import { startServer, type RunningServer } from '../../server/start.ts';
import { copiesSettled } from './couch-kind.ts';
import { Clock } from './sync-device.ts';

export interface InstancesOptions {
	/** Names the database and the data folders (`terrain_<name>_…`, `terrain-<name>-…`). */
	readonly name: string;
	/** Where the test's clock starts: every instance reads it, the test moves it. */
	readonly start: string;
	/** The environment every instance adds (or overrides) to the defaults. */
	readonly env?: Record<string, string>;
}

/**
 * Several server instances on one database, with one clock the test moves, as a deployment runs
 * them. The database is TEST_COUCHDB_URL's when set (a database of its own, removed at `close`),
 * the embedded in-memory server otherwise. The instances share the session secret (a session
 * opened on one is good on another) and run their jobs only when the test says: the timer is an
 * hour, longer than any test.
 *
 * `open` in a `beforeAll`, `close` in the `afterAll`; in between, `start`, `stop` and `restart`
 * instances, `settle` after a write made straight to the database.
 */
export class Instances {
	readonly clock: Clock;
	readonly db: string;
	readonly #name: string;
	readonly #env: Record<string, string>;
	readonly #dirs: string[] = [];
	readonly #running: RunningServer[] = [];
	#embedded: EmbeddedCouch | null = null;
	#url: string | null = null;

	constructor(options: InstancesOptions) {
		this.#name = options.name;
		this.#env = options.env ?? {};
		this.clock = new Clock(options.start);
		this.db = `terrain_${options.name.replaceAll('-', '_')}_${Date.now().toString(36)}`;
	}

	/** Whether the database is a real CouchDB (TEST_COUCHDB_URL). */
	get real(): boolean {
		return Boolean(process.env.TEST_COUCHDB_URL);
	}

	/** The instances running now, in the order they started. */
	get running(): readonly RunningServer[] {
		return this.#running;
	}

	/** Starts the database the instances share (the embedded one, unless TEST_COUCHDB_URL). */
	async open(): Promise<void> {
		if (this.#url !== null) return;
		const real = process.env.TEST_COUCHDB_URL;
		if (real) {
			this.#url = real;
			return;
		}
		const dir = this.#dir('db');
		this.#embedded = await startEmbeddedCouch({
			dataDir: dir,
			adminPassword: `pw-${this.#name}`,
			memory: true
		});
		this.#url = this.#embedded.url.toString();
	}

	/** One more instance on the database (its own data folder), reading the test's clock. */
	async start(env: Record<string, string> = {}): Promise<RunningServer> {
		if (this.#url === null) throw new Error('Instances: open() before start()');
		const server = await startServer(
			{
				PORT: '0',
				HOST: '127.0.0.1',
				DATA_DIR: this.#dir('data'),
				COUCHDB_URL: this.#url,
				COUCHDB_DB: this.db,
				DEMO: '0',
				SESSION_SECRET: `${this.#name}-test-shares-this-session-secret-0123456789`,
				// The test runs the jobs at the times it sets; the timer would run them at its own.
				JOBS_TICK_MS: '3600000',
				...this.#env,
				...env
			},
			{ now: this.clock.now }
		);
		this.#running.push(server);
		return server;
	}

	/** Stops one instance (the database and the others go on). */
	async stop(server: RunningServer): Promise<void> {
		const at = this.#running.indexOf(server);
		if (at < 0) throw new Error('Instances: stopping an instance not running');
		this.#running.splice(at, 1);
		await server.stop();
	}

	/** Stops an instance and starts another in its place (a fresh data folder, a new process' state). */
	async restart(server: RunningServer, env: Record<string, string> = {}): Promise<RunningServer> {
		await this.stop(server);
		return this.start(env);
	}

	/**
	 * After a write made straight to the database: until every instance derived what it writes
	 * from it (ticket numbers, the notifier's notes, a jobs run) and, on a cluster, the copies
	 * the feeds read hold it all.
	 */
	async settle(): Promise<void> {
		await copiesSettled(this.db);
		for (const server of this.#running) await server.settled();
		await copiesSettled(this.db);
	}

	/** Stops every instance, removes the database (on a real CouchDB) and the data folders. */
	async close(): Promise<void> {
		for (const server of [...this.#running].reverse()) await this.stop(server);
		if (this.real) for (const db of [this.db, `${this.db}_private`]) await destroy(db);
		await this.#embedded?.stop();
		this.#embedded = null;
		for (const dir of this.#dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
	}

	#dir(what: string): string {
		const dir = mkdtempSync(join(tmpdir(), `terrain-${this.#name}-${what}-`));
		this.#dirs.push(dir);
		return dir;
	}
}

/** Removes a database of TEST_COUCHDB_URL's server (credentials from the URL); gone is fine. */
async function destroy(db: string): Promise<void> {
	const url = new URL(process.env.TEST_COUCHDB_URL!);
	const auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
	url.username = '';
	url.password = '';
	await fetch(new URL(`/${encodeURIComponent(db)}`, url), {
		method: 'DELETE',
		headers: { authorization: `Basic ${Buffer.from(auth).toString('base64')}` }
	}).catch(() => undefined);
}
