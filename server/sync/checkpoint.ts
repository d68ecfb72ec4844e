/**
 * A checkpoint of the access model (model.ts) in the private database, so that a restart
 * loads what the last scan derived instead of reading every document again, then follows the
 * changes feed from the position the checkpoint was taken at (issue #12, "Start-up at scale").
 *
 * Layout: one small header, `sync-model`, naming a generation and the checksums of its
 * chunks, `sync-model:<generation>:<index>`, each a small document whose one attachment,
 * `data`, is a JSON text of bounded size. As attachments, the chunks stay out of the way of
 * the private database's views (a view's map sees a stub, not megabytes of JSON) and are read
 * back as raw bytes, several at a time, with no JSON around them. A writer puts every chunk of
 * a new generation first, then switches the header in one write (a conflict means another
 * instance switched it first: its checkpoint stands), then deletes the generation it replaced.
 * A reader checks everything — format, the fingerprint of the access rules' code, the database
 * it was taken from, each chunk's checksum and shape — and reads the header again when a chunk
 * vanished under it (a newer checkpoint replaced it); anything else wrong means no checkpoint:
 * a full scan.
 *
 * The positions stored are the feed's own, passed back as `since` and never compared (they
 * are opaque on a cluster). Deleting `sync-model` forces a full scan at the next start.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AclEntry, GrantRow, MissionRow } from './acl.ts';
import { CouchError, type CouchHttp } from './couch-http.ts';
import { AccessModel, type DocState, type ModelSnapshot } from './model.ts';
import type { StartupClock } from './startup.ts';
import type { TicketFact, UserLike } from '#lib/domain/access.ts';

export const HEADER_ID = 'sync-model';
export const CHUNK_PREFIX = 'sync-model:';
/** Bumped whenever the layout below changes: older checkpoints are then ignored. */
export const FORMAT = 2;
const HEADER_TYPE = 'sync-model-checkpoint';
const CHUNK_TYPE = 'sync-model-chunk';
/** Characters of JSON per chunk (one record may exceed it alone). */
export const CHUNK_CHARS = 4_000_000;
/** The attachment of a chunk document that holds its JSON text. */
export const CHUNK_ATTACHMENT = 'data';
/** In the main database, never replicated: which database a checkpoint was taken from. */
const MARK_ID = '_local/terrain-sync-model';
/** Chunks of a generation no header names, older than this, are a crashed writer's. */
const ORPHAN_MS = 60 * 60 * 1000;
/** Chunks fetched at once (the next ones are on their way while one is decoded). */
const LOAD_CONCURRENCY = 4;
const LOAD_ATTEMPTS = 3;

/** What a checkpoint holds besides the model. */
export interface CheckpointExtras {
	/** Documents with open conflicts when it was taken: to merge again. */
	readonly conflicted: readonly string[];
	/** Tickets that had no number yet (the numbering must look at them again). */
	readonly unnumbered: readonly string[];
}

export interface SavedState extends CheckpointExtras {
	readonly seq: string | number;
	readonly model: ModelSnapshot;
}

export interface LoadedState extends CheckpointExtras {
	readonly seq: string | number;
	readonly model: AccessModel;
}

interface ChunkMeta {
	readonly records: number;
	readonly sha256: string;
}

interface Header {
	_id: string;
	_rev?: string;
	type: typeof HEADER_TYPE;
	format: number;
	rules: string;
	mark: string;
	db: string;
	seq: string | number;
	gen: string;
	windowDays: number | null;
	chunks: ChunkMeta[];
	writtenAt: string;
}

/** A checkpoint that cannot be used, and why (logged; the follower scans instead). */
export class CheckpointRejected extends Error {
	override name = 'CheckpointRejected';
}

type Rec =
	| { k: 'd'; id: string; state: DocState }
	| { k: 'm'; row: MissionRow }
	| { k: 'g'; row: GrantRow }
	| { k: 't'; id: string; fact: TicketFact }
	| { k: 'u'; user: UserLike }
	| { k: 'e'; id: string; group: string }
	| { k: 'c' | 'n'; id: string };

function* recordsOf(state: SavedState): Generator<Rec> {
	const m = state.model;
	for (const row of m.missions) yield { k: 'm', row };
	for (const row of m.grants) yield { k: 'g', row };
	for (const [id, fact] of m.tickets) yield { k: 't', id, fact };
	for (const user of m.users) yield { k: 'u', user };
	for (const [id, group] of m.escalations) yield { k: 'e', id, group };
	for (const [id, docState] of m.docs) yield { k: 'd', id, state: docState };
	for (const id of state.conflicted) yield { k: 'c', id };
	for (const id of state.unnumbered) yield { k: 'n', id };
}

/**
 * One chunk being filled: its records as JSON texts, the principals they refer to and the
 * distinct reader lists (many documents share one: the events of a subject, say).
 */
class ChunkWriter {
	readonly #principals: string[] = [];
	readonly #index = new Map<string, number>();
	readonly #acls: string[] = [];
	readonly #aclIndex = new Map<string, number>();
	readonly #texts: string[] = [];
	#chars = 24;

	get records(): number {
		return this.#texts.length;
	}

	/** Adds the record unless the chunk would grow past `max` (an empty chunk takes anything). */
	tryAdd(rec: Rec, max: number): boolean {
		const fresh: string[] = [];
		const indexOf = (p: string) => {
			const known = this.#index.get(p);
			if (known !== undefined) return known;
			let k = fresh.indexOf(p);
			if (k < 0) k = fresh.push(p) - 1;
			return this.#principals.length + k;
		};
		let freshAcl: string | null = null;
		const aclOf = (entries: readonly AclEntry[]) => {
			const flat = JSON.stringify(entries.flatMap(([p, from, until]) => [indexOf(p), from, until]));
			const known = this.#aclIndex.get(flat);
			if (known !== undefined) return known;
			freshAcl = flat;
			return this.#acls.length;
		};
		const text = JSON.stringify(encodeRecord(rec, aclOf));
		const grows =
			text.length +
			1 +
			fresh.reduce((n, p) => n + JSON.stringify(p).length + 1, 0) +
			((freshAcl as string | null)?.length ?? -1) +
			1;
		if (this.#texts.length > 0 && this.#chars + grows > max) return false;
		for (const p of fresh) this.#index.set(p, this.#principals.push(p) - 1);
		if (freshAcl !== null) this.#aclIndex.set(freshAcl, this.#acls.push(freshAcl) - 1);
		this.#texts.push(text);
		this.#chars += grows;
		return true;
	}

	finish(): string {
		const p = JSON.stringify(this.#principals);
		return `{"p":${p},"a":[${this.#acls.join(',')}],"r":[${this.#texts.join(',')}]}`;
	}
}

function encodeRecord(rec: Rec, acl: (entries: readonly AclEntry[]) => number): unknown[] {
	switch (rec.k) {
		case 'd':
			return ['d', rec.id, rec.state.rev, acl(rec.state.acl.entries), rec.state.acl.sources];
		case 'm': {
			const r = rec.row;
			return ['m', r.id, r.ticketId, r.clientId, r.technicianId, r.status];
		}
		case 'g': {
			const r = rec.row;
			return ['g', r.id, r.clientId, r.technicianId, r.status, r.expiresAt ?? null];
		}
		case 't':
			return [
				't',
				rec.id,
				rec.fact.group ?? null,
				rec.fact.endedAt ?? null,
				rec.fact.holds ?? null
			];
		case 'u': {
			const u = rec.user;
			return ['u', u._id, u.roles, u.groups, u.disabled ?? null];
		}
		case 'e':
			return ['e', rec.id, rec.group];
		default:
			return [rec.k, rec.id];
	}
}

/** The chunks of a checkpoint, each a JSON text of at most about `maxChars`. */
export function* encodeChunks(
	state: SavedState,
	maxChars = CHUNK_CHARS
): Generator<{ data: string; records: number }> {
	let chunk = new ChunkWriter();
	for (const rec of recordsOf(state)) {
		if (chunk.tryAdd(rec, maxChars)) continue;
		yield { data: chunk.finish(), records: chunk.records };
		chunk = new ChunkWriter();
		chunk.tryAdd(rec, maxChars);
	}
	if (chunk.records > 0) yield { data: chunk.finish(), records: chunk.records };
}

/** What the chunks of one checkpoint add up to, as they are decoded. */
export class ChunkReader {
	readonly docs: Array<[string, DocState]> = [];
	readonly missions: MissionRow[] = [];
	readonly grants: GrantRow[] = [];
	readonly tickets: Array<[string, TicketFact]> = [];
	readonly users: UserLike[] = [];
	readonly escalations: Array<[string, string]> = [];
	readonly conflicted: string[] = [];
	readonly unnumbered: string[] = [];
	records = 0;

	/**
	 * Decodes one chunk's JSON text.
	 * @returns how many records it held.
	 * @throws {CheckpointRejected} when it is not a chunk of this format.
	 */
	add(data: string): number {
		let parsed: unknown;
		try {
			parsed = JSON.parse(data);
		} catch {
			throw new CheckpointRejected('a chunk is not JSON');
		}
		const { p, a, r } = (parsed ?? {}) as { p?: unknown; a?: unknown; r?: unknown };
		if (!Array.isArray(p) || !p.every(isString) || !Array.isArray(a) || !Array.isArray(r))
			throw new CheckpointRejected('a chunk has no principals, readers or records');
		const acls = a.map((flat) => entriesOf(flat, p as string[]));
		for (const rec of r) this.#record(rec, acls);
		this.records += r.length;
		return r.length;
	}

	/** @throws {CheckpointRejected} when a document is listed twice. */
	model(windowDays: number | undefined): AccessModel {
		const model = AccessModel.restore({
			windowDays,
			docs: this.docs,
			missions: this.missions,
			grants: this.grants,
			tickets: this.tickets,
			users: this.users,
			escalations: this.escalations
		});
		if (model.size !== this.docs.length) throw new CheckpointRejected('a document is listed twice');
		return model;
	}

	// Index access, not destructuring (which goes through the iterator: slow at this count).
	#record(rec: unknown, acls: readonly AclEntry[][]): void {
		const bad = (): never => {
			throw new CheckpointRejected(`a record is malformed: ${JSON.stringify(rec).slice(0, 120)}`);
		};
		if (!Array.isArray(rec)) return bad();
		const r = rec as unknown[];
		const id = r[1];
		if (typeof id !== 'string') return bad();
		switch (r[0]) {
			case 'd': {
				const rev = r[2];
				const k = r[3];
				const sources = r[4];
				const entries = typeof k === 'number' ? acls[k] : undefined;
				if (r.length !== 5 || typeof rev !== 'string' || entries === undefined) return bad();
				if (!Array.isArray(sources)) return bad();
				for (let i = 0; i < sources.length; i++) if (typeof sources[i] !== 'string') return bad();
				this.docs.push([id, { rev, acl: { entries, sources: sources as string[] } }]);
				return;
			}
			case 'm': {
				if (r.length !== 6 || !allStrings(r, 2, 6)) return bad();
				this.missions.push({
					id,
					ticketId: r[2] as string,
					clientId: r[3] as string,
					technicianId: r[4] as string,
					status: r[5] as MissionRow['status']
				});
				return;
			}
			case 'g': {
				const expiresAt = r[5];
				if (r.length !== 6 || !allStrings(r, 2, 5) || !optionalString(expiresAt)) return bad();
				this.grants.push({
					id,
					clientId: r[2] as string,
					technicianId: r[3] as string,
					status: r[4] as GrantRow['status'],
					expiresAt: expiresAt ?? undefined
				});
				return;
			}
			case 't': {
				const group = r[2];
				const endedAt = r[3];
				const holds = r[4];
				if (
					r.length !== 5 ||
					!optionalString(group) ||
					!optionalString(endedAt) ||
					!(holds === null || (Array.isArray(holds) && holds.every(isString)))
				)
					return bad();
				const fact: TicketFact = { group: group ?? undefined, endedAt: endedAt ?? undefined };
				if (holds !== null) fact.holds = holds as string[];
				this.tickets.push([id, fact]);
				return;
			}
			case 'u': {
				const roles = r[2];
				const groups = r[3];
				const disabled = r[4];
				if (r.length !== 5 || !Array.isArray(roles) || !allStrings(roles, 0, roles.length))
					return bad();
				if (!Array.isArray(groups) || !allStrings(groups, 0, groups.length)) return bad();
				if (disabled !== null && typeof disabled !== 'boolean') return bad();
				this.users.push({
					_id: id,
					roles: roles as UserLike['roles'],
					groups: groups as string[],
					disabled: disabled ?? undefined
				});
				return;
			}
			case 'e': {
				const group = r[2];
				if (r.length !== 3 || typeof group !== 'string') return bad();
				this.escalations.push([id, group]);
				return;
			}
			case 'c':
				if (r.length !== 2) return bad();
				this.conflicted.push(id);
				return;
			case 'n':
				if (r.length !== 2) return bad();
				this.unnumbered.push(id);
				return;
			default:
				return bad();
		}
	}
}

/** A reader list as stored: [principal index, from, until, …]. */
function entriesOf(flat: unknown, principals: readonly string[]): AclEntry[] {
	if (!Array.isArray(flat) || flat.length % 3 !== 0)
		throw new CheckpointRejected('a reader list is malformed');
	const entries: AclEntry[] = [];
	for (let i = 0; i < flat.length; i += 3) {
		const k: unknown = flat[i];
		const from: unknown = flat[i + 1];
		const until: unknown = flat[i + 2];
		const principal = Number.isInteger(k) ? principals[k as number] : undefined;
		if (principal === undefined || !isInstant(from) || !isInstant(until))
			throw new CheckpointRejected('a reader list is malformed');
		entries.push([principal, from, until]);
	}
	return entries;
}

const isString = (v: unknown): v is string => typeof v === 'string';
function allStrings(values: readonly unknown[], from: number, to: number): boolean {
	for (let i = from; i < to; i++) if (typeof values[i] !== 'string') return false;
	return true;
}
const optionalString = (v: unknown): v is string | null => v === null || typeof v === 'string';
const isInstant = (v: unknown): v is number | null =>
	v === null || (typeof v === 'number' && Number.isFinite(v));
const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

const HERE = dirname(fileURLToPath(import.meta.url));
/** The code the model is derived with: a checkpoint taken by other code is not used. */
const RULE_SOURCES = [
	join(HERE, 'acl.ts'),
	join(HERE, 'model.ts'),
	join(HERE, 'indexer.ts'),
	join(HERE, 'checkpoint.ts')
];
const DOMAIN_DIR = join(HERE, '../../src/lib/domain');
let fingerprintOnce: Promise<string | null> | null = null;

/**
 * A hash of the sources the access model is derived with (the domain's rules and schemas,
 * this directory's model code), or null when they cannot be read (checkpoints off).
 */
export function rulesFingerprint(): Promise<string | null> {
	fingerprintOnce ??= (async () => {
		try {
			const domain = (await readdir(DOMAIN_DIR, { recursive: true }))
				.filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith('testing'))
				.map((f) => join(DOMAIN_DIR, f))
				.sort();
			const hash = createHash('sha256').update(`format ${FORMAT}\n`);
			for (const file of [...RULE_SOURCES, ...domain]) {
				hash.update(`${file.slice(DOMAIN_DIR.length)}\n`);
				hash.update(await readFile(file, 'utf8'));
			}
			return hash.digest('hex');
		} catch {
			return null;
		}
	})();
	return fingerprintOnce;
}

/** Reads and writes the checkpoint of one database's access model. */
export class CheckpointStore {
	readonly #http: CouchHttp;
	readonly #dbName: string;
	readonly #maxChars: number;
	#mark: string | null = null;

	constructor(http: CouchHttp, dbName: string, options: { maxChars?: number } = {}) {
		this.#http = http;
		this.#dbName = dbName;
		this.#maxChars = options.maxChars ?? CHUNK_CHARS;
	}

	/**
	 * The checkpoint, checked and decoded, or null when there is none.
	 * @throws {CheckpointRejected} when there is one but it cannot be used.
	 */
	async load(clock?: StartupClock): Promise<LoadedState | null> {
		const rules = await timed(clock, 'headerMs', rulesFingerprint);
		if (rules === null) throw new CheckpointRejected('the access rules cannot be fingerprinted');
		for (let attempt = 1; ; attempt++) {
			const checked = await timed(clock, 'headerMs', async () => {
				const header = await this.#getOrNull(HEADER_ID);
				return header === null ? null : await this.#check(header, rules);
			});
			if (checked === null) return null;
			try {
				return await this.#read(checked, clock);
			} catch (error) {
				// Replaced while read: the newer checkpoint is as good.
				if (!(error instanceof ChunkGone) || attempt >= LOAD_ATTEMPTS) throw error;
			}
		}
	}

	/**
	 * Writes a checkpoint of `state`.
	 * @returns false when another instance's header write won (its checkpoint stands).
	 */
	async save(state: SavedState, signal?: AbortSignal): Promise<boolean> {
		const rules = await rulesFingerprint();
		if (rules === null) return false;
		const mark = await this.#dbMark();
		const gen = `${Date.now().toString(36).padStart(10, '0')}-${randomUUID()}`;
		const chunks: ChunkMeta[] = [];
		for (const { data, records } of encodeChunks(state, this.#maxChars)) {
			const bytes = Buffer.from(data, 'utf8');
			const chunk = {
				_id: chunkId(gen, chunks.length),
				type: CHUNK_TYPE,
				gen,
				index: chunks.length,
				// Not compressible for CouchDB: it stores and serves the bytes as they are.
				_attachments: {
					[CHUNK_ATTACHMENT]: {
						content_type: 'application/octet-stream',
						data: bytes.toString('base64')
					}
				}
			};
			await this.#put(chunk, signal);
			chunks.push({ records, sha256: sha256(new Uint8Array(bytes)) });
		}
		const current = await this.#getOrNull(HEADER_ID);
		const header: Header = {
			_id: HEADER_ID,
			...(typeof current?._rev === 'string' ? { _rev: current._rev } : {}),
			type: HEADER_TYPE,
			format: FORMAT,
			rules,
			mark,
			db: this.#dbName,
			seq: state.seq,
			gen,
			windowDays: state.model.windowDays ?? null,
			chunks,
			writtenAt: new Date().toISOString()
		};
		let won = true;
		try {
			await this.#put(header, signal);
		} catch (error) {
			if (!(error instanceof CouchError && error.status === 409)) throw error;
			won = false;
		}
		const replaced = typeof current?.gen === 'string' ? current.gen : null;
		await this.#collect(won ? gen : null, won ? replaced : gen, signal);
		return won;
	}

	/** Deletes the generation replaced (or lost) and orphans older than ORPHAN_MS. */
	async #collect(keep: string | null, drop: string | null, signal?: AbortSignal): Promise<void> {
		const qs = new URLSearchParams({
			startkey: JSON.stringify(CHUNK_PREFIX),
			endkey: JSON.stringify(`${CHUNK_PREFIX}\ufff0`)
		});
		const { rows } = await this.#http.json<{ rows: Array<{ id: string; value: { rev: string } }> }>(
			`${this.#http.privateDb}/_all_docs?${qs}`,
			{ signal }
		);
		const now = Date.now();
		const gone = rows.filter(({ id }) => {
			const g = genOf(id);
			if (g === keep) return false;
			return g === drop || now - genTime(g) > ORPHAN_MS;
		});
		if (gone.length === 0) return;
		await this.#http.json(`${this.#http.privateDb}/_bulk_docs`, {
			body: { docs: gone.map((r) => ({ _id: r.id, _rev: r.value.rev, _deleted: true })) },
			signal
		});
		// The embedded server keeps old revisions until compacted (CouchDB compacts by itself).
		await this.#http
			.json(`${this.#http.privateDb}/_compact`, { body: {}, signal, timeoutMs: 120_000 })
			.catch(() => undefined);
	}

	async #check(raw: Record<string, unknown>, rules: string): Promise<Header> {
		const h = raw as Partial<Header>;
		if (h.type !== HEADER_TYPE) throw new CheckpointRejected('not a checkpoint header');
		if (h.format !== FORMAT) throw new CheckpointRejected(`format ${String(h.format)}`);
		if (h.rules !== rules) throw new CheckpointRejected('taken with other access rules');
		if (h.db !== this.#dbName) throw new CheckpointRejected(`taken of ${String(h.db)}`);
		if (typeof h.gen !== 'string' || typeof h.mark !== 'string')
			throw new CheckpointRejected('no generation');
		if (typeof h.seq !== 'string' && typeof h.seq !== 'number')
			throw new CheckpointRejected('no position');
		if (h.windowDays !== null && !(Number.isInteger(h.windowDays) && h.windowDays! >= 0))
			throw new CheckpointRejected('bad access window');
		if (
			!Array.isArray(h.chunks) ||
			!h.chunks.every(
				(c: Partial<ChunkMeta>) => Number.isInteger(c?.records) && typeof c?.sha256 === 'string'
			)
		)
			throw new CheckpointRejected('bad chunk list');
		if (h.mark !== (await this.#dbMark(false)))
			throw new CheckpointRejected('taken of another database (or one since recreated)');
		if (typeof h.seq === 'number') {
			// An integer position (PouchDB) past the end of the feed: another database's.
			const info = await this.#http.json<{ update_seq: unknown }>(this.#http.db);
			if (typeof info.update_seq === 'number' && h.seq > info.update_seq)
				throw new CheckpointRejected('ahead of the database');
		}
		return h as Header;
	}

	/**
	 * Fetches the header's chunks, several at a time, and decodes them in order as they come
	 * (the next ones are on their way while one is decoded).
	 */
	async #read(header: Header, clock?: StartupClock): Promise<LoadedState> {
		const reader = new ChunkReader();
		const texts: Array<string | undefined> = [];
		let decoded = 0;
		const decodeReady = () => {
			for (; decoded < header.chunks.length; decoded++) {
				const data = texts[decoded];
				if (data === undefined) return;
				texts[decoded] = undefined;
				const index = decoded;
				const meta = header.chunks[index]!;
				timedSync(clock, 'decodeMs', () => {
					if (sha256(data) !== meta.sha256)
						throw new CheckpointRejected(`chunk ${index} does not match its checksum`);
					if (reader.add(data) !== meta.records)
						throw new CheckpointRejected(`chunk ${index} does not hold its records`);
				});
				if (clock) {
					clock.report.chunks += 1;
					clock.report.chunkChars += data.length;
				}
			}
		};
		let next = 0;
		let failed = false;
		const decodedBefore = clock?.report.decodeMs ?? 0;
		const worker = async () => {
			while (next < header.chunks.length && !failed) {
				const index = next++;
				try {
					texts[index] = await this.#chunkText(header.gen, index);
					decodeReady();
				} catch (error) {
					failed = true;
					throw error;
				}
			}
		};
		await timed(clock, 'readMs', () =>
			Promise.all(Array.from({ length: LOAD_CONCURRENCY }, worker))
		);
		// Waiting for chunks, not counting the decoding done meanwhile.
		if (clock) clock.report.readMs -= clock.report.decodeMs - decodedBefore;
		return {
			seq: header.seq,
			model: timedSync(clock, 'restoreMs', () => reader.model(header.windowDays ?? undefined)),
			conflicted: reader.conflicted,
			unnumbered: reader.unnumbered
		};
	}

	/** The JSON text of one chunk (its attachment). @throws {ChunkGone} when it is not there. */
	async #chunkText(gen: string, index: number): Promise<string> {
		try {
			return await this.#http.text(
				`${this.#http.privateDb}/${encodeURIComponent(chunkId(gen, index))}/${CHUNK_ATTACHMENT}`,
				{ timeoutMs: 120_000 }
			);
		} catch (error) {
			if (error instanceof CouchError && error.status === 404) throw new ChunkGone();
			throw error;
		}
	}

	/** A random mark kept in the main database; `create` false: "" when there is none. */
	async #dbMark(create = true): Promise<string> {
		if (this.#mark) return this.#mark;
		const path = `${this.#http.db}/${MARK_ID}`;
		for (let attempt = 0; attempt < 3; attempt++) {
			try {
				const doc = await this.#http.json<{ mark?: unknown }>(path);
				if (typeof doc.mark === 'string') return (this.#mark = doc.mark);
			} catch (error) {
				if (!(error instanceof CouchError && error.status === 404)) throw error;
			}
			if (!create) return '';
			try {
				const mark = randomUUID();
				await this.#http.json(path, { method: 'PUT', body: { mark } });
				return (this.#mark = mark);
			} catch (error) {
				// Another instance put one first: read it.
				if (!(error instanceof CouchError && error.status === 409)) throw error;
			}
		}
		throw new CheckpointRejected('the database mark cannot be written');
	}

	async #getOrNull(id: string): Promise<Record<string, unknown> | null> {
		try {
			return await this.#http.json<Record<string, unknown>>(
				`${this.#http.privateDb}/${encodeURIComponent(id)}`
			);
		} catch (error) {
			if (error instanceof CouchError && error.status === 404) return null;
			throw error;
		}
	}

	async #put(doc: { _id: string; type: string }, signal?: AbortSignal): Promise<void> {
		await this.#http.json(`${this.#http.privateDb}/${encodeURIComponent(doc._id)}`, {
			method: 'PUT',
			body: doc,
			signal,
			timeoutMs: 120_000
		});
	}
}

type Phase = Parameters<StartupClock['time']>[0];
const timed = <T>(clock: StartupClock | undefined, phase: Phase, step: () => Promise<T>) =>
	clock ? clock.time(phase, step) : step();
const timedSync = <T>(clock: StartupClock | undefined, phase: Phase, step: () => T) =>
	clock ? clock.timeSync(phase, step) : step();

class ChunkGone extends Error {
	override name = 'ChunkGone';
	constructor() {
		super('a chunk is gone (replaced while read)');
	}
}

function chunkId(gen: string, index: number): string {
	return `${CHUNK_PREFIX}${gen}:${String(index).padStart(6, '0')}`;
}

function genOf(id: string): string {
	return id.slice(CHUNK_PREFIX.length).split(':')[0] ?? '';
}

/** When a generation was started (its name begins with the time in base 36). */
function genTime(gen: string): number {
	const t = Number.parseInt(gen.split('-')[0] ?? '', 36);
	return Number.isFinite(t) ? t : 0;
}
