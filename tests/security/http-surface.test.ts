/**
 * Issue #11, point 10: what the HTTP surface accepts and answers — bulk_get only serves current
 * revisions and refuses an empty list, checkpoints are bounded, every answer carries the
 * security headers, and state-changing requests are same-origin JSON.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aClient, aConfig, aTechfile, people, T0 } from '../../src/lib/domain/testing/factories.ts';
import { BUILD_DIR } from '../../server/http/app.ts';
import type { Couch } from '../../server/couch/connect.ts';
import { CouchHttp } from '../../server/sync/couch-http.ts';
import { CHECKPOINT_MAX_BYTES, CHECKPOINTS_PER_USER } from '../../server/sync/db-routes.ts';
import {
	addAccounts,
	Clock,
	putAll,
	Session,
	startSyncServer,
	stored,
	type Json,
	type SyncServer
} from '../support/sync-device.ts';
import { startTestServer } from '../support/test-server.ts';

const dina = people.dispatcher();
const theo = people.technician('theo');

let clock: Clock;
let server: SyncServer;

beforeAll(async () => {
	clock = new Clock(Date.parse(T0) + 3_600_000);
	server = await startSyncServer(clock);
	await addAccounts(server.couch, [dina, theo]);
	await putAll(server.couch, [aConfig('access'), aClient(), aTechfile()] as unknown as Json[]);
	await server.settled();
});

afterAll(async () => {
	await server?.stop();
});

/** A request with the session cookie and whatever headers and body the test sets. */
async function raw(
	session: Session,
	path: string,
	init: { method?: string; headers?: Record<string, string>; body?: string } = {}
): Promise<{ status: number; body: Json; headers: Headers }> {
	const res = await fetch(server.url + path, {
		method: init.method ?? 'GET',
		headers: { cookie: session.client.cookie, ...init.headers },
		body: init.body ?? null
	});
	const text = await res.text();
	let body: Json;
	try {
		body = JSON.parse(text) as Json;
	} catch {
		body = { text };
	}
	return { status: res.status, body, headers: res.headers };
}

describe('bulk_get', () => {
	it('refuses an empty list at once, with a message', async () => {
		const desk = await new Session(server.url, 'dina').signIn();
		const started = Date.now();
		const res = await desk.client.request('/api/sync/bulk_get', {
			method: 'POST',
			body: { docs: [] }
		});
		expect(Date.now() - started).toBeLessThan(2_000);
		expect(res.status).toBe(400);
		expect(String(res.body.message)).toMatch(/at least one/);
	});

	it('serves the current revision only, never an earlier one named by the device', async () => {
		const desk = await new Session(server.url, 'dina').signIn();
		const first = (await stored(server.couch, 'techfile:C1'))!;
		const old = String(first._rev);
		const file = first as unknown as ReturnType<typeof aTechfile>;
		const changed = {
			...file,
			credentials: file.credentials.map((c) => ({ ...c, secret: 'n0uveau-secret' }))
		};
		await server.couch.db.insert(changed as unknown as Json);
		await server.settled();
		const current = String((await stored(server.couch, 'techfile:C1'))!._rev);
		expect(current).not.toBe(old);

		const res = await desk.client.request('/api/sync/bulk_get', {
			method: 'POST',
			body: { docs: [{ id: 'techfile:C1', rev: old }] }
		});
		expect(res.status).toBe(200);
		const text = JSON.stringify(res.body);
		expect(text).not.toContain('s3cret');
		expect(text).not.toContain(`"_rev":"${old}"`);
		const docs = (res.body.results as Array<{ docs: Array<{ ok?: Json }> }>).flatMap((r) =>
			r.docs.flatMap((d) => (d.ok ? [d.ok] : []))
		);
		expect(docs.map((d) => d._rev)).toEqual([current]);
		// The device's own pull (manifest revisions) still gets what it asked for.
		expect((await desk.bulkGet([['techfile:C1', current]])).map((d) => d._rev)).toEqual([current]);
	});
});

describe('requests to the database', () => {
	it('give up after their time limit, and when the caller goes away', async () => {
		const open = new Set<IncomingMessage>();
		const silent = createServer((req) => {
			open.add(req);
			req.on('close', () => open.delete(req));
		});
		await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
		try {
			const port = (silent.address() as AddressInfo).port;
			const http = new CouchHttp({ url: new URL(`http://a:b@127.0.0.1:${port}`) } as Couch, 'db');
			const started = Date.now();
			const late = await http.json('db/_all_docs', { timeoutMs: 300 }).catch((e: unknown) => e);
			expect(Date.now() - started).toBeLessThan(3_000);
			expect(late).toMatchObject({ status: 504, code: 'database_timeout' });
			const gone = new AbortController();
			const pending = http.fetch('db/_bulk_get', { body: { docs: [] }, signal: gone.signal });
			await new Promise((r) => setTimeout(r, 200));
			expect(open.size).toBe(1);
			gone.abort();
			await expect(pending).rejects.toThrow();
			await new Promise((r) => setTimeout(r, 200));
			expect(open.size).toBe(0);
		} finally {
			silent.closeAllConnections();
			silent.close();
		}
	});
});

describe('checkpoints (_local)', () => {
	it('refuses a checkpoint over the size limit', async () => {
		const device = await new Session(server.url, 'theo').signIn();
		const big = await device.client.request('/api/sync/db/_local/big', {
			method: 'PUT',
			body: { history: 'x'.repeat(CHECKPOINT_MAX_BYTES + 1) }
		});
		expect(big.status).toBe(413);
		expect(String(big.body.reason)).toMatch(/at most/);
		expect((await device.client.request('/api/sync/db/_local/big')).status).toBe(404);
		const small = await device.client.request('/api/sync/db/_local/small', {
			method: 'PUT',
			body: { session_id: 's', history: [{ last_seq: 1, session_id: 's' }] }
		});
		expect(small.status).toBe(201);
	});

	it('keeps at most the limit per user, dropping the oldest', async () => {
		const device = await new Session(server.url, 'dina').signIn();
		for (let i = 0; i <= CHECKPOINTS_PER_USER; i++) {
			clock.advance(1_000);
			const res = await device.client.request(`/api/sync/db/_local/device-${i}`, {
				method: 'PUT',
				body: { session_id: `s${i}`, history: [] }
			});
			expect(res.status, `checkpoint ${i}`).toBe(201);
		}
		const { rows } = await server.couch.privateDb.list({
			startkey: 'checkpoint:dina:',
			endkey: 'checkpoint:dina:\ufff0'
		});
		expect(rows.length).toBe(CHECKPOINTS_PER_USER);
		expect((await device.client.request('/api/sync/db/_local/device-0')).status).toBe(404);
		const last = await device.client.request(`/api/sync/db/_local/device-${CHECKPOINTS_PER_USER}`);
		expect(last.status).toBe(200);
		// Updating an existing one evicts nothing.
		const again = await device.client.request(`/api/sync/db/_local/device-1`, {
			method: 'PUT',
			body: { _rev: '0-1', session_id: 's1b', history: [] }
		});
		expect(again.status).toBe(201);
		expect((await device.client.request('/api/sync/db/_local/device-2')).status).toBe(200);
	});
});

describe('security headers', () => {
	const built = existsSync(join(BUILD_DIR, 'shell.html'));

	function expectCommon(headers: Headers) {
		expect(headers.get('x-content-type-options')).toBe('nosniff');
		expect(headers.get('referrer-policy')).toBe('same-origin');
		expect(headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
		expect(headers.get('strict-transport-security')).toBeNull();
	}

	it('on the API', async () => {
		const res = await fetch(`${server.url}/api/health`);
		expectCommon(res.headers);
		expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
		expectCommon((await fetch(`${server.url}/api/nothing-here`)).headers);
	});

	it.skipIf(!built)('on the app, with the hashes of its inline scripts', async () => {
		for (const path of ['/', '/tickets', '/field/missions']) {
			const res = await fetch(server.url + path);
			expect(res.status).toBe(200);
			expectCommon(res.headers);
			const policy = res.headers.get('content-security-policy')!;
			expect(policy).toContain("default-src 'self'");
			const html = await res.text();
			const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
			expect(scripts.length).toBeGreaterThan(0);
			for (const script of scripts) {
				const hash = createHash('sha256').update(script).digest('base64');
				expect(policy).toContain(`'sha256-${hash}'`);
			}
			expect(policy).not.toContain('unsafe-eval');
			expect(policy).toMatch(/script-src 'self' 'sha256-[^']+'(;|$)/);
		}
	});

	it.skipIf(!built)('on static files', async () => {
		for (const path of ['/manifest.webmanifest', '/service-worker.js', '/icons/icon.svg']) {
			if (!existsSync(join(BUILD_DIR, path))) continue;
			const res = await fetch(server.url + path);
			expect(res.status, path).toBe(200);
			expectCommon(res.headers);
			expect(res.headers.get('content-security-policy')).toContain("connect-src 'self'");
		}
		const immutable = readFileSync(join(BUILD_DIR, 'shell.html'), 'utf8').match(
			/\/_app\/immutable\/[^"]+\.js/
		)?.[0];
		expectCommon((await fetch(server.url + immutable!)).headers);
	});

	it('adds HSTS when PUBLIC_URL is https', async () => {
		const https = await startTestServer({ PUBLIC_URL: 'https://terrain.example' });
		try {
			for (const path of ['/api/health', '/']) {
				const res = await fetch(https.url + path);
				expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d{7,}/);
			}
		} finally {
			await https.stop();
		}
	});
});

describe('state-changing requests are same-origin JSON', () => {
	const icalOf = async (login: string) => {
		try {
			return await server.couch.privateDb.get(`icaluser:${login}`);
		} catch {
			return null;
		}
	};

	it('refuses a form-encoded body (what a foreign page can post without asking)', async () => {
		const tech = await new Session(server.url, 'theo').signIn();
		for (const type of [
			'application/x-www-form-urlencoded',
			'multipart/form-data; boundary=x',
			'text/plain'
		]) {
			const res = await raw(tech, '/api/ical/token', {
				method: 'POST',
				headers: { 'content-type': type },
				body: type.startsWith('multipart') ? '--x--\r\n' : 'technician=theo'
			});
			expect(res.status, type).toBe(415);
		}
		// No Origin (e.g. a form posted by an old browser): the type alone refuses it.
		expect(await icalOf('theo')).toBeNull();
		const request = await raw(tech, '/api/public/requests', {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: 'name=Eve&email=eve%40evil.example&title=Spam&text=Spam%20spam'
		});
		expect(request.status).toBe(415);
	});

	it('refuses JSON from a foreign origin, on every state-changing endpoint', async () => {
		const tech = await new Session(server.url, 'theo').signIn();
		const evil = { 'content-type': 'application/json', origin: 'https://evil.example' };
		const attempts: Array<[string, string, string]> = [
			['POST', '/api/ical/token', '{}'],
			['DELETE', '/api/ical/token', '{}'],
			['POST', '/api/session', '{"name":"theo","password":"x"}'],
			['DELETE', '/api/session', ''],
			[
				'POST',
				'/api/public/requests',
				'{"name":"Eve","email":"eve@evil.example","title":"Spam","text":"Spam spam"}'
			],
			['PUT', '/api/sync/db/_local/evil', '{"history":[]}'],
			['POST', '/api/sync/db/_bulk_docs', '{"docs":[],"new_edits":false}'],
			['POST', '/api/sync/bulk_get', '{"docs":[{"id":"user:theo"}]}']
		];
		for (const [method, path, body] of attempts) {
			const res = await raw(tech, path, { method, headers: evil, ...(body ? { body } : {}) });
			expect(res.status, `${method} ${path}`).toBe(403);
			expect(res.body.error, `${method} ${path}`).toBe('cross_origin');
		}
		expect(
			(await raw(tech, '/api/ical/token', { method: 'POST', headers: { ...evil, origin: 'null' } }))
				.status
		).toBe(403);
		expect(await icalOf('theo')).toBeNull();
		expect(await server.couch.privateDb.get('checkpoint:theo:evil').catch(() => null)).toBeNull();
	});

	it('accepts same-origin JSON and body-less requests', async () => {
		const tech = await new Session(server.url, 'theo').signIn();
		const own = { 'content-type': 'application/json', origin: server.url };
		const made = await raw(tech, '/api/ical/token', { method: 'POST', headers: own, body: '{}' });
		expect(made.status).toBe(200);
		expect(String(made.body.path)).toMatch(/^\/api\/ical\/.+\.ics$/);
		expect(await icalOf('theo')).not.toBeNull();
		// As the app's fetch sends them: charset in the type; DELETE without a body.
		const charset = await raw(tech, '/api/ical/token', {
			method: 'POST',
			headers: { 'content-type': 'application/json; charset=utf-8', origin: server.url },
			body: '{"technician":"theo"}'
		});
		expect(charset.status).toBe(200);
		const signOut = await raw(tech, '/api/session', {
			method: 'DELETE',
			headers: { origin: server.url }
		});
		expect(signOut.status).toBe(200);
		// Without Origin (tools, the tests' own clients) JSON is fine too.
		const desk = await new Session(server.url, 'dina').signIn();
		expect(
			(
				await desk.client.request('/api/sync/db/_local/same', {
					method: 'PUT',
					body: { history: [] }
				})
			).status
		).toBe(201);
	});
});
