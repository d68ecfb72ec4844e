// A restart loads the access model from its checkpoint (issue #12, "Start-up at scale"): the
// model then equals one derived from a full scan, what changed while the server was down is
// in it, and a checkpoint that cannot be trusted is ignored (a full scan instead).
import { mkdtempSync, rmSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nano from 'nano';
import PouchDB from 'pouchdb-core';
import MemoryAdapter from 'pouchdb-adapter-memory';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { newId } from '#lib/domain/ids.ts';
import { numberEventId } from '#lib/domain/numbering.ts';
import { startServer, type RunningServer } from '../../server/start.ts';
import { CHUNK_ATTACHMENT, CHUNK_PREFIX, HEADER_ID } from '../../server/sync/checkpoint.ts';
import { Indexer } from '../../server/sync/indexer.ts';
import { dumpModel } from '../support/model-dump.ts';

type Raw = Record<string, unknown>;

const realCouch = process.env.TEST_COUCHDB_URL;
const dbName = realCouch
	? `terrain_test_cp_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`
	: 'terrain';
const dataDir = mkdtempSync(join(tmpdir(), 'terrain-cp-'));
const env = {
	PORT: '0',
	HOST: '127.0.0.1',
	DATA_DIR: dataDir,
	TERRAIN_MEMORY_DB: realCouch ? '0' : '1',
	...(realCouch ? { COUCHDB_URL: realCouch, COUCHDB_DB: dbName } : {}),
	DEMO: '1'
};

/** The stored databases, reached without the server (which may be stopped). */
interface Store {
	get(id: string): Promise<Raw>;
	put(doc: Raw): Promise<string>;
	list(prefix: string): Promise<Raw[]>;
	/** The text of a document's attachment. */
	attachment(id: string, name: string): Promise<string>;
}

/** An inline attachment, as a chunk stores its JSON. */
const inline = (text: string) => ({
	content_type: 'application/octet-stream',
	data: Buffer.from(text).toString('base64')
});

function storeOf(name: string): Store {
	if (realCouch) {
		const db = nano(realCouch).use<Raw>(name);
		return {
			get: async (id) => (await db.get(id)) as Raw,
			put: async (doc) => (await db.insert(doc)).rev,
			list: async (prefix) =>
				(
					await db.list({ startkey: prefix, endkey: `${prefix}\ufff0`, include_docs: true })
				).rows.map((r) => r.doc as Raw),
			attachment: async (id, name) => (await db.attachment.get(id, name)).toString('utf8')
		};
	}
	const adapters = (PouchDB as unknown as { adapters: Record<string, unknown> }).adapters;
	if (!adapters.memory) PouchDB.plugin(MemoryAdapter);
	const db = new PouchDB<Raw>(name, { adapter: 'memory' });
	return {
		get: async (id) => (await db.get(id)) as Raw,
		put: async (doc) => (await db.put(doc as never)).rev,
		list: async (prefix) =>
			(
				await db.allDocs({ startkey: prefix, endkey: `${prefix}\ufff0`, include_docs: true })
			).rows.map((r) => r.doc as Raw),
		attachment: async (id, name) => ((await db.getAttachment(id, name)) as Buffer).toString('utf8')
	};
}

const main = storeOf(dbName);
const priv = storeOf(`${dbName}_private`);

/** The model a fresh full scan derives from the database as it is now. */
async function scanned(server: RunningServer) {
	const indexer = new Indexer(server.sync.http);
	await indexer.build();
	return dumpModel(indexer.model);
}

/**
 * The running model equals a fresh scan. The server keeps writing meanwhile (the notifier records
 * each notice in the ticket's timeline, the jobs their facts), so a scan may see a write the
 * follower has not applied yet: compare again once it has, a few times, then for good.
 */
async function expectModelEqualsScan(server: RunningServer, what?: string): Promise<void> {
	for (let i = 0; i < 10; i++) {
		const scan = await scanned(server);
		await server.settled();
		if (isDeepStrictEqual(dumpModel(server.sync.model), scan)) return;
		await new Promise((r) => setTimeout(r, 500));
	}
	const scan = await scanned(server);
	await server.settled();
	expect(dumpModel(server.sync.model), what).toEqual(scan);
}

async function started(): Promise<RunningServer> {
	const server = await startServer(env);
	await server.settled();
	return server;
}

afterAll(async () => {
	if (realCouch) {
		const couch = nano(realCouch);
		await couch.db.destroy(dbName).catch(() => undefined);
		await couch.db.destroy(`${dbName}_private`).catch(() => undefined);
	}
	rmSync(dataDir, { recursive: true, force: true });
});

describe('the access model after a restart (checkpoint)', () => {
	it('loads the checkpoint, applies what changed since, and equals a full scan', async () => {
		const first = await started();
		try {
			expect(first.demoLoaded).toBe(true);
			expect(first.sync.follower.startedFrom).toBe('scan');
			expect(await first.checkpoint()).toBe(true);
			// After the checkpoint, with the server running: a mission moves to another technician.
			const missions = (await main.list('mission:')).filter((m) => m.status === 'planned');
			const moved = missions[0]!;
			const other = missions.find((m) => m.technicianId !== moved.technicianId)!;
			await main.put({ ...moved, technicianId: other.technicianId });
			await first.settled();
			// Written straight to the database, not through the server: on a cluster the copy the
			// server's feed reads may take a moment to have it (couch-kind.ts).
			await expect
				.poll(() => first.sync.model.get(String(moved._id))?.rev, { timeout: 15_000 })
				.not.toBe(moved._rev);
		} finally {
			await first.stop();
		}

		// While the server is down: a mission is cancelled, a ticket opened without a number.
		const missions = (await main.list('mission:')).filter((m) => m.status === 'planned');
		const cancelled = missions.at(-1)!;
		const missionRev = await main.put({ ...cancelled, status: 'cancelled' });
		const ticket = (await main.list('ticket:'))[0]!;
		const ticketId = newId('ticket', new Date().toISOString());
		const { _rev, number, ...rest } = ticket;
		void _rev;
		void number;
		await main.put({ ...rest, _id: ticketId });

		const second = await started();
		try {
			expect(second.sync.follower.startedFrom).toBe('checkpoint');
			expect(second.sync.model.get(String(cancelled._id))?.rev).toBe(missionRev);
			expect(second.sync.model.get(ticketId)).toBeDefined();
			await expectModelEqualsScan(second);
			// The phases of the restart, as logged: the chunks the header names, the two changes.
			const report = second.sync.startup.report;
			await vi.waitFor(() => expect(report.readyMs).not.toBeNull());
			expect(report.from).toBe('checkpoint');
			expect(report.chunks).toBe(((await priv.get(HEADER_ID)).chunks as unknown[]).length);
			expect(report.chunkChars).toBeGreaterThan(1000);
			expect(report.catchUpChanges).toBeGreaterThanOrEqual(2);
			// The ticket opened while down got its number after the restart.
			expect((await main.get(numberEventId(ticketId))).kind).toBe('ticket_numbered');
		} finally {
			await second.stop();
		}
	}, 180_000);

	it('writes a checkpoint when it stops: the next start has nothing to catch up', async () => {
		const first = await started();
		let before: unknown;
		try {
			expect(await first.checkpoint()).toBe(true);
			before = (await priv.get(HEADER_ID)).gen;
			const [mission] = (await main.list('mission:')).filter((m) => m.status === 'planned');
			await main.put({ ...mission, instructions: 'Changé juste avant l’arrêt' });
			await first.settled();
		} finally {
			await first.stop();
		}
		const header = await priv.get(HEADER_ID);
		expect(header.gen).not.toBe(before);
		// Each chunk is a small document with its JSON as an attachment: the private database's
		// views map a stub, not the checkpoint.
		const chunks = (await priv.list(CHUNK_PREFIX)).filter((c) => c.gen === header.gen);
		expect(chunks).toHaveLength((header.chunks as unknown[]).length);
		for (const chunk of chunks) {
			expect(chunk.data).toBeUndefined();
			expect(JSON.stringify(chunk).length).toBeLessThan(1000);
			expect(
				(chunk._attachments as Record<string, { stub?: boolean }>)[CHUNK_ATTACHMENT]?.stub
			).toBe(true);
		}
		const second = await started();
		try {
			expect(second.sync.follower.startedFrom).toBe('checkpoint');
			await vi.waitFor(() => expect(second.sync.startup.report.readyMs).not.toBeNull());
			expect(second.sync.startup.report.catchUpChanges).toBe(0);
			await expectModelEqualsScan(second);
		} finally {
			await second.stop();
		}
	});

	it('ignores a checkpoint that is corrupt, old, foreign or incomplete (full scan)', async () => {
		const corruptions: Array<[string, () => Promise<void>]> = [
			[
				'a chunk altered',
				async () => {
					const [chunk] = await priv.list(CHUNK_PREFIX);
					const data = await priv.attachment(String(chunk!._id), CHUNK_ATTACHMENT);
					expect(data).toContain('role:admin');
					await priv.put({
						...chunk,
						_attachments: { [CHUNK_ATTACHMENT]: inline(data.replace('role:admin', 'role:admim')) }
					});
				}
			],
			[
				'an older format',
				async () => priv.put({ ...(await priv.get(HEADER_ID)), format: 0 }).then()
			],
			[
				'another database',
				async () => priv.put({ ...(await priv.get(HEADER_ID)), mark: 'elsewhere' }).then()
			],
			[
				'other access rules',
				async () => priv.put({ ...(await priv.get(HEADER_ID)), rules: 'older code' }).then()
			],
			[
				'a chunk missing',
				async () => {
					const [chunk] = await priv.list(CHUNK_PREFIX);
					await priv.put({ ...chunk, _deleted: true });
				}
			],
			[
				'not a header',
				async () => {
					const { _rev } = await priv.get(HEADER_ID);
					await priv.put({ _id: HEADER_ID, _rev, type: 'something', chunks: 'many' });
				}
			]
		];
		for (const [what, corrupt] of corruptions) {
			const before = await started();
			try {
				expect(await before.checkpoint(), what).toBe(true);
				await corrupt();
			} finally {
				await before.stop();
			}
			const after = await started();
			try {
				expect(after.sync.follower.startedFrom, what).toBe('scan');
				await expectModelEqualsScan(after, what);
			} finally {
				await after.stop();
			}
		}
	});

	it("starts from the checkpoint while another instance's write is unfinished", async () => {
		const server = await started();
		try {
			expect(await server.checkpoint()).toBe(true);
			// A writer that stopped after some chunks of a new generation (no header switch).
			const [chunk] = await priv.list(CHUNK_PREFIX);
			const { _id, _rev, _attachments, ...body } = chunk!;
			void _rev;
			void _attachments;
			const data = await priv.attachment(String(_id), CHUNK_ATTACHMENT);
			const gen = `${Date.now().toString(36).padStart(10, '0')}-crashed`;
			await priv.put({
				...body,
				_id: String(_id).replace(String(body.gen), gen),
				gen,
				_attachments: { [CHUNK_ATTACHMENT]: inline(data) }
			});
		} finally {
			await server.stop();
		}
		const next = await started();
		try {
			expect(next.sync.follower.startedFrom).toBe('checkpoint');
			await expectModelEqualsScan(next);
			// Its own checkpoint replaces the header's generation (deleted); the unfinished one is
			// left to its writer until it is old.
			const replaced = (await priv.get(HEADER_ID)).gen;
			expect(await next.checkpoint()).toBe(true);
			const current = (await priv.get(HEADER_ID)).gen;
			const gens = new Set((await priv.list(CHUNK_PREFIX)).map((c) => c.gen));
			expect(current).not.toBe(replaced);
			expect(gens.has(current)).toBe(true);
			expect(gens.has(replaced)).toBe(false);
			expect([...gens].some((g) => String(g).endsWith('-crashed'))).toBe(true);
		} finally {
			await next.stop();
		}
	});
});
