/**
 * Simulated devices for the sync tests: a server whose clock the test moves, accounts, and
 * devices that sync through the server's HTTP endpoints only, with their session cookie —
 * a PouchDB device (pull as the app does, push with PouchDB's replicator) and a light one
 * that only pulls into a map (fast enough for thousands of syncs).
 */
import PouchDB from 'pouchdb-core';
import HttpAdapter from 'pouchdb-adapter-http';
import MemoryAdapter from 'pouchdb-adapter-memory';
import replication from 'pouchdb-replication';
import { randomBytes } from 'node:crypto';
import type { UserDoc } from '../../src/lib/domain/schemas.ts';
import { hashPassword } from '../../server/auth/password.ts';
import { SESSION_COOKIE } from '../../server/auth/session.ts';
import { openSession } from '../../server/auth/sessions.ts';
import { credentialId, type Credential } from '../../server/auth/users.ts';
import type { Couch } from '../../server/couch/connect.ts';
import type { RunningServer } from '../../server/start.ts';
import { Client, startTestServer } from './test-server.ts';

/**
 * pouchdb-core with what devices need. The embedded server plugs the same plugins into the same
 * constructor, and replication cannot be plugged twice: plug only what is missing, after the
 * server started.
 */
export function devicePouch(): typeof PouchDB {
	const adapters = (PouchDB as unknown as { adapters: Record<string, unknown> }).adapters;
	if (!adapters.memory) PouchDB.plugin(MemoryAdapter);
	if (!adapters.http) PouchDB.plugin(HttpAdapter);
	if (!('replicate' in PouchDB.prototype)) PouchDB.plugin(replication);
	return PouchDB;
}

export type Json = Record<string, unknown>;
export type LocalDb = PouchDB.Database<Json>;
export const PASSWORD = 'sync-test-password';

/** The server's clock, moved by the test. */
export class Clock {
	#ms: number;
	constructor(start: string | number) {
		this.#ms = typeof start === 'number' ? start : Date.parse(start);
	}
	readonly now = (): Date => new Date(this.#ms);
	get ms(): number {
		return this.#ms;
	}
	iso(): string {
		return new Date(this.#ms).toISOString();
	}
	advance(ms: number): void {
		this.#ms += ms;
	}
}

export type SyncServer = RunningServer & { dataDir: string };

/**
 * As startTestServer (in-memory embedded database, or TEST_COUCHDB_URL with a database of its
 * own), with the test's clock.
 */
export function startSyncServer(
	clock: Clock,
	env: Record<string, string> = {}
): Promise<SyncServer> {
	return startTestServer(env, { now: clock.now });
}

/** Profiles in the database, credentials in the private one; one password for all. */
export async function addAccounts(couch: Couch, users: readonly UserDoc[]): Promise<void> {
	const hash = await hashPassword(PASSWORD);
	const credentials: Credential[] = users.map((u) => ({
		_id: credentialId(u.name),
		type: 'credential',
		name: u.name,
		hash,
		disabled: false,
		version: 1
	}));
	await couch.privateDb.bulk({ docs: credentials });
	await putAll(couch, users as unknown as Json[]);
}

/** Writes documents as the server's admin (not through sync), checking each was accepted. */
export async function putAll(couch: Couch, docs: readonly Json[]): Promise<void> {
	const result = await couch.db.bulk({ docs: docs as object[] });
	const failed = result.find((r) => r.error);
	if (failed) throw new Error(`write refused: ${failed.id}: ${failed.reason ?? failed.error}`);
}

/** The stored document (as admin), or null. */
export async function stored(couch: Couch, id: string): Promise<Json | null> {
	try {
		return (await couch.db.get(id)) as Json;
	} catch {
		return null;
	}
}

/** A new revision of `doc` as a device's PouchDB would push it (new_edits: false). */
export function nextRevision(doc: Json, previous?: Json | null): Json {
	const hash = randomBytes(16).toString('hex');
	if (!previous?._rev) return { ...doc, _rev: `1-${hash}`, _revisions: { start: 1, ids: [hash] } };
	const [gen, parent] = String(previous._rev).split('-') as [string, string];
	const start = Number(gen) + 1;
	return { ...doc, _rev: `${start}-${hash}`, _revisions: { start, ids: [hash, parent] } };
}

interface Manifest {
	docs: Array<[string, string]>;
	total: number;
	token: string;
}

interface BulkGetAnswer {
	results: Array<{ id: string; docs: Array<{ ok?: Json; error?: unknown }> }>;
}

function isBusy(res: { status: number; body: unknown }): boolean {
	return res.status === 503 && (res.body as { error?: unknown } | null)?.error === 'sync_busy';
}

/** What a device needs: its user's session. */
export class Session {
	readonly client: Client;
	readonly name: string;
	constructor(base: string, name: string) {
		this.client = new Client(base);
		this.name = name;
	}

	/**
	 * A session opened directly with the server's secret (its record in the private database),
	 * valid for ten years of the test's clock: for tests that move the clock by months and are
	 * not about signing in.
	 */
	async issued(server: Pick<RunningServer, 'couch' | 'config'>, now: number): Promise<this> {
		const long = 3650 * 24 * 3600_000;
		const { token } = await openSession(
			server.couch.privateDb,
			server.config.secrets.sessionSecret,
			this.name,
			1,
			now,
			{ idleMs: long, maxMs: long }
		);
		this.client.cookie = `${SESSION_COOKIE}=${token}`;
		return this;
	}

	async signIn(): Promise<this> {
		const res = await this.client.signIn(this.name, PASSWORD);
		if (res.status !== 200) throw new Error(`${this.name} cannot sign in: ${res.status}`);
		return this;
	}

	/** A request with the session, signing in again when it expired (the test's clock moves). */
	async call(path: string, init: { method?: string; body?: unknown } = {}) {
		let res = await this.client.request(path, init);
		if (res.status === 401) {
			await this.signIn();
			res = await this.client.request(path, init);
		}
		// "Le serveur prépare vos données": a loaded machine's index lags; a device retries.
		for (let retry = 0; retry < 5 && isBusy(res); retry++) {
			await new Promise((r) => setTimeout(r, 1000));
			res = await this.client.request(path, init);
		}
		return res;
	}

	async manifest(): Promise<Manifest> {
		const res = await this.call('/api/sync/manifest');
		if (res.status !== 200)
			throw new Error(`manifest of ${this.name}: ${res.status} ${JSON.stringify(res.body)}`);
		return res.body as unknown as Manifest;
	}

	async bulkGet(docs: ReadonlyArray<[string, string]>): Promise<Json[]> {
		const res = await this.call('/api/sync/bulk_get', {
			method: 'POST',
			body: { docs: docs.map(([id, rev]) => ({ id, rev })) }
		});
		if (res.status !== 200)
			throw new Error(`bulk_get of ${this.name}: ${res.status} ${JSON.stringify(res.body)}`);
		const answer = res.body as unknown as BulkGetAnswer;
		return answer.results.flatMap((r) => r.docs.flatMap((d) => (d.ok ? [d.ok] : [])));
	}

	/** POST /api/sync/db/_bulk_docs as the replicator does. */
	async pushRaw(docs: readonly unknown[]): Promise<{ status: number; body: unknown }> {
		const res = await this.call('/api/sync/db/_bulk_docs', {
			method: 'POST',
			body: { docs, new_edits: false }
		});
		return { status: res.status, body: res.body as unknown };
	}
}

/** Pulls into a map of id → document: exactly what the device holds, nothing else. */
export class LightDevice extends Session {
	readonly held = new Map<string, Json>();

	async pull(): Promise<Manifest> {
		const manifest = await this.manifest();
		const listed = new Map(manifest.docs);
		for (const id of [...this.held.keys()]) if (!listed.has(id)) this.held.delete(id);
		const missing = manifest.docs.filter(([id, rev]) => this.held.get(id)?._rev !== rev);
		for (let i = 0; i < missing.length; i += 200) {
			for (const doc of await this.bulkGet(missing.slice(i, i + 200))) {
				if (doc._deleted !== true && listed.get(String(doc._id)) === doc._rev)
					this.held.set(String(doc._id), doc);
			}
		}
		return manifest;
	}
}

/** A device with its own PouchDB: pulls as the app does and pushes with PouchDB's replicator. */
export class PouchDevice extends Session {
	readonly db: LocalDb;
	constructor(base: string, name: string) {
		super(base, name);
		this.db = new (devicePouch())<Json>(`device-${name}-${randomBytes(4).toString('hex')}`, {
			adapter: 'memory'
		});
	}

	remote(): LocalDb {
		return new (devicePouch())<Json>(`${this.client.base}/api/sync/db`, {
			adapter: 'http',
			skip_setup: true,
			fetch: (url, opts) => {
				const headers = new Headers(opts?.headers);
				headers.set('cookie', this.client.cookie);
				return fetch(url, { ...opts, headers });
			}
		});
	}

	/** Manifest, then `_bulk_get` of what differs, stored as it came (new_edits: false). */
	async pull(): Promise<Manifest> {
		const manifest = await this.manifest();
		const local = await this.db.allDocs({ keys: manifest.docs.map(([id]) => id) });
		const have = new Map<string, string>();
		for (const row of local.rows) {
			if ('value' in row && row.value && !row.value.deleted) have.set(row.id, row.value.rev);
		}
		const missing = manifest.docs.filter(([id, rev]) => have.get(id) !== rev);
		for (let i = 0; i < missing.length; i += 200) {
			const docs = await this.bulkGet(missing.slice(i, i + 200));
			await this.db.bulkDocs(docs as never, { new_edits: false });
		}
		return manifest;
	}

	/** One replication to the server; the refusals come back as `denied`. */
	async push(): Promise<{ written: number; denied: Array<{ id: string; reason: string }> }> {
		const denied: Array<{ id: string; reason: string }> = [];
		const replication = this.db.replicate.to(this.remote());
		void replication.on('denied', (error) => {
			const e = error as { id?: string; reason?: string };
			denied.push({ id: String(e.id), reason: String(e.reason) });
		});
		const result = await replication;
		return { written: result.docs_written, denied };
	}

	async get(id: string): Promise<Json> {
		return (await this.db.get(id, { conflicts: true })) as Json;
	}

	async put(doc: Json): Promise<void> {
		await this.db.put(doc as never);
	}
}
