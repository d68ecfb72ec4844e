import nano, { type DocumentScope } from 'nano';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DesignDoc } from '../../couch-design/build.ts';
import { deployDesignDoc, stagedIdOf, type DeployOutcome } from '../../server/couch/design.ts';
import { statusOf } from '../../server/errors.ts';
import { copiesSettled, ddocCopiesPending } from '../support/couch-kind.ts';
import { startTestServer } from '../support/test-server.ts';

/**
 * Zero-downtime deployment of design documents (server/couch/design.ts), on the embedded server
 * and, with TEST_COUCHDB_URL, on a real CouchDB: a changed view is built aside and swapped in.
 */

type Db = DocumentScope<Record<string, unknown>>;
const realCouch = Boolean(process.env.TEST_COUCHDB_URL);
const N = realCouch ? 5000 : 1500;

let server: Awaited<ReturnType<typeof startTestServer>>;
const created: string[] = [];

beforeAll(async () => {
	server = await startTestServer();
});

afterAll(async () => {
	for (const name of created) await server.couch.server.db.destroy(name).catch(() => undefined);
	await server?.stop();
});

/** A database of its own with N items, none indexed yet. */
async function itemsDb(suffix: string): Promise<Db> {
	const name = `${server.config.dbName}_${suffix}`;
	await server.couch.server.db.create(name);
	created.push(name);
	const db = server.couch.server.use<Record<string, unknown>>(name);
	for (let from = 0; from < N; from += 1000) {
		const docs = [];
		for (let n = from; n < Math.min(N, from + 1000); n++)
			docs.push({ _id: `item:${String(n).padStart(6, '0')}`, type: 'item', n });
		await db.bulk({ docs });
	}
	return db;
}

const V1: DesignDoc = {
	_id: '_design/app',
	language: 'javascript',
	views: { by_n: { map: "function (doc) { if (doc.type === 'item') emit(doc.n, null); }" } },
	validate_doc_update:
		"function (doc) { if (doc.type === 'refused-by-v1') throw({ forbidden: 'v1 says no' }); }"
};

const V2: DesignDoc = {
	_id: '_design/app',
	language: 'javascript',
	views: {
		by_n: { map: "function (doc) { if (doc.type === 'item') emit(doc.n * 2, null); }" },
		by_parity: {
			map: "function (doc) { if (doc.type === 'item') emit(doc.n % 2, 1); }",
			reduce: '_count'
		}
	},
	validate_doc_update:
		"function (doc) { if (doc.type === 'refused-by-v2') throw({ forbidden: 'v2 says no' }); }"
};

/** Rows the index holds now, without updating it (`stale=ok`: CouchDB and PouchDB). */
async function indexedRows(db: Db, view: string): Promise<number> {
	const res = (await db.view('app', view, { stale: 'ok', limit: 0, reduce: false })) as {
		total_rows: number;
	};
	return res.total_rows;
}

async function refusal(db: Db, type: string): Promise<number | null> {
	try {
		await db.insert({ _id: `probe:${type}:${Math.random()}`, type });
		return null;
	} catch (error) {
		return statusOf(error) ?? -1;
	}
}

/**
 * On a cluster each node caches design documents: a new validation takes effect on all of them
 * a moment after the write (at once on a single node and on the embedded server).
 */
async function eventually403(db: Db, type: string): Promise<number | null> {
	const until = Date.now() + 10_000;
	for (;;) {
		const status = await refusal(db, type);
		if (status === 403 || Date.now() > until) return status;
		await new Promise((r) => setTimeout(r, 200));
	}
}

async function stagedIds(db: Db): Promise<string[]> {
	const res = await db.list({ startkey: '_design/app-staged', endkey: '_design/app-staged\ufff0' });
	return res.rows.map((r) => r.id);
}

/** CouchDB only: the view index behind a design document. */
async function indexInfo(
	db: Db,
	id: string
): Promise<{ signature: string; updates_pending: { total: number } }> {
	const res = (await server.couch.server.request({ db: db.config.db, path: `${id}/_info` })) as {
		view_index: { signature: string; updates_pending: { total: number } };
	};
	return res.view_index;
}

function revGen(rev: string | undefined): number {
	return Number((rev ?? '0-').split('-')[0]);
}

describe('design documents deployed without downtime', () => {
	it('builds a changed view aside, so the live view answers from a full index once swapped', async () => {
		const db = await itemsDb('swap');
		const lines: string[] = [];
		const log = (line: string) => void lines.push(line);
		expect(await deployDesignDoc(db, V1, { log, version: '1.0.0' })).toBe('updated');
		expect(await indexedRows(db, 'by_n')).toBe(N);

		let during: { live: Record<string, unknown>; staged: Record<string, unknown> } | null = null;
		let refusedDuring: number | null | undefined;
		let stagedSignature = '';
		let copiesPending: Record<string, number> | null = null;
		const started = Date.now();
		const outcome = await deployDesignDoc(db, V2, {
			log,
			version: '1.1.0',
			progressMs: 20,
			beforeSwap: async (stagedId) => {
				during = {
					live: (await db.get('_design/app')) as Record<string, unknown>,
					staged: (await db.get(stagedId)) as Record<string, unknown>
				};
				if (realCouch) stagedSignature = (await indexInfo(db, stagedId)).signature;
				copiesPending = await ddocCopiesPending(db.config.db, stagedId);
				// The new validation is not in force while its views are built.
				refusedDuring = await refusal(db, 'refused-by-v2');
			}
		});
		const tookMs = Date.now() - started;
		expect(outcome).toBe('updated');
		expect(lines.some((l) => l.includes('building the new index aside (_design/app-staged-'))).toBe(
			true
		);
		// While building: the live document is still v1, the staged copy has no validation.
		expect(during!.live.views).toEqual(V1.views);
		expect(during!.staged.views).toEqual(V2.views);
		expect(during!.staged).not.toHaveProperty('validate_doc_update');
		expect(refusedDuring).toBeNull();

		// Swapped: the new views answer at once from the index built aside (stale=ok reads the
		// index as it is, without building anything).
		const swapped = Date.now();
		expect(await indexedRows(db, 'by_n')).toBe(N);
		expect(await indexedRows(db, 'by_parity')).toBe(N);
		const top = await db.view('app', 'by_n', { stale: 'ok', limit: 1, descending: true });
		expect(top.rows[0]?.key).toBe((N - 1) * 2);
		const counts = await db.view('app', 'by_parity', { stale: 'ok', group: true });
		expect(counts.rows.map((r) => r.value)).toEqual([Math.ceil(N / 2), Math.floor(N / 2)]);
		const answeredMs = Date.now() - swapped;
		expect(await eventually403(db, 'refused-by-v2')).toBe(403);
		expect(await refusal(db, 'refused-by-v1')).toBeNull();
		expect(await stagedIds(db)).toEqual([]);
		if (realCouch) {
			// One index for both names: the live view's signature is the staged one's, and what
			// is left to index is the few writes since the build, not the N items.
			const info = await indexInfo(db, '_design/app');
			expect(info.signature).toBe(stagedSignature);
			expect(info.updates_pending.total).toBeLessThan(10);
			// On a cluster, every copy was built before the swap, not only the first to answer
			// for each range: the copies of the staged document's own range, read node by node.
			expect(Object.keys(copiesPending ?? { a: 0, b: 0, c: 0 })).toHaveLength(3);
			for (const pending of Object.values(copiesPending ?? {})) expect(pending).toBeLessThan(100);
		}
		console.log(
			`design-deploy: ${N} docs, deploy with the build aside ${tookMs} ms, swapped views answered in ${answeredMs} ms; ${lines.length} log lines, last ones:\n  ${lines.slice(-3).join('\n  ')}`
		);

		// The control: overwriting in place (what deploying used to do) leaves an index to build.
		const live = (await db.get('_design/app')) as Record<string, unknown>;
		await db.insert({
			...live,
			views: { by_n: { map: "function (doc) { if (doc.type === 'item') emit(-doc.n, null); }" } }
		});
		expect(await indexedRows(db, 'by_n')).toBeLessThan(N);
	});

	it('writes nothing when the content is the same', async () => {
		const db = await itemsDb('same');
		expect(await deployDesignDoc(db, V2, { version: '1.1.0', log: () => {} })).toBe('updated');
		const before = (await db.get('_design/app'))._rev;
		const counts = async () => {
			const info = await db.info();
			return [info.doc_count, info.doc_del_count];
		};
		// On a cluster the staged copy's deletion may not have reached the third copy of its range
		// yet (written with a quorum of two), and `GET /db` reads whichever copies answer first.
		await copiesSettled(db.config.db);
		const countsBefore = await counts();
		const lines: string[] = [];
		expect(
			await deployDesignDoc(db, V2, { version: '1.1.0', log: (l) => void lines.push(l) })
		).toBe('unchanged');
		expect((await db.get('_design/app'))._rev).toBe(before);
		// No staged copy written and deleted either (sequence ids are opaque on a cluster).
		expect(await counts()).toEqual(countsBefore);
		expect(await stagedIds(db)).toEqual([]);
		expect(lines).toEqual([]);
	});

	it('converges when several servers deploy at once', async () => {
		const db = await itemsDb('race');
		expect(await deployDesignDoc(db, V1, { version: '1.0.0', log: () => {} })).toBe('updated');
		const v1Rev = (await db.get('_design/app'))._rev;
		// Four servers, each with its own connection, starting together with the new version.
		const outcomes: DeployOutcome[] = await Promise.all(
			[0, 1, 2, 3].map(() =>
				deployDesignDoc(nano(db.config.url).use(db.config.db), V2, {
					version: '1.1.0',
					log: () => {}
				})
			)
		);
		// One writer wins the 409 race; on a cluster several may be accepted by different shard
		// copies, but the same content on the same revision is the same revision id: one revision.
		expect(outcomes.filter((o) => o === 'updated').length).toBeGreaterThanOrEqual(1);
		expect(outcomes.every((o) => o === 'updated' || o === 'unchanged')).toBe(true);
		const live = (await db.get('_design/app', { conflicts: true })) as Record<string, unknown>;
		expect(live.views).toEqual(V2.views);
		expect(live._conflicts).toBeUndefined();
		expect(revGen(live._rev as string)).toBe(revGen(v1Rev) + 1);
		expect(await stagedIds(db)).toEqual([]);
		expect(await indexedRows(db, 'by_n')).toBe(N);
		// An old and a new server racing: the newer version stays.
		const mixed = await Promise.all([
			deployDesignDoc(nano(db.config.url).use(db.config.db), V1, {
				version: '1.0.0',
				log: () => {}
			}),
			deployDesignDoc(db, V2, { version: '1.1.0', log: () => {} })
		]);
		expect(mixed).toEqual(['kept', 'unchanged']);
		expect(((await db.get('_design/app')) as Record<string, unknown>).views).toEqual(V2.views);
	});

	it('does not let an older server put its documents back (rolling upgrade)', async () => {
		const db = await itemsDb('downgrade');
		const log = () => {};
		expect(await deployDesignDoc(db, V2, { version: '1.1.0', log })).toBe('updated');
		expect(await deployDesignDoc(db, V1, { version: '1.0.9', log })).toBe('kept');
		expect(((await db.get('_design/app')) as Record<string, unknown>).views).toEqual(V2.views);
		expect(await stagedIds(db)).toEqual([]);
		// The same version with other content (development) and a newer one do replace it.
		expect(await deployDesignDoc(db, V1, { version: '1.1.0', log })).toBe('updated');
		expect(await deployDesignDoc(db, V2, { version: '1.10.0', log })).toBe('updated');
		expect(stagedIdOf(V2)).toMatch(/^_design\/app-staged-[0-9a-f]{12}$/);
	});

	it('changes only the validation in place: same views, no index to build', async () => {
		const db = await itemsDb('vdu');
		const log = () => {};
		expect(await deployDesignDoc(db, V1, { version: '1.0.0', log })).toBe('updated');
		let staged = false;
		const outcome = await deployDesignDoc(
			db,
			{ ...V1, validate_doc_update: V2.validate_doc_update },
			{ version: '1.0.0', log, beforeSwap: async () => void (staged = true) }
		);
		expect(outcome).toBe('updated');
		expect(staged).toBe(false);
		expect(await eventually403(db, 'refused-by-v2')).toBe(403);
		expect(await indexedRows(db, 'by_n')).toBe(N);
	});
});
