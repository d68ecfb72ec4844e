import PouchDB from 'pouchdb-browser';

export type LocalDb = PouchDB.Database<Record<string, unknown>>;

let current: { name: string; db: LocalDb } | null = null;

/** One local database per user, so two people sharing a device never mix their data. */
export function localDb(userName: string): LocalDb {
	if (current?.name === userName) return current.db;
	current = { name: userName, db: new PouchDB(`terrain-${userName}`, { auto_compaction: true }) };
	return current.db;
}

/** Removes the user's local database (sign-out on a shared device). */
export async function destroyLocalDb(userName: string): Promise<void> {
	const db = localDb(userName);
	current = null;
	await db.destroy();
}
