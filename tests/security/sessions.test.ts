// Sessions as an attacker holding a copy of a cookie sees them (issue #11, point 5): a
// signed-out token is refused everywhere, malformed tokens are refused, and a session lasts
// 7 idle days with renewal, 30 days at most.
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, resetPassword } from '../../server/auth/users.ts';
import { SESSION_COOKIE, signSession } from '../../server/auth/session.ts';
import { SESSION_CACHE_MS } from '../../server/http/auth.ts';
import { startEmbeddedCouch, type EmbeddedCouch } from '../../server/couch/embedded.ts';
import { startServer, type RunningServer } from '../../server/start.ts';
import { Clock } from '../support/sync-device.ts';

const DAY = 24 * 3600_000;
const T0 = Date.parse('2026-11-25T08:00:00Z');
const PASSWORD = 'a-long-password-1';

let couch: EmbeddedCouch;
let clock: Clock;
let a: RunningServer;
let b: RunningServer;
const dirs: string[] = [];

async function instance(): Promise<RunningServer> {
	const dataDir = mkdtempSync(join(tmpdir(), 'terrain-sec-'));
	dirs.push(dataDir);
	return startServer(
		{
			PORT: '0',
			HOST: '127.0.0.1',
			DATA_DIR: dataDir,
			COUCHDB_URL: couch.url.toString(),
			COUCHDB_DB: 'terrain_sessions',
			DEMO: '0',
			SESSION_SECRET: 'one-secret-shared-by-both-instances-of-the-test'
		},
		{ now: clock.now }
	);
}

beforeAll(async () => {
	const dir = mkdtempSync(join(tmpdir(), 'terrain-sec-db-'));
	dirs.push(dir);
	couch = await startEmbeddedCouch({ dataDir: dir, adminPassword: 'pw-sessions', memory: true });
	clock = new Clock(T0);
	a = await instance();
	b = await instance();
	for (const name of ['tech.ana', 'tech.bob', 'tech.cy', 'tech.dan', 'tech.eve']) {
		await addUser(a.couch, { name, roles: ['technician'], password: PASSWORD }, clock.now());
	}
});

afterAll(async () => {
	await a?.stop();
	await b?.stop();
	await couch?.stop();
	for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A raw request with a cookie header, as a script would send it. */
async function call(server: RunningServer, path: string, token: string, method = 'GET') {
	const res = await fetch(server.url + path, {
		method,
		headers: { cookie: `${SESSION_COOKIE}=${token}` }
	});
	await res.text();
	return { status: res.status, setCookie: res.headers.get('set-cookie') };
}

async function signIn(server: RunningServer, name: string): Promise<string> {
	const res = await fetch(`${server.url}/api/session`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ name, password: PASSWORD })
	});
	expect(res.status).toBe(200);
	return tokenOf(res.headers.get('set-cookie'));
}

function tokenOf(setCookie: string | null): string {
	const match = new RegExp(`${SESSION_COOKIE}=([^;]*)`).exec(setCookie ?? '');
	if (!match?.[1]) throw new Error(`no session cookie in ${setCookie}`);
	return match[1];
}

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function sessionRecords(name: string): Promise<number> {
	const { rows } = await a.couch.privateDb.list({
		startkey: `session:${name}:`,
		endkey: `session:${name}:\ufff0`
	});
	return rows.length;
}

describe('sign-out', () => {
	it('ends the session: the old token is refused on /api/session and /api/sync/manifest', async () => {
		const token = await signIn(a, 'tech.ana');
		expect((await call(a, '/api/session', token)).status).toBe(200);
		expect((await call(a, '/api/sync/manifest', token)).status).toBe(200);
		expect(await sessionRecords('tech.ana')).toBe(1);
		expect((await call(a, '/api/session', token, 'DELETE')).status).toBe(200);
		expect(await sessionRecords('tech.ana')).toBe(0);
		// The copy kept from before sign-out:
		expect((await call(a, '/api/session', token)).status).toBe(401);
		expect((await call(a, '/api/sync/manifest', token)).status).toBe(401);
	});

	it('ends it on every instance, not only the one signed out on', async () => {
		const token = await signIn(a, 'tech.bob');
		expect((await call(b, '/api/session', token)).status).toBe(200);
		expect((await call(b, '/api/sync/manifest', token)).status).toBe(200);
		await call(a, '/api/session', token, 'DELETE');
		// Instance b may answer from its look of a moment ago for at most SESSION_CACHE_MS.
		await pause(SESSION_CACHE_MS + 200);
		expect((await call(b, '/api/session', token)).status).toBe(401);
		expect((await call(b, '/api/sync/manifest', token)).status).toBe(401);
	});

	it('signing out one device leaves the user’s other device signed in', async () => {
		const phone = await signIn(a, 'tech.cy');
		const desk = await signIn(a, 'tech.cy');
		await call(a, '/api/session', phone, 'DELETE');
		expect((await call(a, '/api/session', phone)).status).toBe(401);
		expect((await call(a, '/api/session', desk)).status).toBe(200);
	});

	it('a password reset ends every session of the user', async () => {
		const token = await signIn(a, 'tech.dan');
		expect((await call(b, '/api/session', token)).status).toBe(200);
		await resetPassword(a.couch, 'tech.dan', PASSWORD);
		expect(await sessionRecords('tech.dan')).toBe(0);
		await pause(SESSION_CACHE_MS + 200);
		expect((await call(a, '/api/session', token)).status).toBe(401);
		expect((await call(b, '/api/session', token)).status).toBe(401);
	});
});

describe('tokens are parsed strictly', () => {
	const secret = () => a.config.secrets.sessionSecret;
	const mac = (body: string) => createHmac('sha256', secret()).update(body).digest('base64url');
	const forged = (claims: unknown) => {
		const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
		return `${body}.${mac(body)}`;
	};

	it('refuses BODY.SIG.x and other shapes around a valid token', async () => {
		const token = await signIn(a, 'tech.eve');
		expect((await call(a, '/api/session', token)).status).toBe(200);
		const [body, sig] = token.split('.') as [string, string];
		for (const bad of [
			`${token}.x`,
			`${token}.`,
			`${body}.${sig}.${sig}`,
			`x.${token}`,
			`${body}..${sig}`,
			`${body}.${sig}=`,
			`${body}=.${sig}`,
			`${body} .${sig}`,
			body,
			`.${sig}`,
			`${body}.`,
			`${body}.${sig.slice(0, -1)}`,
			`${body}.${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`,
			encodeURIComponent(`${body}.${sig}\n`),
			''
		]) {
			expect((await call(a, '/api/session', bad)).status, bad).toBe(401);
			expect((await call(a, '/api/sync/manifest', bad)).status, bad).toBe(401);
		}
	});

	it('refuses correctly signed claims that are not exactly the expected fields and types', async () => {
		const token = await signIn(a, 'tech.eve');
		const claims = JSON.parse(
			Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')
		) as Record<string, unknown>;
		expect(Object.keys(claims).sort()).toEqual(['e', 'i', 's', 'u', 'v']);
		// The same claims, re-signed, are fine: what follows differs only in shape.
		expect((await call(a, '/api/session', forged(claims))).status).toBe(200);
		const { s: _s, i: _i, ...stateless } = claims;
		void _s;
		void _i;
		for (const bad of [
			{ ...claims, admin: true },
			{ ...claims, v: String(claims.v) },
			{ ...claims, v: 1.5 },
			{ ...claims, e: String(claims.e) },
			{ ...claims, e: 1e300 },
			{ ...claims, u: ['tech.eve'] },
			{ ...claims, u: 'Tech.Eve' },
			{ ...claims, s: 'short' },
			{ ...claims, s: null },
			{ ...claims, i: Number(claims.e) },
			stateless,
			[claims],
			'tech.eve',
			null
		]) {
			expect((await call(a, '/api/session', forged(bad))).status, JSON.stringify(bad)).toBe(401);
		}
		// The stateless tokens of before (login, version, expiry), even correctly signed:
		const old = signSession({ u: 'tech.eve', v: 1, e: clock.ms + 30 * DAY }, secret());
		expect((await call(a, '/api/session', old)).status).toBe(401);
		expect((await call(a, '/api/sync/manifest', old)).status).toBe(401);
		// A valid shape naming a session that was never opened:
		expect((await call(a, '/api/session', forged({ ...claims, s: 'A'.repeat(22) }))).status).toBe(
			401
		);
		// Non-canonical base64url for the same bytes (trailing bits set):
		const body = token.split('.')[0]!;
		const last = body.at(-1)!;
		const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
		const twin = body.slice(0, -1) + alphabet[alphabet.indexOf(last) ^ 1];
		if (Buffer.from(twin, 'base64url').equals(Buffer.from(body, 'base64url'))) {
			expect((await call(a, '/api/session', `${twin}.${mac(twin)}`)).status).toBe(401);
		}
	});
});

describe('lifetime', () => {
	it('renews the cookie of a session in use once it is a day old; 7 idle days end it', async () => {
		await addUser(
			a.couch,
			{ name: 'tech.fay', roles: ['technician'], password: PASSWORD },
			clock.now()
		);
		const first = await signIn(a, 'tech.fay');
		const fresh = await call(a, '/api/session', first);
		expect(fresh.status).toBe(200);
		expect(fresh.setCookie).toBeNull();

		clock.advance(DAY + 60_000);
		const renewed = await call(a, '/api/session', first);
		expect(renewed.status).toBe(200);
		expect(renewed.setCookie).toMatch(/HttpOnly/);
		expect(renewed.setCookie).toMatch(new RegExp(`Max-Age=${(7 * DAY) / 1000}\\b`));
		const second = tokenOf(renewed.setCookie);
		expect(second).not.toBe(first);

		// Six more days: the first cookie is past its 7 idle days, the renewed one is not.
		clock.advance(6 * DAY);
		expect((await call(a, '/api/session', first)).status).toBe(401);
		expect((await call(a, '/api/session', second)).status).toBe(200);

		// Then a week without any request: over.
		const third = tokenOf((await call(a, '/api/session', second)).setCookie);
		clock.advance(7 * DAY);
		expect((await call(a, '/api/session', third)).status).toBe(401);
		expect((await call(a, '/api/sync/manifest', third)).status).toBe(401);
	});

	it('a session in daily use still ends 30 days after sign-in', async () => {
		await addUser(
			a.couch,
			{ name: 'tech.gil', roles: ['technician'], password: PASSWORD },
			clock.now()
		);
		let token = await signIn(a, 'tech.gil');
		for (let day = 1; day < 30; day++) {
			clock.advance(DAY + 1000);
			const res = await call(a, '/api/session', token);
			expect(res.status, `day ${day}`).toBe(200);
			token = res.setCookie ? tokenOf(res.setCookie) : token;
		}
		clock.advance(DAY);
		expect((await call(a, '/api/session', token)).status).toBe(401);
	});
});
