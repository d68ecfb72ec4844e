// Assignment saved → push request leaves the server (issue #7 target: p95 ≤ 300 ms).
// One server with an in-memory embedded database, one technician subscribed to a local https
// push service on loopback; 200 missions saved one after the other, each timed from the
// database's acknowledgement of the write to the push request arriving at the push service.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveSubscription } from '../server/notify/subscriptions.ts';
import { startServer } from '../server/start.ts';
import { aMission } from '../src/lib/domain/testing/factories.ts';
import { TestPushService } from '../tests/integration/notify-support.ts';

const COUNT = 200;
const push = await TestPushService.start();
const dataDir = mkdtempSync(join(tmpdir(), 'terrain-bench-push-'));
const server = await startServer({
	PORT: '0',
	HOST: '127.0.0.1',
	DATA_DIR: dataDir,
	TERRAIN_MEMORY_DB: '1',
	DEMO: '0',
	PUSH_EXTRA_CA: push.caFile,
	// The local push service of the bench is on 127.0.0.1 (never allowed in production).
	PUSH_HOSTS: '127.0.0.1',
	PUSH_ALLOW_LOOPBACK: '1'
});
try {
	await saveSubscription(
		server.couch.privateDb,
		'user:tech.bench',
		push.subscription('bench'),
		new Date()
	);
	const times: number[] = [];
	for (let i = 0; i < COUNT; i++) {
		const start = Date.now() + (24 + i) * 3_600_000;
		const mission = aMission({
			_id: `mission:01JBENCH${String(i).padStart(18, '0')}`,
			technicianId: 'user:tech.bench',
			start: new Date(start).toISOString(),
			end: new Date(start + 3_600_000).toISOString()
		});
		await server.couch.db.insert({ ...mission });
		const saved = performance.now();
		await push.waitFor(i + 1, 10_000);
		times.push(push.received[i]!.at - saved);
	}
	times.sort((a, b) => a - b);
	const at = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]!;
	const unique = new Set(push.received.map((p) => p.payload.missionId)).size;
	console.log(
		`assignments: ${COUNT}, pushes received: ${push.received.length} (${unique} missions)`
	);
	console.log(`push-median-ms: ${at(0.5).toFixed(1)}`);
	console.log(`push-max-ms: ${at(1).toFixed(1)}`);
	console.log(`push-p95-ms: ${at(0.95).toFixed(1)}`);
} finally {
	await server.stop();
	await push.stop();
	rmSync(dataDir, { recursive: true, force: true });
}
// The embedded PouchDB Server (express-pouchdb) keeps the 6 s heartbeat interval of a long-poll
// `_changes` whose client went away (its cleanup runs only when the feed completes), so the
// process would never end by itself: the bench exits once its figures are printed.
process.exit(0);
