import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nano from 'nano';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedCouch, type EmbeddedCouch } from '../../server/couch/embedded.ts';
import { saveSubscription } from '../../server/notify/subscriptions.ts';
import { startServer, type RunningServer } from '../../server/start.ts';
import { aMission, aTicket } from '../../src/lib/domain/testing/factories.ts';
import { TestPushService, testId } from './notify-support.ts';

/**
 * The test's push service is on loopback, which push endpoints may never be: allowed here by
 * the test-only switch (refused with NODE_ENV=production). In the process's environment too,
 * for the push sender, which reads it there.
 */
const LOCAL_PUSH = { PUSH_HOSTS: '127.0.0.1', PUSH_ALLOW_LOOPBACK: '1' };
Object.assign(process.env, LOCAL_PUSH);

// Several server instances follow one database's changes feed: every change is seen by
// each, and the claim in the private database lets exactly one of them push.
let couch: EmbeddedCouch;
let push: TestPushService;
const dirs: string[] = [];
const running = new Set<RunningServer>();
const DB = 'terrain_multi';

async function instance(): Promise<RunningServer> {
	const dataDir = mkdtempSync(join(tmpdir(), 'terrain-notify-'));
	dirs.push(dataDir);
	const server = await startServer({
		PORT: '0',
		HOST: '127.0.0.1',
		DATA_DIR: dataDir,
		COUCHDB_URL: couch.url.toString(),
		COUCHDB_DB: DB,
		DEMO: '0',
		PUSH_EXTRA_CA: push.caFile,
		...LOCAL_PUSH,
		NOTIFY_SWEEP_MS: '500',
		NOTIFY_LEASE_MS: '5000'
	});
	running.add(server);
	return server;
}

async function stop(server: RunningServer): Promise<void> {
	running.delete(server);
	await server.stop();
}

const db = () => nano(couch.url.toString()).use<Record<string, unknown>>(DB);

async function assign(count: number, onEach?: (i: number) => Promise<void>): Promise<string[]> {
	const ids: string[] = [];
	for (let i = 0; i < count; i++) {
		const start = Date.now() + (24 + i) * 3_600_000;
		const mission = aMission({
			_id: `mission:${testId()}`,
			technicianId: 'user:tech.paul',
			start: new Date(start).toISOString(),
			end: new Date(start + 3_600_000).toISOString()
		});
		await db().insert({ ...mission });
		ids.push(mission._id);
		await onEach?.(i);
	}
	return ids;
}

function pushedMissions(): string[] {
	return push.received.map((p) => String(p.payload.missionId));
}

async function settle(ms = 2000): Promise<void> {
	await new Promise((done) => setTimeout(done, ms));
}

beforeAll(async () => {
	push = await TestPushService.start();
	const dataDir = mkdtempSync(join(tmpdir(), 'terrain-couch-'));
	dirs.push(dataDir);
	couch = await startEmbeddedCouch({ dataDir, adminPassword: 'test-admin-password', memory: true });
});

afterAll(async () => {
	for (const server of running) await server.stop();
	await couch?.stop();
	await push?.stop();
	for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('exactly once across server instances', () => {
	it('two instances, 100 assignments: 100 pushes, none twice', async () => {
		const a = await instance();
		await instance();
		// The missions' ticket (a mission's notices wait for theirs).
		await db().insert({ ...aTicket() });
		await saveSubscription(
			a.couch.privateDb,
			'user:tech.paul',
			push.subscription('paul'),
			new Date()
		);
		const ids = await assign(100);
		await push.waitFor(100, 60_000);
		await settle();
		expect(push.received).toHaveLength(100);
		expect(new Set(pushedMissions())).toEqual(new Set(ids));
		// Both instances took part: each won some of the claims.
		const claims = await a.couch.privateDb.list({
			startkey: 'notif:mission:',
			endkey: 'notif:mission:\ufff0',
			include_docs: true
		});
		const owners = new Map<string, number>();
		for (const row of claims.rows) {
			const owner = String((row.doc as { owner?: string }).owner);
			owners.set(owner, (owners.get(owner) ?? 0) + 1);
		}
		expect(claims.rows).toHaveLength(100);
		expect(owners.size).toBe(2);
	});

	it('one instance stopped half-way: still exactly 100 more', async () => {
		const [a] = [...running];
		const before = push.received.length;
		const ids = await assign(100, async (i) => {
			if (i === 49) await stop(a!);
		});
		await push.waitFor(before + 100, 60_000);
		await settle();
		expect(push.received).toHaveLength(before + 100);
		expect(new Set(pushedMissions().slice(before))).toEqual(new Set(ids));
	});

	it('a restart resumes from the stored feed position: nothing lost, nothing repeated', async () => {
		for (const server of [...running]) await stop(server);
		const before = push.received.length;
		const whileDown = await assign(10);
		await instance();
		await push.waitFor(before + 10, 30_000);
		await settle();
		expect(push.received).toHaveLength(before + 10);
		expect(pushedMissions().slice(before).sort()).toEqual([...whileDown].sort());
	});
});
