import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../server/start.ts';

/**
 * An in-process server on a free loopback port for integration tests: the embedded
 * in-memory database by default, or a real CouchDB when TEST_COUCHDB_URL is set
 * (each test file then gets its own database, removed at the end).
 */
export async function startTestServer(
	env: Record<string, string> = {},
	options: { now?: () => Date } = {}
): Promise<RunningServer & { dataDir: string }> {
	const dataDir = mkdtempSync(join(tmpdir(), 'terrain-it-'));
	const realCouch = process.env.TEST_COUCHDB_URL;
	const dbName = `terrain_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
	const server = await startServer(
		{
			PORT: '0',
			HOST: '127.0.0.1',
			DATA_DIR: dataDir,
			TERRAIN_MEMORY_DB: realCouch ? '0' : '1',
			...(realCouch ? { COUCHDB_URL: realCouch, COUCHDB_DB: dbName } : {}),
			DEMO: '0',
			...env
		},
		options
	);
	return {
		...server,
		dataDir,
		stop: async () => {
			if (realCouch) {
				await server.couch.server.db.destroy(dbName).catch(() => undefined);
				await server.couch.server.db.destroy(`${dbName}_private`).catch(() => undefined);
			}
			await server.stop();
			rmSync(dataDir, { recursive: true, force: true });
		}
	};
}

/** A fetch that keeps the session cookie, like a browser. */
export class Client {
	readonly base: string;
	cookie = '';
	constructor(base: string) {
		this.base = base;
	}

	async request(
		path: string,
		init: { method?: string; body?: unknown } = {}
	): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
		const res = await fetch(this.base + path, {
			method: init.method ?? 'GET',
			headers: {
				...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
				...(this.cookie ? { cookie: this.cookie } : {})
			},
			body:
				init.body === undefined
					? null
					: typeof init.body === 'string'
						? init.body
						: JSON.stringify(init.body)
		});
		const setCookie = res.headers.get('set-cookie');
		if (setCookie) this.cookie = setCookie.split(';')[0] ?? '';
		const text = await res.text();
		let body: Record<string, unknown>;
		try {
			body = JSON.parse(text) as Record<string, unknown>;
		} catch {
			body = { text };
		}
		return { status: res.status, body, headers: res.headers };
	}

	signIn(name: string, password: string) {
		return this.request('/api/session', { method: 'POST', body: { name, password } });
	}
}
