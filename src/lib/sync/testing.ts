// Test helpers for the sync: in-memory PouchDB databases (Node), as the unit tests use them.
import PouchDB from 'pouchdb-core';
import memory from 'pouchdb-adapter-memory';
import replication from 'pouchdb-replication';
import type { LocalDb } from '../data/local-db.ts';
import type { Manifest } from './plan.ts';
import type { BulkGetResult, PullTransport } from './pull.ts';

PouchDB.plugin(memory).plugin(replication);

let n = 0;
export function memoryDb(name = 'db'): LocalDb {
	n++;
	return new PouchDB(`${name}-${n}-${Math.random().toString(36).slice(2)}`, { adapter: 'memory' });
}

/**
 * A pull transport answered by `server`, a PouchDB playing the server: the manifest lists
 * `allowed()` ids at their winning revisions; `bulkGet` serves revisions with history.
 */
export function serverTransport(
	server: LocalDb,
	allowed: () => readonly string[],
	calls: { bulkGet: number; fetchedIds: string[] } = { bulkGet: 0, fetchedIds: [] }
): PullTransport & { calls: typeof calls; failAfter: number | null } {
	const transport = {
		calls,
		failAfter: null as number | null,
		async manifest(): Promise<Manifest> {
			const rows = await server.allDocs({ keys: [...allowed()] });
			const docs = rows.rows.flatMap((r) =>
				'value' in r && r.value && !r.value.deleted ? [[r.id, r.value.rev] as const] : []
			);
			return { docs, total: docs.length };
		},
		async bulkGet(docs: ReadonlyArray<{ id: string; rev: string }>): Promise<BulkGetResult> {
			if (transport.failAfter !== null && calls.bulkGet >= transport.failAfter)
				throw new Error('network down');
			calls.bulkGet++;
			const results = await Promise.all(
				docs.map(async ({ id, rev }) => {
					calls.fetchedIds.push(id);
					const doc = await server.get(id, { rev, revs: true, attachments: true });
					return {
						id,
						docs: [{ ok: doc as unknown as Record<string, unknown> & { _rev: string } }]
					};
				})
			);
			return { results };
		}
	};
	return transport;
}
