import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import nano, { type DocumentScope } from 'nano';
import { loadDesignDocs, type DesignDoc } from '../../couch-design/build.ts';
import { messageOf, statusOf } from '../errors.ts';

type Db = DocumentScope<Record<string, unknown>>;

/** What deploying one design document did. */
export type DeployOutcome =
	/** The live document already had this content: nothing written. */
	| 'unchanged'
	/** Written over the live name (its index built aside first when its views changed). */
	| 'updated'
	/** The live document was deployed by a newer Terrain: left as it is (rolling upgrade). */
	| 'kept';

export interface DeployOptions {
	/** Where progress goes (default: console.log). */
	readonly log?: (line: string) => void;
	/** How often a long index build reports its progress (default 10 s). */
	readonly progressMs?: number;
	/** The version written into the documents, compared to refuse downgrades (package.json). */
	readonly version?: string;
	/** Tests: runs once the new index is built aside, just before the swap. */
	readonly beforeSwap?: (stagedId: string) => Promise<void>;
}

/**
 * Deploys each design document (see `deployDesignDoc`).
 * @returns the ids of the documents written.
 */
export async function deployDesignDocs(
	db: Db,
	docs?: readonly DesignDoc[],
	options: DeployOptions = {}
): Promise<string[]> {
	const changed: string[] = [];
	for (const doc of docs ?? (await loadDesignDocs())) {
		if ((await deployDesignDoc(db, doc, options)) === 'updated') changed.push(doc._id);
	}
	return changed;
}

/** Field of a deployed design document naming the Terrain version that wrote it. */
export const VERSION_FIELD = 'terrain_version';

const ATTEMPTS = 8;

/**
 * Puts a design document when it is missing or differs, without downtime:
 *
 * - same content as the live one: nothing is written (no new revision);
 * - live one written by a newer Terrain (`terrain_version`): kept, so an old instance restarting
 *   during a rolling upgrade does not put its documents back;
 * - same views (index signature), other content (validation): written over the live one at once;
 * - new or changed views: first written as `_design/<name>-staged-<hash of the views>` with the
 *   views only (no `validate_doc_update`, which CouchDB would apply at once to every write), its
 *   views queried until the index is built (progress logged from `_active_tasks`), then the full
 *   document is put over the live name. CouchDB (and PouchDB) key a view index by its map and
 *   reduce functions, not by the design document's name, so the live views answer from the index
 *   built aside at once. The staged document is then deleted.
 *
 * Several servers may start at once: the staged id is the same for the same views, so they share
 * one index build; every write is on the revision read, and a 409 re-reads and starts again, so
 * when the first writer has swapped the others find the content in place and write nothing.
 */
export async function deployDesignDoc(
	db: Db,
	compiled: DesignDoc,
	options: DeployOptions = {}
): Promise<DeployOutcome> {
	const log = options.log ?? ((line: string) => console.log(line));
	const version = options.version ?? packageVersion();
	const wanted: Stored = { ...compiled, [VERSION_FIELD]: version };
	delete wanted._rev;
	const stagedId = stagedIdOf(wanted);
	for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
		const live = await withoutConflicts(db, wanted._id);
		// After a lost race, our staged copy may be left: the winner may have deleted it already.
		const settle = async (outcome: DeployOutcome) => {
			if (attempt > 0) await removeStaged(db, stagedId);
			return outcome;
		};
		if (live && sameContent(live, wanted)) return settle('unchanged');
		const liveVersion = live?.[VERSION_FIELD];
		if (typeof liveVersion === 'string' && compareVersions(liveVersion, version) > 0) {
			log(
				`design document ${wanted._id}: deployed by Terrain ${liveVersion}, newer than ${version}; kept`
			);
			return settle('kept');
		}
		if (live && indexKey(live) === indexKey(wanted)) {
			if (await putOver(db, wanted, live._rev)) return settle('updated');
			continue;
		}
		const staged = await stage(db, wanted, stagedId);
		if (!staged) continue;
		if (!(await buildIndex(db, wanted, stagedId, log, options.progressMs ?? 10_000))) continue;
		await options.beforeSwap?.(stagedId);
		const current = await getOrNull(db, wanted._id);
		if (current && sameContent(current, wanted)) {
			await removeStaged(db, stagedId);
			return 'unchanged';
		}
		if (current?._rev !== live?._rev) continue;
		if (!(await putOver(db, wanted, live?._rev))) continue;
		await removeStaged(db, stagedId);
		if (live) log(`design document ${wanted._id}: new views in place, index built beforehand`);
		return 'updated';
	}
	throw new Error(
		`design document ${wanted._id}: still changing under us after ${ATTEMPTS} attempts`
	);
}

/** The id of the staged copy: the same for the same views, so concurrent deploys share it. */
export function stagedIdOf(doc: DesignDoc): string {
	const hash = createHash('sha256').update(indexKey(doc)).digest('hex').slice(0, 12);
	return `${doc._id}-staged-${hash}`;
}

/** What CouchDB's view signature depends on: language, views (maps, reduces) and options. */
function indexKey(doc: DesignDoc): string {
	const { language, views, options } = doc as DesignDoc & { options?: unknown };
	return stable({ language: language ?? 'javascript', views: views ?? {}, options: options ?? {} });
}

/**
 * Writes the staged copy (views only), or finds it written by another server.
 * @returns false when another server deleted it meanwhile (start again).
 */
async function stage(db: Db, doc: DesignDoc, stagedId: string): Promise<boolean> {
	const body = {
		_id: stagedId,
		language: doc.language,
		views: doc.views,
		...('options' in doc ? { options: (doc as { options?: unknown }).options } : {})
	};
	const current = await getOrNull(db, stagedId);
	if (current && indexKey(current) === indexKey(doc)) return true;
	try {
		await db.insert({ ...body, ...(current?._rev ? { _rev: current._rev } : {}) });
		return true;
	} catch (error) {
		if (statusOf(error) === 409) return (await getOrNull(db, stagedId)) !== null;
		throw error;
	}
}

/**
 * Queries every view of the staged copy until it answers (the index is built), logging the
 * progress of a long build from `_active_tasks`. On a CouchDB cluster, then makes sure every copy
 * of every shard range is built too (see `everyCopyBuilt`).
 * @returns false when the staged copy vanished meanwhile (another server swapped and deleted it).
 */
async function buildIndex(
	db: Db,
	doc: DesignDoc,
	stagedId: string,
	log: (line: string) => void,
	progressMs: number
): Promise<boolean> {
	const name = stagedId.slice('_design/'.length);
	const views = Object.entries(doc.views ?? {});
	if (views.length === 0) return true;
	const server = nano({ url: db.config.url });
	const started = Date.now();
	let reported = false;
	const timer = setInterval(() => {
		void progressOf(server, db.config.db, stagedId).then((progress) => {
			reported = true;
			const seconds = Math.round((Date.now() - started) / 1000);
			log(
				`design document ${doc._id}: building the new index aside (${stagedId})` +
					(progress ? `: ${progress}` : '') +
					`, ${seconds} s`
			);
		});
	}, progressMs);
	timer.unref();
	try {
		for (const [view, def] of views) {
			const params = { limit: 0, ...(def.reduce ? { reduce: false } : {}) };
			if (!(await queryUntilAnswered(db, name, view, params, doc._id, log))) return false;
		}
		if (await isCluster(server)) {
			const built = await everyCopyBuilt(db, server, name, views, doc._id, stagedId, log);
			if (!built) return false;
		}
	} finally {
		clearInterval(timer);
	}
	if (reported) {
		const seconds = Math.round((Date.now() - started) / 1000);
		log(`design document ${doc._id}: new index built in ${seconds} s`);
	}
	return true;
}

/**
 * One view query, asked again while it ends in a server error or a timeout (a build longer than
 * the HTTP timeouts goes on meanwhile).
 * @returns false when the design document is not there (404).
 */
async function queryUntilAnswered(
	db: Db,
	name: string,
	view: string,
	params: Record<string, unknown>,
	docId: string,
	log: (line: string) => void
): Promise<boolean> {
	for (let failures = 0; ;) {
		try {
			await db.view(name, view, params);
			return true;
		} catch (error) {
			const status = statusOf(error);
			if (status === 404) return false;
			if (status !== undefined && status < 500) throw error;
			if (++failures > 20) throw error;
			log(`design document ${docId}: index query ended (${messageOf(error)}); asking again`);
			await new Promise((r) => setTimeout(r, Math.min(1000 * failures, 10_000)));
		}
	}
}

/** CouchDB 2+ with more than one node (`/_membership`); false for the embedded server. */
async function isCluster(server: ReturnType<typeof nano>): Promise<boolean> {
	try {
		const body = (await server.request({ path: '_membership' })) as { cluster_nodes?: unknown };
		return Array.isArray(body.cluster_nodes) && body.cluster_nodes.length > 1;
	} catch {
		return false;
	}
}

/** Updates left to index that count as built: the writes that go on meanwhile. */
const PENDING_OK = 100;

/** How long copies may build without progress before the swap goes ahead without them. */
const STALLED_MS = 30_000;

/**
 * A CouchDB cluster answers a view query from the first copy of each shard range that is up to
 * date, while the copies on the other nodes go on building. Queries that read without updating
 * (`stable`/`update=false`, `stale=ok`) read fixed copies (the "preferred" ones), and a node may
 * die right after the swap: every copy should be built before the live name points at the index.
 *
 * - `update=lazy` with `stable=true` makes CouchDB send an update request to every copy the
 *   query does not read (so a copy that a killed request worker left alone builds too);
 * - `stable=true` with `update=true` waits until the preferred copies are built;
 * - then `_active_tasks` (all nodes) is polled until no copy is still indexing this design
 *   document beyond `PENDING_OK` updates. A build that makes no progress for `STALLED_MS` (a
 *   node down or overloaded) is logged and left to finish after the swap: the live view answers
 *   from the copies that are built.
 * @returns false when the staged copy vanished meanwhile.
 */
async function everyCopyBuilt(
	db: Db,
	server: ReturnType<typeof nano>,
	name: string,
	views: [string, { reduce?: unknown }][],
	docId: string,
	stagedId: string,
	log: (line: string) => void
): Promise<boolean> {
	for (const [view, def] of views) {
		const params = { limit: 0, stable: true, ...(def.reduce ? { reduce: false } : {}) };
		if (!(await queryUntilAnswered(db, name, view, { ...params, update: 'lazy' }, docId, log)))
			return false;
		if (!(await queryUntilAnswered(db, name, view, { ...params, update: true }, docId, log)))
			return false;
	}
	const started = Date.now();
	let quiet = 0;
	let progress = -1;
	let progressAt = Date.now();
	for (;;) {
		const tasks = await indexerTasks(server, db.config.db, stagedId);
		if (tasks === null) return true;
		const building = tasks.filter(
			(t) => (t.total_changes ?? 0) - (t.changes_done ?? 0) > PENDING_OK
		);
		// Twice idle in a row: a copy whose update was just asked for may not be listed yet.
		if (building.length === 0 && ++quiet >= 2) return true;
		if (building.length > 0) quiet = 0;
		const done = tasks.reduce((sum, t) => sum + (t.changes_done ?? 0), 0);
		if (done !== progress) {
			progress = done;
			progressAt = Date.now();
		} else if (building.length > 0 && Date.now() - progressAt > STALLED_MS) {
			const where = [...new Set(building.map((t) => t.node ?? '?'))].join(', ');
			log(
				`design document ${docId}: ${building.length} copies of the new index (on ${where}) ` +
					`made no progress for ${Math.round(STALLED_MS / 1000)} s, after ` +
					`${Math.round((Date.now() - started) / 1000)} s of waiting; swapping anyway ` +
					`(they answer once built, the built copies answer meanwhile)`
			);
			return true;
		}
		if ((await getOrNull(db, stagedId)) === null) return false;
		await new Promise((r) => setTimeout(r, 500));
	}
}

interface IndexerTask {
	readonly type?: string;
	readonly node?: string;
	readonly database?: string;
	readonly design_document?: string;
	readonly changes_done?: number;
	readonly total_changes?: number;
}

/**
 * The index builds of this design document running now, on every node (`_active_tasks`); on
 * CouchDB `database` names a shard: shards/<range>/<db>.<suffix>.
 * @returns null when the server does not list tasks.
 */
async function indexerTasks(
	server: ReturnType<typeof nano>,
	dbName: string,
	ddocId: string
): Promise<IndexerTask[] | null> {
	try {
		const tasks = (await server.request({ path: '_active_tasks' })) as unknown;
		if (!Array.isArray(tasks)) return null;
		return (tasks as IndexerTask[]).filter(
			(t) =>
				t.type === 'indexer' &&
				t.design_document === ddocId &&
				typeof t.database === 'string' &&
				(t.database === dbName || new RegExp(`/${escape(dbName)}\\.\\d+$`).test(t.database))
		);
	} catch {
		return null;
	}
}

/** "43% (6,464 of 15,001 changes)" summed over the shards being indexed, or null. */
async function progressOf(
	server: ReturnType<typeof nano>,
	dbName: string,
	ddocId: string
): Promise<string | null> {
	const ours = await indexerTasks(server, dbName, ddocId);
	if (!ours || ours.length === 0) return null;
	const done = ours.reduce((sum, t) => sum + (t.changes_done ?? 0), 0);
	const total = ours.reduce((sum, t) => sum + (t.total_changes ?? 0), 0);
	if (total === 0) return null;
	return `${Math.floor((100 * done) / total)}% (${done.toLocaleString('en')} of ${total.toLocaleString('en')} changes)`;
}

function escape(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** @returns false on a conflict (someone else wrote it first). */
async function putOver(db: Db, doc: DesignDoc, rev: string | undefined): Promise<boolean> {
	try {
		await db.insert({ ...doc, ...(rev ? { _rev: rev } : {}) } as Record<string, unknown>);
		return true;
	} catch (error) {
		if (statusOf(error) === 409) return false;
		throw error;
	}
}

/**
 * The live document, its conflicts deleted first. On a cluster two writers on the same revision
 * may both be accepted (by different copies): the same content gives the same revision id, but
 * two versions racing leave a conflict, whose arbitrary winner the version check of the next
 * attempt then corrects.
 */
async function withoutConflicts(db: Db, id: string): Promise<Stored | null> {
	let doc: (Stored & { _conflicts?: string[] }) | null;
	try {
		doc = (await db.get(id, { conflicts: true })) as unknown as Stored & { _conflicts?: string[] };
	} catch (error) {
		if (statusOf(error) === 404) return null;
		throw error;
	}
	const conflicts = doc._conflicts ?? [];
	if (conflicts.length === 0) return doc;
	for (const rev of conflicts) {
		try {
			await db.destroy(id, rev);
		} catch (error) {
			const status = statusOf(error);
			if (status !== 404 && status !== 409) throw error;
		}
	}
	return getOrNull(db, id);
}

/** Deletes the staged copy; another server may have deleted (or re-created) it: fine. */
async function removeStaged(db: Db, stagedId: string): Promise<void> {
	const staged = await getOrNull(db, stagedId);
	if (!staged?._rev) return;
	try {
		await db.destroy(stagedId, staged._rev);
	} catch (error) {
		const status = statusOf(error);
		if (status !== 404 && status !== 409) throw error;
	}
}

type Stored = DesignDoc & Record<string, unknown>;

async function getOrNull(db: Db, id: string): Promise<Stored | null> {
	try {
		return (await db.get(id)) as unknown as Stored;
	} catch (error) {
		if (statusOf(error) === 404) return null;
		throw error;
	}
}

let version: string | null = null;

function packageVersion(): string {
	version ??= (
		JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as {
			version: string;
		}
	).version;
	return version;
}

/** Compares dotted version numbers (1.10.0 > 1.9.2); a pre-release suffix is ignored. */
export function compareVersions(a: string, b: string): number {
	const parts = (v: string) =>
		v
			.split(/[-+]/)[0]!
			.split('.')
			.map((n) => Number(n) || 0);
	const [x, y] = [parts(a), parts(b)];
	for (let i = 0; i < Math.max(x.length, y.length); i++) {
		const d = (x[i] ?? 0) - (y[i] ?? 0);
		if (d !== 0) return Math.sign(d);
	}
	return 0;
}

/** CouchDB may hand keys back in another order: compare with sorted keys, without `_rev`. */
function sameContent(a: DesignDoc, b: DesignDoc): boolean {
	const strip = ({ _rev, ...rest }: DesignDoc) => (void _rev, rest);
	return stable(strip(a)) === stable(strip(b));
}

function stable(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
	if (value && typeof value === 'object') {
		const entries = Object.entries(value as Record<string, unknown>).sort(([x], [y]) =>
			x < y ? -1 : 1
		);
		return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stable(v)}`).join(',')}}`;
	}
	return JSON.stringify(value);
}
