// The demo loaded straight into the embedded server's storage, for the benchmarks.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import PouchDB from 'pouchdb-core';
import MemoryAdapter from 'pouchdb-adapter-memory';
import LevelAdapter from 'pouchdb-adapter-leveldb';
import { hashPassword } from '../server/auth/password.ts';
import { credentialId } from '../server/auth/users.ts';
import { generateDemo, DEMO_PASSWORD } from '../server/demo/generate.ts';

type Json = Record<string, unknown>;

/**
 * The demo, written straight into the in-memory storage the embedded server then opens (its
 * documents pass parseDoc): the server starts on a populated database, as after a restart, so
 * what is measured is sync, not an import going through every changes follower.
 */
export async function loadDemo(
	dbName: string,
	scale: number,
	diskDir?: string,
	patch?: (docs: Json[]) => void
): Promise<number> {
	const adapters = (PouchDB as unknown as { adapters: Record<string, unknown> }).adapters;
	// Only the storage adapter: the embedded server plugs the others into the same constructor.
	if (!adapters.memory) PouchDB.plugin(MemoryAdapter);
	if (diskDir && !adapters.leveldb) PouchDB.plugin(LevelAdapter);
	const where = diskDir
		? { adapter: 'leveldb', prefix: join(diskDir, 'db') + '/' }
		: { adapter: 'memory' };
	if (diskDir) mkdirSync(join(diskDir, 'db'), { recursive: true, mode: 0o700 });
	const demo = generateDemo({ seed: 1, scale, now: new Date() });
	patch?.(demo.docs as unknown as Json[]);
	const hash = await hashPassword(DEMO_PASSWORD);
	const credentials = new PouchDB<Json>(`${dbName}_private`, where);
	await credentials.bulkDocs(
		demo.users.map((u) => ({
			_id: credentialId(u.name),
			type: 'credential',
			name: u.name,
			hash,
			disabled: false,
			version: 1
		}))
	);
	const store = new PouchDB<Json>(dbName, where);
	for (let i = 0; i < demo.docs.length; i += 2000) {
		await store.bulkDocs(demo.docs.slice(i, i + 2000) as never);
	}
	if (diskDir) {
		await credentials.close();
		await store.close();
	}
	return demo.docs.length;
}

/** An admin URL's base (no credentials) and its Basic authorization header. */
function couchBase(couchUrl: string): { base: string; auth: string } {
	const url = new URL(couchUrl);
	const auth = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
	url.username = '';
	url.password = '';
	return { base: url.toString().replace(/\/$/, ''), auth };
}

/**
 * The demo written into a real CouchDB (`_bulk_docs`, 2,000 at a time), the credentials in its
 * private database; the databases are dropped first.
 */
export async function loadDemoCouch(
	couchUrl: string,
	dbName: string,
	scale: number,
	patch?: (docs: Json[]) => void
): Promise<number> {
	const { base, auth } = couchBase(couchUrl);
	const headers = { authorization: auth, 'content-type': 'application/json' };
	const call = async (path: string, method: string, body?: unknown) => {
		const res = await fetch(`${base}/${path}`, {
			method,
			headers,
			body: body === undefined ? null : JSON.stringify(body)
		});
		const text = await res.text();
		if (!res.ok && !(method === 'PUT' && res.status === 412))
			throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 200)}`);
	};
	await dropCouch(couchUrl, dbName);
	await call(dbName, 'PUT');
	await call(`${dbName}_private`, 'PUT');
	const demo = generateDemo({ seed: 1, scale, now: new Date() });
	patch?.(demo.docs as unknown as Json[]);
	const hash = await hashPassword(DEMO_PASSWORD);
	await call(`${dbName}_private/_bulk_docs`, 'POST', {
		docs: demo.users.map((u) => ({
			_id: credentialId(u.name),
			type: 'credential',
			name: u.name,
			hash,
			disabled: false,
			version: 1
		}))
	});
	for (let i = 0; i < demo.docs.length; i += 2000) {
		await call(`${dbName}/_bulk_docs`, 'POST', { docs: demo.docs.slice(i, i + 2000) });
	}
	return demo.docs.length;
}

/** Deletes a benchmark's databases on a real CouchDB (the main one, private and plain copies). */
export async function dropCouch(couchUrl: string, dbName: string): Promise<void> {
	const { base, auth } = couchBase(couchUrl);
	for (const name of [dbName, `${dbName}_private`, `${dbName}_plain`]) {
		const res = await fetch(`${base}/${name}`, {
			method: 'DELETE',
			headers: { authorization: auth }
		});
		await res.arrayBuffer();
	}
}
