import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from '../../server/start.ts';
import { DEMO_SIGN_INS } from '../../server/demo/generate.ts';
import { Client } from '../support/test-server.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'terrain-disk-'));
const env = { PORT: '0', DATA_DIR: dataDir, DEMO: '1' };

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe.skipIf(process.env.TEST_COUCHDB_URL)('embedded mode keeps its data on disk', () => {
	it('loads the demo on the first start only, and a restart keeps everything', async () => {
		const first = await startServer(env);
		const secrets = readFileSync(join(dataDir, 'secrets.json'), 'utf8');
		let docCount: number;
		let kept: string[];
		try {
			expect(first.demoLoaded).toBe(true);
			const health = await new Client(first.url).request('/api/health');
			docCount = (health.body.database as { docCount: number }).docCount;
			expect(docCount).toBeGreaterThan(300);
			// Every account its own salt, though they share the demo password.
			const { rows } = await first.couch.privateDb.list({
				startkey: 'credential:',
				endkey: 'credential:\ufff0',
				include_docs: true
			});
			const hashes = rows.map((r) => String((r.doc as { hash?: string }).hash));
			expect(hashes.length).toBe(DEMO_SIGN_INS.length);
			expect(new Set(hashes.map((h) => h.split('$')[4])).size).toBe(hashes.length);
			expect(statSync(dataDir).mode & 0o777).toBe(0o700);
			// What the first start holds, just before it stops (its jobs and notifier keep writing:
			// escalations of the demo's overdue tickets, notices in the timelines).
			kept = (await first.couch.db.list()).rows.map((r) => r.id);
			expect(kept.length).toBeGreaterThanOrEqual(docCount);
		} finally {
			await first.stop();
		}
		const second = await startServer(env);
		try {
			expect(second.demoLoaded).toBe(false);
			const health = await new Client(second.url).request('/api/health');
			expect((health.body.database as { docCount: number }).docCount).toBeGreaterThanOrEqual(
				kept.length
			);
			const after = new Set((await second.couch.db.list()).rows.map((r) => r.id));
			expect(kept.filter((id) => !after.has(id))).toEqual([]);
			const account = DEMO_SIGN_INS[0]!;
			expect((await new Client(second.url).signIn(account.login, account.password)).status).toBe(
				200
			);
			expect(readFileSync(join(dataDir, 'secrets.json'), 'utf8')).toBe(secrets);
		} finally {
			await second.stop();
		}
	}, 180_000);
});
