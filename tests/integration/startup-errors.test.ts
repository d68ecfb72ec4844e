import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedCouch, type EmbeddedCouch } from '../../server/couch/embedded.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** Runs the real entry point and returns its exit code and output. */
function runMain(
	env: Record<string, string>
): Promise<{ code: number | null; stderr: string; stdout: string }> {
	return new Promise((done) => {
		const child = spawn(process.execPath, [join(ROOT, 'server', 'main.ts')], {
			cwd: ROOT,
			env: {
				...process.env,
				DATA_DIR: mkdtempSync(join(tmpdir(), 'terrain-bad-')),
				TERRAIN_MEMORY_DB: '1',
				DEMO: '0',
				PORT: '0',
				...env
			}
		});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
		child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
		const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
		child.on('exit', (code) => {
			clearTimeout(timer);
			done({ code, stderr, stdout });
		});
	});
}

function expectOneLine(result: { code: number | null; stderr: string }, pattern: RegExp) {
	expect(result.code).not.toBe(0);
	const lines = result.stderr.trim().split('\n');
	expect(lines).toHaveLength(1);
	expect(lines[0]).toMatch(pattern);
	expect(result.stderr).not.toMatch(/\n\s+at /);
}

let couch: EmbeddedCouch;
let busy: Server;

beforeAll(async () => {
	couch = await startEmbeddedCouch({
		dataDir: tmpdir(),
		adminPassword: 'the-right-one',
		memory: true
	});
	busy = createServer();
	await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
});

afterAll(async () => {
	await couch?.stop();
	busy?.close();
});

describe('bad configuration: one line that says what to fix, non-zero exit', () => {
	it('malformed COUCHDB_URL', async () => {
		expectOneLine(await runMain({ COUCHDB_URL: 'not a url' }), /COUCHDB_URL .* is not a valid URL/);
	});

	it('unreachable CouchDB', async () => {
		const closed = createServer();
		const port = await new Promise<number>((r) =>
			closed.listen(0, '127.0.0.1', () => r((closed.address() as { port: number }).port))
		);
		closed.close();
		expectOneLine(
			await runMain({ COUCHDB_URL: `http://admin:pw@127.0.0.1:${port}` }),
			/Cannot reach CouchDB at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/
		);
	});

	it('wrong CouchDB credentials', async () => {
		const url = new URL(couch.url);
		url.password = 'wrong';
		const result = await runMain({ COUCHDB_URL: url.toString() });
		expectOneLine(result, /refused the credentials/);
		expect(result.stderr).not.toContain('wrong');
	});

	it('port in use', async () => {
		const port = (busy.address() as { port: number }).port;
		expectOneLine(
			await runMain({ PORT: String(port) }),
			new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use`)
		);
	});

	it('bad PORT value', async () => {
		expectOneLine(await runMain({ PORT: 'eighty' }), /PORT "eighty" is not a port number/);
	});

	it('production without secrets names the missing ones', async () => {
		expectOneLine(
			await runMain({ NODE_ENV: 'production' }),
			/SESSION_SECRET, VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY/
		);
	});
});
