// The build aside of server/couch/design.ts on a CouchDB cluster whose third node is slow: a
// clustered view query answers from the first copy of each shard range that is built, so the
// swap must wait for the copies on the slow node too (or a reader of those copies, e.g. with
// stale=ok, gets part of the index). Needs TEST_COUCHDB_CLUSTER_DIR (the BASE_DIR given to
// ../shared/couchdb/start-cluster.sh): node 3 is frozen (SIGSTOP) while the index is built and
// thawed 4 s later. Skipped without it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import nano from 'nano';
import { afterAll, describe, expect, it } from 'vitest';
import { deployDesignDoc } from '../../server/couch/design.ts';
import { ddocCopiesPending } from '../support/couch-kind.ts';

const CLUSTER_DIR = process.env.TEST_COUCHDB_CLUSTER_DIR;
const URL_ = process.env.TEST_COUCHDB_URL;
const N = 10_000;
const FROZEN_MS = 4000;

/** Node 3's CouchDB VM, checked the way stop-cluster.sh does: a beam.smp of that node. */
function node3Pid(dir: string): number {
	const pid = Number(readFileSync(join(dir, 'node3', 'couchdb.pid'), 'utf8').trim());
	const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
	if (!cmdline.includes('beam.smp') || !cmdline.includes(join(dir, 'node3', 'etc')))
		throw new Error(`pid ${pid} is not node 3 of ${dir}`);
	return pid;
}

const name = `terrain_slow_node_${Date.now().toString(36)}`;
let thaw: (() => void) | null = null;

afterAll(async () => {
	thaw?.();
	if (URL_ && CLUSTER_DIR)
		await nano(URL_)
			.db.destroy(name)
			.catch(() => undefined);
});

describe.skipIf(!CLUSTER_DIR || !URL_)('design documents on a cluster with a slow node', () => {
	it('swaps only once the copies on the slow node are built too', async () => {
		const couch = nano(URL_!);
		await couch.db.create(name);
		const db = couch.use<Record<string, unknown>>(name);
		for (let from = 0; from < N; from += 2000) {
			const docs = [];
			for (let n = from; n < from + 2000; n++) docs.push({ _id: `item:${n}`, type: 'item', n });
			await db.bulk({ docs });
		}
		const pid = node3Pid(CLUSTER_DIR!);
		process.kill(pid, 'SIGSTOP');
		let thawed = false;
		thaw = () => {
			if (!thawed) process.kill(pid, 'SIGCONT');
			thawed = true;
		};
		const timer = setTimeout(thaw, FROZEN_MS);
		const started = Date.now();
		const lines: string[] = [];
		let pendingAtSwap: Record<string, number> | null = null;
		try {
			await deployDesignDoc(
				db,
				{
					_id: '_design/app',
					language: 'javascript',
					views: { by_n: { map: "function (doc) { if (doc.type === 'item') emit(doc.n, null); }" } }
				},
				{
					version: '1.0.0',
					log: (line) => void lines.push(line),
					beforeSwap: async (stagedId) => {
						// Read node by node, on the copies of the staged document's own range.
						pendingAtSwap = await ddocCopiesPending(name, stagedId);
					}
				}
			);
		} finally {
			clearTimeout(timer);
			thaw();
		}
		const tookMs = Date.now() - started;
		console.log(
			`design-deploy with node 3 frozen ${FROZEN_MS} ms: deployed in ${tookMs} ms; left to index per copy at the swap: ${JSON.stringify(pendingAtSwap)}`
		);
		// All three copies answered, each with at most the few updates counted as built
		// (PENDING_OK in server/couch/design.ts), not the thousands of an unbuilt copy.
		expect(Object.keys(pendingAtSwap ?? {})).toHaveLength(3);
		for (const pending of Object.values(pendingAtSwap ?? {})) expect(pending).toBeLessThan(100);
		expect(tookMs).toBeGreaterThanOrEqual(FROZEN_MS);
		const rows = (await db.view('app', 'by_n', { stale: 'ok', limit: 0 })) as {
			total_rows: number;
		};
		expect(rows.total_rows).toBe(N);
	});
});
