// Sign-in throttling and the public form's limits under an attacker's parallel requests, behind
// a proxy, and across instances (issue #11, points 6 and 10).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../server/auth/users.ts';
import { FREE_FAILURES, LoginThrottle, throttleId } from '../../server/auth/throttle.ts';
import { FORM_LIMITS, formLimitId } from '../../server/public/limits.ts';
import { startEmbeddedCouch, type EmbeddedCouch } from '../../server/couch/embedded.ts';
import { startServer, type RunningServer } from '../../server/start.ts';

const PASSWORD = 'the-right-password';

let couch: EmbeddedCouch;
/** Two instances on one database, both behind one reverse proxy (TRUST_PROXY=1). */
let a: RunningServer;
let b: RunningServer;
/** An instance reached directly (no TRUST_PROXY), on the same database. */
let direct: RunningServer;
const dirs: string[] = [];

/**
 * The servers' clock stands still: a waiting period never runs out during a test, however
 * slowly a loaded machine answers the parallel requests.
 */
const NOW = new Date();

async function instance(env: Record<string, string>): Promise<RunningServer> {
	const dataDir = mkdtempSync(join(tmpdir(), 'terrain-sec-'));
	dirs.push(dataDir);
	return startServer(
		{
			PORT: '0',
			HOST: '127.0.0.1',
			DATA_DIR: dataDir,
			COUCHDB_URL: couch.url.toString(),
			COUCHDB_DB: 'terrain_throttle',
			DEMO: '0',
			...env
		},
		{ now: () => NOW }
	);
}

beforeAll(async () => {
	const dir = mkdtempSync(join(tmpdir(), 'terrain-sec-db-'));
	dirs.push(dir);
	couch = await startEmbeddedCouch({ dataDir: dir, adminPassword: 'pw-throttle', memory: true });
	a = await instance({ TRUST_PROXY: '1' });
	b = await instance({ TRUST_PROXY: '1' });
	direct = await instance({});
	for (const name of ['target', 'other', 'mixed']) {
		await addUser(a.couch, { name, roles: ['technician'], password: PASSWORD }, new Date());
	}
});

afterAll(async () => {
	await Promise.all([a?.stop(), b?.stop(), direct?.stop()]);
	await couch?.stop();
	for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function post(
	server: RunningServer,
	path: string,
	body: unknown,
	forwardedFor?: string
): Promise<{ status: number; body: Record<string, unknown> }> {
	const res = await fetch(server.url + path, {
		method: 'POST',
		headers: {
			'content-type': 'application/json',
			...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {})
		},
		body: JSON.stringify(body)
	});
	return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const signIn = (server: RunningServer, name: string, password: string, from?: string) =>
	post(server, '/api/session', { name, password }, from);

async function failures(key: string): Promise<number> {
	try {
		return Number(
			((await a.couch.privateDb.get(throttleId(key))) as { failures?: number }).failures
		);
	} catch {
		return 0;
	}
}

const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

describe('sign-in throttling', () => {
	it('20 parallel wrong passwords for one account: at most the free ones get a 401, the rest 429, counted exactly', async () => {
		const from = '198.51.100.20';
		const answers = await Promise.all(
			Array.from({ length: 20 }, (_, i) =>
				signIn(i % 2 ? a : b, 'target', `wrong-password-${i}`, from)
			)
		);
		const statuses = answers.map((r) => r.status);
		expect(count(statuses, 401)).toBe(FREE_FAILURES.account);
		expect(count(statuses, 429)).toBe(20 - FREE_FAILURES.account);
		expect(await failures('account:target')).toBe(FREE_FAILURES.account);
		expect(await failures(`address:${from}`)).toBe(FREE_FAILURES.account);
		// And the right password now waits too.
		expect((await signIn(a, 'target', PASSWORD, from)).status).toBe(429);
	});

	it('counts every failure of parallel attempts on different accounts from one address', async () => {
		const from = '198.51.100.21';
		const answers = await Promise.all(
			Array.from({ length: 12 }, (_, i) =>
				signIn(i % 2 ? a : b, `nobody-${i}`, 'wrong-password', from)
			)
		);
		expect(answers.map((r) => r.status)).toEqual(Array(12).fill(401));
		expect(await failures(`address:${from}`)).toBe(12);
		// A right password gives its own count back and does not clear the address's failures.
		expect((await signIn(a, 'other', PASSWORD, from)).status).toBe(200);
		expect(await failures(`address:${from}`)).toBe(12);
	});

	it('behind the proxy (TRUST_PROXY=1), addresses are told apart by X-Forwarded-For', async () => {
		const attacker = '203.0.113.7';
		const statuses: number[] = [];
		for (let round = 0; round < 3; round++) {
			const batch = await Promise.all(
				Array.from({ length: 8 }, (_, i) =>
					// The client writes what it likes on the left; the proxy appends what it saw.
					signIn(a, `someone-${round}-${i}`, 'wrong-password', `10.9.9.${i}, ${attacker}`)
				)
			);
			statuses.push(...batch.map((r) => r.status));
		}
		expect(count(statuses, 401)).toBe(FREE_FAILURES.address);
		expect(count(statuses, 429)).toBe(24 - FREE_FAILURES.address);
		expect(await failures(`address:${attacker}`)).toBe(FREE_FAILURES.address);
		// Someone else behind the same proxy is not slowed down by the attacker.
		expect((await signIn(a, 'mixed', 'wrong-password', '203.0.113.8')).status).toBe(401);
		expect((await signIn(a, 'mixed', PASSWORD, '203.0.113.8')).status).toBe(200);
	});

	it('without TRUST_PROXY the header is ignored: the connection’s address counts', async () => {
		const before = await failures('address:127.0.0.1');
		await signIn(direct, 'nobody-direct', 'wrong-password', '192.0.2.55');
		expect(await failures('address:127.0.0.1')).toBe(before + 1);
		expect(await failures('address:192.0.2.55')).toBe(0);
	});
});

describe('the waiting period', () => {
	it('counts from the wrong answer, not from the attempt’s start (a slow password check)', async () => {
		const throttle = new LoginThrottle(a.couch.privateDb);
		const keys = ['account:slow-check'];
		for (let i = 0; i < FREE_FAILURES.account; i++) expect(await throttle.attempt(keys, 0)).toBe(0);
		// The last check took 3 s: answered at 3,000 ms.
		await throttle.failed(keys, 3_000);
		// 2 s after the answer, not after the attempt: still 1.5 s to wait at 3,500 ms.
		expect(await throttle.attempt(keys, 3_500)).toBe(1_500);
		// A late answer never moves the time back.
		await throttle.failed(keys, 1_000);
		expect(await throttle.attempt(keys, 4_999)).toBe(1);
		expect(await throttle.attempt(keys, 5_000)).toBe(0);
	});
});

describe('public request form', () => {
	const request = (email: string, title = 'Écran noir au 3e étage') => ({
		name: 'Jeanne Usager',
		email,
		title,
		text: 'L’écran reste noir au démarrage.'
	});
	const file = (server: RunningServer, body: unknown, from: string) =>
		post(server, '/api/public/requests', body, from);

	it('limits requests per address across instances; invalid ones do not count', async () => {
		const from = '198.51.100.77';
		for (let i = 0; i < 25; i++) {
			const bad = await file(i % 2 ? a : b, { ...request('not-an-address'), title: 'x' }, from);
			expect(bad.status).toBe(400);
		}
		const statuses: number[] = [];
		for (let i = 0; i < FORM_LIMITS.address.max; i++) {
			statuses.push((await file(i % 2 ? a : b, request(`person-${i}@example.org`), from)).status);
		}
		expect(statuses).toEqual(Array(FORM_LIMITS.address.max).fill(201));
		const refusedA = await file(a, request('late-a@example.org'), from);
		const refusedB = await file(b, request('late-b@example.org'), from);
		expect(refusedA.status).toBe(429);
		expect(refusedB.status).toBe(429);
		expect(refusedA.body.message).toMatch(/depuis cette adresse/);
		// The count is in the database, exactly the accepted requests.
		const doc = (await a.couch.privateDb.get(formLimitId('address', from))) as { count?: number };
		expect(doc.count).toBe(FORM_LIMITS.address.max);
		// Another address is unaffected.
		expect((await file(a, request('someone@example.org'), '198.51.100.78')).status).toBe(201);
	});

	it('limits acknowledgements to one e-mail address, whatever the sender’s address', async () => {
		const victim = 'victim@example.org';
		for (let i = 0; i < FORM_LIMITS.recipient.max; i++) {
			const res = await file(i % 2 ? a : b, request(victim), `192.0.2.${100 + i}`);
			expect(res.status).toBe(201);
		}
		const refused = await file(a, request('Victim@Example.org'), '192.0.2.200');
		expect(refused.status).toBe(429);
		expect(refused.body.message).toMatch(/adresse e-mail/);
		expect((await file(b, request(victim), '192.0.2.201')).status).toBe(429);
		// A refusal for the recipient does not count against the sender's address.
		const sender = (await a.couch.privateDb
			.get(formLimitId('address', '192.0.2.200'))
			.catch(() => null)) as { count?: number } | null;
		expect(sender?.count ?? 0).toBe(0);
	});

	it('keeps nothing per address in memory: a fresh instance sees the same counts', async () => {
		const fresh = await instance({ TRUST_PROXY: '1' });
		try {
			const res = await file(fresh, request('again@example.org'), '198.51.100.77');
			expect(res.status).toBe(429);
		} finally {
			await fresh.stop();
		}
	});
});
