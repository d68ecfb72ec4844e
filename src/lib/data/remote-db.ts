/**
 * The push side of PouchDB (replication and the HTTP adapter), kept out of the first visit's
 * scripts: a device loads it the first time it has local changes to send. Plugging it into
 * pouchdb-core gives every local database `replicate` too.
 */
import PouchDB from 'pouchdb-core';
import HttpAdapter from 'pouchdb-adapter-http';
import replication from 'pouchdb-replication';
import type { LocalDb } from './local-db.ts';

PouchDB.plugin(HttpAdapter).plugin(replication);

/** The server's replication endpoint, as a PouchDB the replicator can push to. */
export function remoteDb(origin: string): LocalDb {
	return new PouchDB(`${origin}/api/sync/db`, {
		adapter: 'http',
		skip_setup: true,
		fetch: (url, opts) => fetch(url, { ...opts, credentials: 'same-origin' })
	});
}
