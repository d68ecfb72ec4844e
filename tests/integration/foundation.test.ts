import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedCouch } from '../../server/couch/embedded.ts';
import { deployDesignDocs } from '../../server/couch/design.ts';
import { addUser, getCredential } from '../../server/auth/users.ts';
import { startServer } from '../../server/start.ts';
import { Client, startTestServer } from '../support/test-server.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const NOW = new Date('2026-11-25T10:00:00Z');

type TestServer = Awaited<ReturnType<typeof startTestServer>>;
let server: TestServer;

beforeAll(async () => {
	server = await startTestServer();
	await addUser(
		server.couch,
		{ name: 'claire', roles: ['dispatcher'], password: 'correct-horse-1', displayName: 'Claire' },
		NOW
	);
	await addUser(
		server.couch,
		{ name: 'julien', roles: ['technician'], password: 'correct-horse-2' },
		NOW
	);
});

afterAll(async () => {
	await server?.stop();
});

describe('health', () => {
	it('answers 200 with the database status', async () => {
		const res = await new Client(server.url).request('/api/health');
		expect(res.status).toBe(200);
		expect(res.body).toMatchObject({
			status: 'ok',
			database: { status: 'ok', name: server.config.dbName }
		});
	});

	it('answers 503 when the database is unreachable', async () => {
		const couch = await startEmbeddedCouch({
			dataDir: server.dataDir,
			adminPassword: 'pw-for-test',
			memory: true
		});
		const other = await startServer({
			PORT: '0',
			DATA_DIR: server.dataDir,
			COUCHDB_URL: couch.url.toString(),
			DEMO: '0'
		});
		try {
			expect((await new Client(other.url).request('/api/health')).status).toBe(200);
			await couch.stop();
			const res = await new Client(other.url).request('/api/health');
			expect(res.status).toBe(503);
			expect(res.body).toMatchObject({
				status: 'unavailable',
				database: { status: 'unreachable' }
			});
		} finally {
			await other.stop();
			await couch.stop();
		}
	});
});

describe('sign-in', () => {
	it('signs in with an httpOnly, SameSite=Lax cookie, knows the user, and signs out', async () => {
		const client = new Client(server.url);
		const res = await client.signIn('claire', 'correct-horse-1');
		expect(res.status).toBe(200);
		expect(res.body.user).toMatchObject({ name: 'claire', roles: ['dispatcher'] });
		const cookie = res.headers.get('set-cookie') ?? '';
		expect(cookie).toMatch(/HttpOnly/);
		expect(cookie).toMatch(/SameSite=Lax/);
		expect(cookie).not.toMatch(/Secure/);
		expect((await client.request('/api/session')).body.user).toMatchObject({ name: 'claire' });
		await client.request('/api/session', { method: 'DELETE' });
		expect((await client.request('/api/session')).status).toBe(401);
	});

	it('gives the same message for a wrong password and an unknown user', async () => {
		const wrongPassword = await new Client(server.url).signIn('julien', 'nope-nope-nope');
		const unknownUser = await new Client(server.url).signIn('personne', 'nope-nope-nope');
		expect(wrongPassword.status).toBe(401);
		expect(unknownUser.status).toBe(401);
		expect(wrongPassword.body.message).toBe(unknownUser.body.message);
		expect(wrongPassword.body.message).toBe('Identifiant ou mot de passe incorrect.');
	});

	it('slows down repeated failures on one account, even with the right password next', async () => {
		await addUser(
			server.couch,
			{ name: 'target', roles: ['expert'], password: 'right-password' },
			NOW
		);
		const client = new Client(server.url);
		for (let i = 0; i < 3; i++)
			expect((await client.signIn('target', `wrong-${i}-xx`)).status).toBe(401);
		const blocked = await client.signIn('target', 'right-password');
		expect(blocked.status).toBe(429);
		expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
		expect(blocked.body.message).toMatch(/Trop de tentatives/);
	});

	it('stores only a scrypt hash of the password', async () => {
		const credential = await getCredential(server.couch, 'claire');
		expect(credential?.hash).toMatch(/^scrypt\$/);
		expect(JSON.stringify(credential)).not.toContain('correct-horse-1');
	});

	it('refuses malformed sign-in bodies with a 400 and words', async () => {
		const client = new Client(server.url);
		const res = await client.request('/api/session', { method: 'POST', body: '{"name": 3' });
		expect(res.status).toBe(400);
		const missing = await client.request('/api/session', { method: 'POST', body: { name: 'x' } });
		expect(missing.status).toBe(400);
		expect(String(missing.body.message)).toMatch(/password/);
	});

	it('answers unknown API paths with a 404 in JSON', async () => {
		const res = await new Client(server.url).request('/api/nothing-here');
		expect(res.status).toBe(404);
		expect(res.body.error).toBe('not_found');
	});
});

describe('user CLI', () => {
	// Asynchronous: the database answering the CLI runs in this very process.
	const cli = (...args: string[]) =>
		new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
			const child = spawn(process.execPath, [join(ROOT, 'server', 'cli', 'user.ts'), ...args], {
				cwd: ROOT,
				env: {
					...process.env,
					COUCHDB_URL: server.couch.url.toString(),
					COUCHDB_DB: server.config.dbName,
					DATA_DIR: server.dataDir
				}
			});
			let stdout = '';
			let stderr = '';
			child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
			child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
			child.on('exit', (status) => done({ status, stdout, stderr }));
		});

	it('adds, lists, disables and resets passwords', async () => {
		const add = await cli(
			'add',
			'--name',
			'marc',
			'--role',
			'technician',
			'--password',
			'first-pass-1',
			'--skill',
			'réseau'
		);
		expect(add.stderr).toBe('');
		expect(add.status).toBe(0);
		expect((await new Client(server.url).signIn('marc', 'first-pass-1')).status).toBe(200);

		const list = await cli('list');
		expect(list.stdout).toMatch(/marc\s+technician\s+active/);

		expect(
			(await cli('reset-password', '--name', 'marc', '--password', 'second-pass-2')).status
		).toBe(0);
		expect((await new Client(server.url).signIn('marc', 'second-pass-2')).status).toBe(200);

		const session = new Client(server.url);
		await session.signIn('marc', 'second-pass-2');
		expect((await cli('disable', '--name', 'marc')).status).toBe(0);
		expect((await cli('list')).stdout).toMatch(/marc\s+technician\s+disabled/);
		expect((await new Client(server.url).signIn('marc', 'second-pass-2')).status).toBe(401);
		// Disabling ends open sessions too (after the short cache).
		await new Promise((r) => setTimeout(r, 5_100));
		expect((await session.request('/api/session')).status).toBe(401);
	});

	it('explains wrong usage', async () => {
		const bad = await cli('add', '--name', 'x y', '--role', 'pilot', '--password', 'short');
		expect(bad.status).not.toBe(0);
		expect(bad.stderr).toMatch(/Error: /);
		const unknown = await cli('fly');
		expect(unknown.status).toBe(2);
		expect(unknown.stderr).toMatch(/unknown command "fly"/);
	});
});

describe('design documents', () => {
	it('are deployed at start and updated only when they changed', async () => {
		expect(await deployDesignDocs(server.couch.db)).toEqual([]);
		const ddoc = (await server.couch.db.get('_design/terrain')) as Record<string, unknown>;
		await server.couch.db.insert({ ...ddoc, views: {} });
		expect(await deployDesignDocs(server.couch.db)).toEqual(['_design/terrain']);
		expect(await deployDesignDocs(server.couch.db)).toEqual([]);
	});
});
