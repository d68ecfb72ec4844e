/**
 * Issue #11, point 9: the embedded database answers only the server's own admin, nothing sent
 * to it ends the Terrain process, and its files are readable by their owner only.
 */
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../server/start.ts';
import { startTestServer } from '../support/test-server.ts';

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

describe.skipIf(process.env.TEST_COUCHDB_URL)('embedded database', () => {
	let server: TestServer;
	let base: string;
	let admin: string;

	beforeAll(async () => {
		server = await startTestServer();
		const url = new URL(server.couch.url);
		admin = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
		base = `http://127.0.0.1:${url.port}`;
	});

	afterAll(async () => {
		await server?.stop();
	});

	const call = async (
		method: string,
		path: string,
		options: { body?: unknown; authorization?: string } = {}
	) => {
		const res = await fetch(base + path, {
			method,
			headers: {
				'content-type': 'application/json',
				...(options.authorization ? { authorization: options.authorization } : {})
			},
			body: options.body === undefined ? null : JSON.stringify(options.body)
		});
		return { status: res.status, text: await res.text() };
	};
	const basic = (name: string, password: string) =>
		`Basic ${Buffer.from(`${name}:${password}`).toString('base64')}`;
	const terrainAnswers = async () => (await fetch(`${server.url}/api/health`)).status;

	it('refuses anonymous requests', async () => {
		expect((await call('GET', '/_all_dbs')).status).toBe(401);
		expect((await call('GET', '/')).status).toBe(401);
		expect((await call('GET', `/${server.config.dbName}/_all_docs`)).status).toBe(401);
		expect((await call('GET', '/_session')).status).toBe(401);
	});

	it('refuses a wrong password, and answers the right one', async () => {
		expect(
			(await call('GET', '/_all_dbs', { authorization: basic('terrain', 'wrong') })).status
		).toBe(401);
		expect(
			(await call('GET', '/_all_dbs', { authorization: basic('admin', 'admin') })).status
		).toBe(401);
		const ok = await call('GET', '/_all_dbs', { authorization: admin });
		expect(ok.status).toBe(200);
		expect(JSON.parse(ok.text)).toContain(server.config.dbName);
	});

	it('has no sign-up in _users', async () => {
		const user = {
			_id: 'org.couchdb.user:x',
			name: 'x',
			password: 'x',
			roles: [],
			type: 'user'
		};
		expect((await call('PUT', '/_users/org.couchdb.user:x', { body: user })).status).toBe(401);
		// Even the admin has no use for it.
		expect(
			(await call('PUT', '/_users/org.couchdb.user:x', { body: user, authorization: admin })).status
		).toBe(403);
		expect((await call('GET', '/_all_dbs', { authorization: basic('x', 'x') })).status).toBe(401);
	});

	it('has no replicator: a _replicator document is refused and the process lives on', async () => {
		const user = { _id: 'org.couchdb.user:x', name: 'x', password: 'x', roles: [], type: 'user' };
		await call('PUT', '/_users/org.couchdb.user:x', { body: user });
		// What ended the process: a replication of a database the user may not read.
		const job = {
			source: server.config.dbName,
			target: 'copy',
			user_ctx: { name: 'x', roles: [] }
		};
		for (const authorization of [basic('x', 'x'), '', admin]) {
			expect(
				(await call('POST', '/_replicator', { body: job, authorization })).status
			).toBeGreaterThanOrEqual(401);
			expect(
				(await call('POST', '/_replicate', { body: job, authorization })).status
			).toBeGreaterThanOrEqual(401);
		}
		expect((await call('POST', '/_replicator', { body: job, authorization: admin })).status).toBe(
			403
		);
		await new Promise((r) => setTimeout(r, 1500));
		expect(await terrainAnswers()).toBe(200);
		const dbs = JSON.parse((await call('GET', '/_all_dbs', { authorization: admin })).text);
		expect(dbs).not.toContain('copy');
		expect(dbs).not.toContain('_replicator');
	});

	it('creates no database for others, and an anonymous PUT /somedb does not end the process', async () => {
		expect((await call('PUT', '/somedb')).status).toBe(401);
		expect((await call('PUT', '/_global_changes', { authorization: admin })).status).toBe(403);
		expect(
			(await call('PUT', '/_config/admins/x', { body: 'x', authorization: admin })).status
		).toBe(403);
		await new Promise((r) => setTimeout(r, 500));
		expect(await terrainAnswers()).toBe(200);
		const dbs = JSON.parse((await call('GET', '/_all_dbs', { authorization: admin })).text);
		expect(dbs).not.toContain('somedb');
	});

	it('survives a malformed request', async () => {
		const { connect } = await import('node:net');
		const socket = connect(Number(new URL(base).port), '127.0.0.1');
		await new Promise<void>((r) => socket.once('connect', () => r()));
		const answer = new Promise<string>((r) => {
			let text = '';
			socket.on('data', (c: Buffer) => (text += c.toString()));
			socket.on('close', () => r(text));
		});
		socket.write('GARBAGE / HTTP/9.9\r\n\x00\x01\r\n\r\n');
		expect(await answer).toMatch(/^HTTP\/1\.1 400/);
		expect(await terrainAnswers()).toBe(200);
	});
});

describe.skipIf(process.env.TEST_COUCHDB_URL)('embedded database files', () => {
	const dataDir = join(mkdtempSync(join(tmpdir(), 'terrain-modes-')), 'data');

	afterAll(() => rmSync(join(dataDir, '..'), { recursive: true, force: true }));

	function modes(dir: string): Array<[string, number, boolean]> {
		const out: Array<[string, number, boolean]> = [];
		const walk = (path: string) => {
			const stat = lstatSync(path);
			out.push([path, stat.mode & 0o777, stat.isDirectory()]);
			if (stat.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
		};
		walk(dir);
		return out;
	}

	it('keeps DATA_DIR 700 and its files 600, also when they were opened wider before', async () => {
		// A data folder left world-readable by an older version.
		mkdirSync(join(dataDir, 'db'), { recursive: true });
		chmodSync(dataDir, 0o755);
		chmodSync(join(dataDir, 'db'), 0o755);
		const env = { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, DEMO: '0' };
		const first = await startServer({ ...env, TERRAIN_MEMORY_DB: '0' });
		await first.couch.privateDb.insert({ _id: 'credential:x', type: 'credential', hash: 'h' });
		await first.stop();
		for (const [path] of modes(dataDir)) if (!lstatSync(path).isDirectory()) chmodSync(path, 0o644);
		chmodSync(join(dataDir, 'db'), 0o755);
		const second = await startServer({ ...env, TERRAIN_MEMORY_DB: '0' });
		try {
			await second.couch.privateDb.insert({ _id: 'credential:y', type: 'credential', hash: 'h' });
			const found = modes(dataDir);
			expect(found.filter(([, , dir]) => !dir).length).toBeGreaterThan(5);
			for (const [path, mode, dir] of found) {
				expect([path, mode.toString(8)]).toEqual([path, dir ? '700' : '600']);
			}
		} finally {
			await second.stop();
		}
	});
});
