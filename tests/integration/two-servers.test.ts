// Two Terrain servers on one database, as two instances behind a load balancer: each
// COUCHDB_URL names a different node when TEST_COUCHDB_CLUSTER lists a cluster's nodes
// (comma-separated URLs), else both use TEST_COUCHDB_URL, else one embedded database.
// Devices sync through either; sessions and sign-in throttling are shared; each ticket gets
// one number and no number is given twice; each push and each mail goes out once; both access
// models converge on the same manifest for every user. With TEST_COUCHDB_CLUSTER_DIR (the
// BASE_DIR given to ../shared/couchdb/start-cluster.sh) the third node, which neither server
// names, is stopped half-way through the tickets and started again half-way through the
// assignments: the same must hold.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nano from 'nano';
import webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedCouch, type EmbeddedCouch } from '../../server/couch/embedded.ts';
import { FREE_FAILURES } from '../../server/auth/throttle.ts';
import { saveSubscription } from '../../server/notify/subscriptions.ts';
import { startServer, type RunningServer } from '../../server/start.ts';
import { numberEventId } from '../../src/lib/domain/numbering.ts';
import {
	aClient,
	aConfig,
	aMission,
	aTicket,
	people
} from '../../src/lib/domain/testing/factories.ts';
import { CLUSTER_DIR, clusterNode } from '../support/cluster-node.ts';
import { addAccounts, nextRevision, putAll, Session, type Json } from '../support/sync-device.ts';
import { Client } from '../support/test-server.ts';
import { TestPushService, TestSmtp, testId } from './notify-support.ts';

const LOCAL_PUSH = { PUSH_HOSTS: '127.0.0.1', PUSH_ALLOW_LOOPBACK: '1' };
Object.assign(process.env, LOCAL_PUSH);

const dina = people.dispatcher();
const theo = people.technician('theo');
const DB = `terrain_two_${Date.now().toString(36)}`;
const TICKETS_EACH = 25;
const MISSIONS = 30;

/** Stops or starts the cluster's node 3, when the test was given the cluster's folder. */
const node3 = (action: 'stop' | 'start') => clusterNode(action, 3);
let node3Stopped = false;

let embedded: EmbeddedCouch | null = null;
let urls: [string, string];
let a: RunningServer;
let b: RunningServer;
const push = { service: null as TestPushService | null };
const smtp = new TestSmtp();
const dirs: string[] = [];

async function instance(url: string, secrets: Record<string, string>): Promise<RunningServer> {
	const dataDir = mkdtempSync(join(tmpdir(), 'terrain-two-'));
	dirs.push(dataDir);
	return startServer({
		PORT: '0',
		HOST: '127.0.0.1',
		DATA_DIR: dataDir,
		COUCHDB_URL: url,
		COUCHDB_DB: DB,
		DEMO: '0',
		...secrets,
		...LOCAL_PUSH,
		PUSH_EXTRA_CA: push.service!.caFile,
		SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
		MAIL_FROM: 'Terrain <support@terrain.example.fr>',
		MAIL_POLL_MS: '200',
		MAIL_LEASE_MS: '5000',
		NOTIFY_SWEEP_MS: '500',
		NOTIFY_LEASE_MS: '5000'
	});
}

beforeAll(async () => {
	const cluster = process.env.TEST_COUCHDB_CLUSTER?.split(',').filter(Boolean);
	if (cluster && cluster.length >= 2) urls = [cluster[0]!, cluster[1]!];
	else if (process.env.TEST_COUCHDB_URL)
		urls = [process.env.TEST_COUCHDB_URL, process.env.TEST_COUCHDB_URL];
	else {
		const dir = mkdtempSync(join(tmpdir(), 'terrain-two-db-'));
		dirs.push(dir);
		embedded = await startEmbeddedCouch({ dataDir: dir, adminPassword: 'pw-two', memory: true });
		urls = [embedded.url.toString(), embedded.url.toString()];
	}
	push.service = await TestPushService.start();
	await smtp.start();
	// What every instance must share (README, Production): the session secret, the VAPID keys.
	const vapid = webpush.generateVAPIDKeys();
	const secrets = {
		SESSION_SECRET: 'two-servers-share-this-session-secret-0123456789',
		VAPID_PUBLIC_KEY: vapid.publicKey,
		VAPID_PRIVATE_KEY: vapid.privateKey
	};
	a = await instance(urls[0], secrets);
	b = await instance(urls[1], secrets);
	await addAccounts(a.couch, [dina, theo]);
	await putAll(a.couch, [aConfig('access'), aClient()] as unknown as Json[]);
}, 120_000);

afterAll(async () => {
	if (node3Stopped) await node3('start');
	await Promise.all([a?.stop(), b?.stop()]);
	if (!embedded && a) {
		const admin = nano(urls[0]);
		await admin.db.destroy(DB).catch(() => undefined);
		await admin.db.destroy(`${DB}_private`).catch(() => undefined);
	}
	await embedded?.stop();
	await push.service?.stop();
	await smtp.stop();
	for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function until<T>(what: string, ms: number, probe: () => Promise<T | null>): Promise<T> {
	const deadline = Date.now() + ms;
	for (;;) {
		const value = await probe();
		if (value !== null) return value;
		if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

const post = (server: RunningServer, path: string, body: unknown) =>
	fetch(server.url + path, {
		method: 'POST',
		headers: { 'content-type': 'application/json', origin: server.url },
		body: JSON.stringify(body)
	});

describe('two servers on one database', () => {
	it('a session opened on one is valid on the other, and signing out on one ends it on both', async () => {
		const session = await new Session(a.url, dina.name).signIn();
		const onB = new Client(b.url);
		onB.cookie = session.client.cookie;
		expect((await onB.request('/api/session')).status).toBe(200);
		expect((await onB.request('/api/session', { method: 'DELETE' })).status).toBeLessThan(300);
		// Each instance may trust a session it checked for up to 2 s (README, Accounts).
		await until('signed out on A', 5_000, async () =>
			(await session.client.request('/api/session')).status === 401 ? true : null
		);
	});

	it('counts wrong passwords across both: the limit is the account’s, not the instance’s', async () => {
		const statuses: number[] = [];
		for (let i = 0; i < FREE_FAILURES.account + 2; i++) {
			const res = await post(i % 2 === 0 ? a : b, '/api/session', {
				name: theo.name,
				password: 'not-the-password'
			});
			statuses.push(res.status);
		}
		expect(statuses.slice(0, FREE_FAILURES.account)).toEqual(
			Array(FREE_FAILURES.account).fill(401)
		);
		expect(statuses.slice(FREE_FAILURES.account)).toEqual([429, 429]);
	});

	it('tickets pushed through either get one number each, never the same twice, and one mail each', async () => {
		const onA = await new Session(a.url, dina.name).signIn();
		const onB = await new Session(b.url, dina.name).signIn();
		const before = smtp.received.length;
		const make = (tag: string) =>
			Array.from({ length: TICKETS_EACH }, (_, i) =>
				nextRevision(
					aTicket({
						_id: `ticket:${testId()}`,
						createdBy: dina._id,
						title: `Poste ${tag}${i} bloqué`,
						requester: { name: `Client ${tag}${i}`, email: `client.${tag}${i}@example.org` }
					}) as unknown as Json
				)
			);
		const viaA = make('a');
		const viaB = make('b');
		// Both at once, in small batches, as two desks would.
		await Promise.all(
			[
				[onA, viaA],
				[onB, viaB]
			].map(async ([session, tickets]) => {
				for (let i = 0; i < TICKETS_EACH; i += 5) {
					if (i >= TICKETS_EACH / 2 && session === onA && !node3Stopped)
						node3Stopped = await node3('stop');
					// While node 3 goes down a push may get 503 sync_busy: the app tries again.
					let res = await (session as Session).pushRaw((tickets as Json[]).slice(i, i + 5));
					for (let retry = 0; !Array.isArray(res.body) && retry < 20; retry++) {
						await new Promise((done) => setTimeout(done, 500));
						res = await (session as Session).pushRaw((tickets as Json[]).slice(i, i + 5));
					}
					expect(Array.isArray(res.body), `push answered ${res.status}`).toBe(true);
					expect((res.body as Array<{ ok?: boolean }>).every((r) => r.ok)).toBe(true);
				}
			})
		);
		// The node-down phase ran when asked for (not skipped for want of the scripts).
		if (CLUSTER_DIR) expect(node3Stopped).toBe(true);
		const ids = [...viaA, ...viaB].map((t) => String(t._id));
		const numbers = await until('every ticket numbered', 60_000, async () => {
			const rows = await a.couch.db.fetch({ keys: ids.map(numberEventId) });
			const found = rows.rows.flatMap((r) =>
				'doc' in r && r.doc ? [(r.doc as { data?: { number?: number } }).data?.number] : []
			);
			return found.length === ids.length ? found : null;
		});
		expect(new Set(numbers).size).toBe(ids.length);
		for (const id of ids) {
			const event = (await b.couch.db.get(numberEventId(id), { conflicts: true })) as Json;
			expect(event._conflicts, id).toBeUndefined();
		}
		// One acknowledgement per ticket, whichever instance claimed it.
		const mails = await smtp.waitFor(before + ids.length, 90_000);
		await new Promise((resolve) => setTimeout(resolve, 2000));
		const to = mails.slice(before).flatMap((m) => m.to);
		expect(to).toHaveLength(ids.length);
		expect(new Set(to).size).toBe(ids.length);
	}, 180_000);

	it('each assignment is pushed once, whichever node stored it', async () => {
		const service = push.service!;
		await saveSubscription(a.couch.privateDb, theo._id, service.subscription('theo'), new Date());
		const before = service.received.length;
		const ids: string[] = [];
		for (let i = 0; i < MISSIONS; i++) {
			const start = Date.now() + (24 + i) * 3_600_000;
			const mission = aMission({
				_id: `mission:${testId()}`,
				technicianId: theo._id,
				start: new Date(start).toISOString(),
				end: new Date(start + 3_600_000).toISOString()
			});
			if (i === MISSIONS / 2 && node3Stopped) {
				await node3('start');
				node3Stopped = false;
			}
			await (i % 2 === 0 ? a : b).couch.db.insert({ ...mission });
			ids.push(mission._id);
		}
		await service.waitFor(before + MISSIONS, 60_000);
		await new Promise((resolve) => setTimeout(resolve, 3000));
		const pushed = service.received.slice(before).map((p) => String(p.payload.missionId));
		expect(pushed).toHaveLength(MISSIONS);
		expect(new Set(pushed)).toEqual(new Set(ids));
	}, 120_000);

	it('both access models converge on the same manifest for every user', async () => {
		for (const user of [dina, theo]) {
			const onA = await new Session(a.url, user.name).signIn();
			const onB = await new Session(b.url, user.name).signIn();
			await until(`same manifest for ${user.name}`, 15_000, async () => {
				const [ma, mb] = await Promise.all([onA.manifest(), onB.manifest()]);
				const sort = (m: typeof ma) => [...m.docs].sort(([x], [y]) => x.localeCompare(y));
				return JSON.stringify(sort(ma)) === JSON.stringify(sort(mb)) && ma.total > 0 ? true : null;
			});
		}
	});
});
