import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../server/start.ts';
import { loadDemo } from '../scripts/bench-demo.ts';
import { userHolds, workingSetDaysFor } from '../src/lib/domain/working-set.ts';

const scale = Number(process.argv[2] ?? 100);
const t0 = performance.now();
const log = (s: string) => console.error(`${((performance.now() - t0) / 1000).toFixed(1)} s: ${s}`);
const n = await loadDemo('terrain', scale);
log(`loaded ${n}`);
const server = await startServer({
	PORT: '0', HOST: '127.0.0.1', DATA_DIR: mkdtempSync(join(tmpdir(), 'ws-')), TERRAIN_MEMORY_DB: '1', DEMO: '0',
	SESSION_SECRET: randomBytes(32).toString('base64url')
});
log('started');
await (server.sync as unknown as { follower: { whenReady(): Promise<void> } }).follower.whenReady();
log('model ready');
const model = server.sync.model;
const now = Date.now();
for (const login of (process.argv[3] ?? 'claire.hotline,romain.expert,facturation,admin').split(',')) {
	const state = model.get(`user:${login}`);
	const user = model.current({ _id: `user:${login}`, roles: [], groups: [], disabled: false });
	const holds = userHolds(user, model.teamScope(user._id));
	const all = model.manifest(model.principalsOf(user), now);
	const ws = holds ? model.manifest(model.principalsOf(user), now, { holds: new Set(holds), days: workingSetDaysFor(user, 14), pinned: new Set() }) : all;
	const by: Record<string, number> = {};
	for (const [id] of ws as Array<[string]>) { const k = id.split(':')[0]!; by[k] = (by[k] ?? 0) + 1; }
	console.log(login, user.roles, user.groups, holds, 'read', all.length, 'held', ws.length, JSON.stringify(by), !!state);
}
log('done');
await server.stop();
process.exit(0);
