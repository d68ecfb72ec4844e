/**
 * Stores pushed revisions as they came (`new_edits: false`), keeping the device's revision ids
 * and history.
 *
 * With CouchDB this is `_bulk_docs`. The embedded server cannot take it over HTTP: its
 * validation wrapper (pouchdb-validation 4.2.0, used by express-pouchdb) replaces the
 * `_revisions` of every incoming document with the stored winner's before writing, which turns
 * a pushed update into a silent no-op. So in embedded mode the server writes through a PouchDB
 * handle on the same storage (same process, same LevelDB or memory store: the embedded server
 * sees the write and its changes feed reports it), after running the same schema check the
 * validation function would (push.ts parses every document with the domain's `parseDoc`).
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ServerConfig } from '../config.ts';
import type { Couch } from '../couch/connect.ts';
import type { CouchHttp } from './couch-http.ts';

export interface WriteResult {
	id: string;
	rev?: string;
	error?: string;
	reason?: string;
}

export type RevisionWriter = (docs: readonly object[]) => Promise<WriteResult[]>;

interface LocalPouch {
	bulkDocs(
		docs: { docs: readonly object[] },
		options: { new_edits: false }
	): Promise<
		Array<{ id?: string; rev?: string; error?: boolean | string; name?: string; message?: string }>
	>;
}

type PouchConstructor = new (name: string, options: Record<string, unknown>) => LocalPouch;

export function revisionWriter(
	couch: Couch,
	config: ServerConfig,
	http: CouchHttp
): RevisionWriter {
	if (!couch.embedded) {
		return (docs) =>
			http.json<WriteResult[]>(`${http.db}/_bulk_docs`, { body: { docs, new_edits: false } });
	}
	let local: LocalPouch | null = null;
	return async (docs) => {
		// The embedded server has plugged its adapters into pouchdb-core by now.
		const PouchDB = createRequire(import.meta.url)('pouchdb-core') as PouchConstructor;
		local ??= new PouchDB(
			config.dbName,
			config.memory
				? { adapter: 'memory' }
				: { adapter: 'leveldb', prefix: `${join(config.dataDir, 'db')}/` }
		);
		const results = await local.bulkDocs({ docs }, { new_edits: false });
		return results
			.filter((r) => r.error)
			.map((r) => ({
				id: String(r.id),
				error: String(r.name ?? 'error'),
				reason: String(r.message ?? '')
			}));
	};
}
