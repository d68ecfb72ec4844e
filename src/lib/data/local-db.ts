/**
 * The device's PouchDB: the business documents the user may read, as the server sent them,
 * plus what they changed offline. Built from PouchDB's parts with the `indexeddb` adapter
 * rather than `pouchdb-browser` (adapter `idb`): only `indexeddb` has `purge`, which lets a
 * revoked document leave the device without a tombstone that could be pushed back, and
 * without blocking the document from coming back intact if access is granted again.
 */
import PouchDB from 'pouchdb-core';
import IndexedDbAdapter from 'pouchdb-adapter-indexeddb';
import HttpAdapter from 'pouchdb-adapter-http';
import mapreduce from 'pouchdb-mapreduce';
import replication from 'pouchdb-replication';

PouchDB.plugin(IndexedDbAdapter).plugin(HttpAdapter).plugin(mapreduce).plugin(replication);

export type LocalDb = PouchDB.Database<Record<string, unknown>>;

export const localDbName = (userName: string): string => `terrain-${userName}`;

let current: { name: string; db: LocalDb } | null = null;

/** One local database per user, so two people sharing a device never mix their data. */
export function localDb(userName: string): LocalDb {
	if (current?.name === userName) return current.db;
	current = {
		name: userName,
		db: new PouchDB(localDbName(userName), { adapter: 'indexeddb', auto_compaction: true })
	};
	return current.db;
}

/** The server's replication endpoint, as a PouchDB the replicator can push to. */
export function remoteDb(origin: string): LocalDb {
	return new PouchDB(`${origin}/api/sync/db`, {
		adapter: 'http',
		skip_setup: true,
		fetch: (url, opts) => fetch(url, { ...opts, credentials: 'same-origin' })
	});
}

/** Removes the user's local database (sign-out on a shared device). */
export async function destroyLocalDb(userName: string): Promise<void> {
	const db = localDb(userName);
	current = null;
	await db.destroy();
}
