/**
 * The device's PouchDB: the business documents the user may read, as the server sent them,
 * plus what they changed offline. Built from PouchDB's parts with the `indexeddb` adapter
 * rather than `pouchdb-browser` (adapter `idb`): only `indexeddb` has `purge`, which lets a
 * revoked document leave the device without a tombstone that could be pushed back, and
 * without blocking the document from coming back intact if access is granted again.
 */
import PouchDB from 'pouchdb-core';
import IndexedDbAdapter from 'pouchdb-adapter-indexeddb';

// No map/reduce plugin: screens read by id ranges (`type:` prefixes), never `db.query`.
// Replication and the HTTP adapter are in remote-db.ts, loaded when there is something to push.
PouchDB.plugin(IndexedDbAdapter);

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

/** Removes the user's local database (sign-out on a shared device). */
export async function destroyLocalDb(userName: string): Promise<void> {
	const db = localDb(userName);
	current = null;
	await db.destroy();
}
