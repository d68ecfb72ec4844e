// Working-set counts (issue #15), `npm run bench:working-set`. Prints figures; not a test.
//
// Loads the demo at BENCH_WS_SCALE (default 10) into the in-memory embedded server, starts it,
// and for each desk user of BENCH_WS_USERS (default the four demo desk accounts) prints what
// they may read and what their device holds (the manifest's working set, as the manifest route
// computes it), by document type. Last lines: `working-set-<login>: <held>`.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../server/start.ts';
import { userHolds, workingSetDaysFor } from '../src/lib/domain/working-set.ts';
import { loadDemo } from './bench-demo.ts';

const scale = Number(process.env.BENCH_WS_SCALE ?? 10);
const logins = (
	process.env.BENCH_WS_USERS ?? 'claire.hotline,romain.expert,facturation,admin'
).split(',');
const started = performance.now();
const phase = (what: string) =>
	process.stderr.write(`  ${((performance.now() - started) / 1000).toFixed(0)} s: ${what}\n`);

phase(`loading the demo at ${scale}×`);
const total = await loadDemo('terrain', scale);
phase(`${total} documents; starting the server (it builds its indexes)`);
const dataDir = mkdtempSync(join(tmpdir(), 'terrain-ws-bench-'));
const server = await startServer({
	PORT: '0',
	HOST: '127.0.0.1',
	DATA_DIR: dataDir,
	TERRAIN_MEMORY_DB: '1',
	DEMO: '0',
	SESSION_SECRET: randomBytes(32).toString('base64url')
});
try {
	await server.sync.follower.whenReady();
	const model = server.sync.model;
	const now = Date.now();
	const lines: string[] = [];
	for (const login of logins) {
		const user = model.current({ _id: `user:${login}`, roles: [], groups: [], disabled: false });
		const team = model.teamScope(user._id);
		const holds = userHolds(user, team);
		const principals = model.principalsOf(user);
		const read = model.manifest(principals, now).length;
		const t = performance.now();
		const held = holds
			? model.manifest(principals, now, {
					holds: new Set(holds),
					days: workingSetDaysFor(user, 14),
					pinned: new Set()
				})
			: model.manifest(principals, now);
		const ms = performance.now() - t;
		const byType: Record<string, number> = {};
		for (const [id] of held) {
			const type = id.split(':')[0] ?? '';
			byType[type] = (byType[type] ?? 0) + 1;
		}
		console.log(
			`${login} (${user.roles.join(', ')}${team ? `, team ${team.team}` : ''}): reads ${read}, holds ${held.length} (${ms.toFixed(0)} ms) — ${Object.entries(
				byType
			)
				.map(([k, n]) => `${k} ${n}`)
				.join(', ')}`
		);
		lines.push(`working-set-${login}: ${held.length}`);
	}
	console.log('');
	for (const line of lines) console.log(line);
} finally {
	await server.stop();
	rmSync(dataDir, { recursive: true, force: true });
}
