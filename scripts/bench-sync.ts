// Sync benchmark (npm run bench:sync). Prints figures; it is not a timed test.
//
// 1. Initial pull of one technician's data at demo scale 1×, 10× and 100×: through the
//    server's access rules (manifest + _bulk_get in batches of 200, as the app does) against a
//    plain PouchDB replication of the same documents straight from the CouchDB-compatible
//    server, with no rules (a database holding just those documents). Documents, bytes, round
//    trips, seconds (median of 3 runs) and the ratio.
// 2. A dispatcher saves an assignment on their device and pushes it → the technician's device,
//    waiting in its long-poll, pulls it: median and p95 over 100 assignments.
//
// 3. Start-up (issue #12): how long after `startServer` the technician's manifest answers, on
//    a database the server has never seen (a full scan), then after a restart (the access
//    model's checkpoint, then the feed from its position).
//
// The last lines are `sync-ratio-10x: <number>`, `assign-to-device-p95-ms: <number>` and
// `sync-ready-after-restart-100x-ms: <number>`. Each scale runs in a child process (in-memory
// embedded database), 100× with a larger heap. With COUCHDB_URL (an admin URL), the same runs
// against that CouchDB, in databases named after COUCHDB_DB (default `bench_sync`) and the
// scale, deleted at the end. BENCH_SYNC_ONLY=restart measures the start-up alone, at the
// scales of BENCH_SYNC_SCALES (default 100; otherwise 1,10,100).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PouchDB from 'pouchdb-core';
import { DEMO_PASSWORD } from '../server/demo/generate.ts';
import { startServer, type RunningServer } from '../server/start.ts';
import { formatReport, type StartupReport } from '../server/sync/startup.ts';
import { dropCouch, loadDemo, loadDemoCouch } from './bench-demo.ts';
import { devicePouch } from '../tests/support/sync-device.ts';
import { newId } from '../src/lib/domain/ids.ts';
import type { TicketDoc } from '../src/lib/domain/schemas.ts';

type Json = Record<string, unknown>;
type Db = PouchDB.Database<Json>;

const TECH = 'tech.julien';
const DISPATCHER = 'claire.hotline';
const RUNS = 5;
const ASSIGNMENTS = 100;
const PULL_BATCH = 200;
const SCALE_TIMEOUT_MS = 20 * 60_000;
const HEAP_MB: Record<number, number> = { 1: 2048, 10: 4096, 100: 16_384 };

interface Transfer {
	docs: number;
	bytes: number;
	requests: number;
	seconds: number;
}

interface ScaleResult {
	scale: number;
	dbDocs: number;
	loadSeconds: number;
	readySeconds: number;
	/** From `startServer` to the technician's first manifest: a first start (full scan). */
	coldReadyMs: number;
	/** The same after a restart (the model's checkpoint). */
	restartReadyMs: number;
	/** CPU time this process spent during that restart (less sensitive to a busy machine). */
	restartCpuMs: number;
	/** The restart's phases, as the server measured them. */
	restartPhases: StartupReport;
	rules?: Transfer;
	plain?: Transfer;
	assign?: { median: number; p95: number; max: number };
}

const COUCHDB_URL = process.env.COUCHDB_URL?.trim() || null;
const ONLY_RESTART = process.env.BENCH_SYNC_ONLY === 'restart';
const SCALES = (process.env.BENCH_SYNC_SCALES ?? (ONLY_RESTART ? '100' : '1,10,100'))
	.split(',')
	.map(Number);

let dbCounter = 0;
const localDb = (): Db =>
	new (devicePouch())<Json>(`bench-device-${++dbCounter}`, { adapter: 'memory' });

/** fetch that counts requests and the bytes of the answers. */
function counting(counter: { requests: number; bytes: number }, headers: Record<string, string>) {
	return async (url: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
		const merged = new Headers(init.headers);
		for (const [k, v] of Object.entries(headers)) merged.set(k, v);
		const res = await fetch(url, { ...init, headers: merged });
		const body = await res.arrayBuffer();
		counter.requests += 1;
		counter.bytes += body.byteLength;
		const copy = new Response(body, {
			status: res.status,
			statusText: res.statusText,
			headers: res.headers
		});
		// PouchDB's HTTP adapter reads attachments with node-fetch's `buffer()` when present;
		// without it, native fetch gives a Blob that Node's storage adapters cannot store.
		return Object.assign(copy, { buffer: async () => Buffer.from(body) });
	};
}

async function signIn(base: string, name: string): Promise<string> {
	const res = await fetch(`${base}/api/session`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ name, password: DEMO_PASSWORD })
	});
	if (!res.ok) throw new Error(`${name} cannot sign in: ${res.status}`);
	return (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

/** The app's pull: manifest, then what differs with _bulk_get, stored as it came. */
async function pull(
	base: string,
	db: Db,
	fetcher: ReturnType<typeof counting>
): Promise<{ docs: number; token: string }> {
	const res = await fetcher(`${base}/api/sync/manifest`);
	if (!res.ok) throw new Error(`manifest: ${res.status} ${await res.text()}`);
	const manifest = (await res.json()) as { docs: Array<[string, string]>; token: string };
	const local = await db.allDocs({ keys: manifest.docs.map(([id]) => id) });
	const have = new Map<string, string>();
	for (const row of local.rows)
		if ('value' in row && row.value && !row.value.deleted) have.set(row.id, row.value.rev);
	const missing = manifest.docs.filter(([id, rev]) => have.get(id) !== rev);
	for (let i = 0; i < missing.length; i += PULL_BATCH) {
		const batch = missing.slice(i, i + PULL_BATCH).map(([id, rev]) => ({ id, rev }));
		const got = await fetcher(`${base}/api/sync/bulk_get`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ docs: batch })
		});
		const answer = (await got.json()) as { results: Array<{ docs: Array<{ ok?: Json }> }> };
		const docs = answer.results.flatMap((r) => r.docs.flatMap((d) => (d.ok ? [d.ok] : [])));
		await db.bulkDocs(docs as never, { new_edits: false });
	}
	return { docs: manifest.docs.length, token: manifest.token };
}

function couchAccess(server: RunningServer): { base: string; auth: string } {
	const url = new URL(server.couch.url.toString());
	const auth = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
	url.username = '';
	url.password = '';
	return { base: url.toString().replace(/\/$/, ''), auth };
}

async function waitReady(base: string, cookie: string): Promise<void> {
	for (;;) {
		const res = await fetch(`${base}/api/sync/manifest`, { headers: { cookie } });
		await res.arrayBuffer();
		if (res.status === 200) return;
		if (res.status !== 503) throw new Error(`manifest: ${res.status}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
	const t = performance.now();
	const value = await run();
	return [value, (performance.now() - t) / 1000];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const percentile = (xs: number[], p: number) =>
	[...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)] ?? 0;

async function initialPull(server: RunningServer, cookie: string) {
	await pull(server.url, localDb(), counting({ requests: 0, bytes: 0 }, { cookie })); // warm-up
	const runs: Transfer[] = [];
	for (let i = 0; i < RUNS; i++) {
		const counter = { requests: 0, bytes: 0 };
		const [{ docs }, seconds] = await timed(() =>
			pull(server.url, localDb(), counting(counter, { cookie }))
		);
		runs.push({ docs, ...counter, seconds });
	}
	return { ...runs[0]!, seconds: median(runs.map((r) => r.seconds)) };
}

/** From `startServer` until the technician's manifest answers: the server, then the manifest. */
/**
 * BENCH_SYNC_PROFILE=<file>: a CPU profile of the restart (open it in Chrome's DevTools), to
 * see where start-up time goes.
 */
async function startProfile(): Promise<(() => Promise<void>) | null> {
	const file = process.env.BENCH_SYNC_PROFILE;
	if (!file) return null;
	const { Session } = await import('node:inspector/promises');
	const { writeFileSync } = await import('node:fs');
	const session = new Session();
	session.connect();
	await session.post('Profiler.enable');
	await session.post('Profiler.setSamplingInterval', { interval: 1000 });
	await session.post('Profiler.start');
	return async () => {
		const { profile } = await session.post('Profiler.stop');
		writeFileSync(file, JSON.stringify(profile));
		session.disconnect();
	};
}

/**
 * Starts the server and waits until the technician's manifest answers. With `cookie` (a
 * session opened before the restart, as a device holds one) the device does not sign in again
 * (scrypt alone takes about a second on this machine); without, or when it is refused, it signs in.
 */
async function startAndWait(
	env: Record<string, string>,
	cookie?: string
): Promise<[RunningServer, number]> {
	const t = performance.now();
	const server = await startServer(env);
	let session = cookie ?? (await signIn(server.url, TECH));
	if (cookie) {
		const res = await fetch(`${server.url}/api/sync/manifest`, { headers: { cookie } });
		await res.arrayBuffer();
		// Answered at once: that is the manifest waited for (not a second one).
		if (res.status === 200) return [server, performance.now() - t];
		if (res.status === 401) session = await signIn(server.url, TECH);
	}
	await waitReady(server.url, session);
	return [server, performance.now() - t];
}

/** The same documents, at the same revisions, in a database of their own: no rules at all. */
async function plainReplication(server: RunningServer, cookie: string): Promise<Transfer> {
	const { base, auth } = couchAccess(server);
	const manifest = (await (
		await fetch(`${server.url}/api/sync/manifest`, { headers: { cookie } })
	).json()) as { docs: Array<[string, string]> };
	const plainDb = `${server.config.dbName}_plain`;
	await server.couch.server.db.create(plainDb).catch(() => undefined);
	const admin = { authorization: auth, 'content-type': 'application/json' };
	for (let i = 0; i < manifest.docs.length; i += 500) {
		const docs = manifest.docs.slice(i, i + 500).map(([id, rev]) => ({ id, rev }));
		const got = (await (
			await fetch(`${base}/${server.config.dbName}/_bulk_get?revs=true&attachments=true`, {
				method: 'POST',
				headers: admin,
				body: JSON.stringify({ docs })
			})
		).json()) as { results: Array<{ docs: Array<{ ok?: Json }> }> };
		const copies = got.results.flatMap((r) => r.docs.flatMap((d) => (d.ok ? [d.ok] : [])));
		await fetch(`${base}/${plainDb}/_bulk_docs`, {
			method: 'POST',
			headers: admin,
			body: JSON.stringify({ docs: copies, new_edits: false })
		});
	}
	await new (devicePouch())<Json>(`${base}/${plainDb}`, {
		adapter: 'http',
		fetch: counting({ requests: 0, bytes: 0 }, { authorization: auth })
	}).replicate.to(localDb()); // warm-up
	const runs: Transfer[] = [];
	for (let i = 0; i < RUNS; i++) {
		const counter = { requests: 0, bytes: 0 };
		const remote = new (devicePouch())<Json>(`${base}/${plainDb}`, {
			adapter: 'http',
			fetch: counting(counter, { authorization: auth })
		});
		const [result, seconds] = await timed(async () => await remote.replicate.to(localDb()));
		runs.push({ docs: result.docs_written, ...counter, seconds });
	}
	return { ...runs[0]!, seconds: median(runs.map((r) => r.seconds)) };
}

/** The dispatcher plans a mission and pushes it; the technician's device waits and pulls. */
async function assignments(server: RunningServer, techCookie: string) {
	const deskCookie = await signIn(server.url, DISPATCHER);
	const desk = localDb();
	const remote = new (devicePouch())<Json>(`${server.url}/api/sync/db`, {
		adapter: 'http',
		skip_setup: true,
		fetch: counting({ requests: 0, bytes: 0 }, { cookie: deskCookie })
	});
	const device = localDb();
	const techFetch = counting({ requests: 0, bytes: 0 }, { cookie: techCookie });
	let { token } = await pull(server.url, device, techFetch);
	const tickets = (await server.couch.db.list({
		startkey: 'ticket:',
		endkey: 'ticket:\ufff0',
		include_docs: true
	})) as unknown as { rows: Array<{ doc: TicketDoc }> };
	const open = tickets.rows
		.map((r) => r.doc)
		.filter((t) => t.clientId && t.status !== 'closed' && t.status !== 'cancelled');

	const waiting: { current: { id: string; done: () => void } | null } = { current: null };
	const stop = new AbortController();
	const loop = (async () => {
		while (!stop.signal.aborted) {
			const res = await techFetch(`${server.url}/api/sync/changes?since=${token}&timeout=25000`, {
				signal: stop.signal
			}).catch(() => null);
			if (!res) return;
			const answer = (await res.json()) as { changed: boolean; token: string };
			token = answer.token;
			if (!answer.changed) continue;
			({ token } = await pull(server.url, device, techFetch));
			const expected = waiting.current;
			if (expected && (await device.get(expected.id).catch(() => null))) expected.done();
		}
	})();

	const latencies: number[] = [];
	for (let i = 0; i < ASSIGNMENTS; i++) {
		const ticket = open[i % open.length]!;
		const now = new Date();
		const id = newId('mission', now);
		const arrived = new Promise<void>((done) => (waiting.current = { id, done }));
		const t = performance.now();
		await desk.put({
			_id: id,
			type: 'mission',
			ticketId: ticket._id,
			clientId: ticket.clientId,
			siteId: 's1',
			technicianId: `user:${TECH}`,
			start: new Date(now.getTime() + 86_400_000).toISOString(),
			end: new Date(now.getTime() + 90_000_000).toISOString(),
			estimatedMinutes: 60,
			instructions: 'Intervention planifiée (banc de mesure)',
			status: 'planned',
			createdAt: now.toISOString(),
			createdBy: `user:${DISPATCHER}`,
			updatedAt: now.toISOString(),
			updatedBy: `user:${DISPATCHER}`
		});
		const pushed = await desk.replicate.to(remote);
		if (pushed.doc_write_failures > 0)
			throw new Error(`assignment refused: ${JSON.stringify(pushed.errors)}`);
		await arrived;
		latencies.push(performance.now() - t);
	}
	stop.abort();
	await loop;
	return {
		median: Math.round(median(latencies)),
		p95: Math.round(percentile(latencies, 95)),
		max: Math.round(Math.max(...latencies))
	};
}

/**
 * BENCH_SYNC_DATA_DIR=<folder>: the embedded server on LevelDB in that folder, kept between
 * runs. The first run loads the demo there, starts the server once (full scan, checkpoint) and
 * stops it; every run (this process being a fresh one) then measures a real restart: a new
 * process on the data of the last one. Prints `sync-ready-restart-disk-<scale>x-ms: <ms>`.
 * With COUCHDB_URL, the same on that CouchDB: its databases (named as in `runScale`) are kept
 * between runs, the folder only notes that they are prepared (delete it to start over).
 */
async function runDisk(scale: number, dir: string): Promise<void> {
	const ready = join(dir, 'prepared');
	const dbName = `${process.env.COUCHDB_DB?.trim() || 'bench_sync'}_${scale}x`;
	const env: Record<string, string> = {
		PORT: '0',
		HOST: '127.0.0.1',
		DATA_DIR: dir,
		TERRAIN_MEMORY_DB: '0',
		DEMO: '0',
		...(COUCHDB_URL ? { COUCHDB_URL, COUCHDB_DB: dbName } : {})
	};
	if (!existsSync(ready)) {
		rmSync(dir, { recursive: true, force: true });
		mkdirSync(dir, { recursive: true, mode: 0o700 });
		const [docs, loadSeconds] = await timed(() =>
			COUCHDB_URL ? loadDemoCouch(COUCHDB_URL, dbName, scale) : loadDemo('terrain', scale, dir)
		);
		console.error(`loaded ${docs} documents in ${loadSeconds.toFixed(0)} s`);
		const [first, coldMs] = await startAndWait(env);
		console.error(`first start (full scan) ready in ${Math.round(coldMs)} ms`);
		if (!(await first.checkpoint())) throw new Error('no checkpoint of the access model');
		writeFileSync(ready, await signIn(first.url, TECH));
		await first.stop();
		return;
	}
	const cookie = readFileSync(ready, 'utf8').trim();
	const profiler = await startProfile();
	const cpu = process.cpuUsage();
	const [server, ms] = await startAndWait(env, cookie || undefined);
	const used = process.cpuUsage(cpu);
	await profiler?.();
	const phases = { ...server.sync.startup.report };
	await server.stop();
	console.log(
		`restart on ${COUCHDB_URL ? new URL(COUCHDB_URL).host : 'LevelDB'} at ${scale}×: manifest after ${Math.round(ms)} ms (CPU ${Math.round((used.user + used.system) / 1000)} ms)`
	);
	console.log(`     phases: ${formatReport(phases)}`);
	console.log(`sync-ready-restart-disk-${scale}x-ms: ${Math.round(ms)}`);
}

/** One scale, in this process: prints its result as JSON on the last line. */
async function runScale(scale: number, withAssignments: boolean): Promise<void> {
	const dataDir = mkdtempSync(join(tmpdir(), 'terrain-bench-'));
	const dbName = COUCHDB_URL
		? `${process.env.COUCHDB_DB?.trim() || 'bench_sync'}_${scale}x`
		: 'terrain';
	const env: Record<string, string> = {
		PORT: '0',
		HOST: '127.0.0.1',
		DATA_DIR: dataDir,
		TERRAIN_MEMORY_DB: COUCHDB_URL ? '0' : '1',
		...(COUCHDB_URL ? { COUCHDB_URL, COUCHDB_DB: dbName } : {}),
		DEMO: '0',
		// The in-memory database draws new secrets at each start: one secret for both starts, so
		// that the device's session outlives the restart (as with a data folder or in production).
		SESSION_SECRET: randomBytes(32).toString('base64url')
	};
	let server: RunningServer | null = null;
	try {
		const [dbDocs, loadSeconds] = await timed(() =>
			COUCHDB_URL ? loadDemoCouch(COUCHDB_URL, dbName, scale) : loadDemo(dbName, scale)
		);
		const t = performance.now();
		server = await startServer(env);
		const start = performance.now() - t;
		const cookie = await signIn(server.url, TECH);
		const [, readySeconds] = await timed(() => waitReady(server!.url, cookie));
		const coldReadyMs = start + readySeconds * 1000;
		// A restart: the checkpoint the server wrote after its scan, then the feed from there.
		if (!(await server.checkpoint())) throw new Error('no checkpoint of the access model');
		await server.stop();
		server = null;
		const profiler = await startProfile();
		const cpu = process.cpuUsage();
		const [restarted, restartReadyMs] = await startAndWait(env, cookie);
		const used = process.cpuUsage(cpu);
		await profiler?.();
		server = restarted;
		const result: ScaleResult = {
			scale,
			dbDocs,
			loadSeconds,
			readySeconds,
			coldReadyMs: Math.round(coldReadyMs),
			restartReadyMs: Math.round(restartReadyMs),
			restartCpuMs: Math.round((used.user + used.system) / 1000),
			restartPhases: { ...restarted.sync.startup.report }
		};
		if (!ONLY_RESTART) {
			const techCookie = await signIn(server.url, TECH);
			result.rules = await initialPull(server, techCookie);
			result.plain = await plainReplication(server, techCookie);
			if (withAssignments) result.assign = await assignments(server, techCookie);
		}
		console.log(JSON.stringify(result));
	} finally {
		await server?.stop();
		if (COUCHDB_URL) await dropCouch(COUCHDB_URL, dbName);
		rmSync(dataDir, { recursive: true, force: true });
	}
}

function fmt(t: Transfer): string {
	return `${String(t.docs).padStart(6)} docs ${(t.bytes / 1024).toFixed(0).padStart(7)} KiB ${String(t.requests).padStart(4)} req ${t.seconds.toFixed(3).padStart(7)} s`;
}

async function main(): Promise<void> {
	const child = process.argv.indexOf('--scale');
	const diskDir = process.env.BENCH_SYNC_DATA_DIR;
	if (diskDir) {
		for (const scale of SCALES) await runDisk(scale, `${diskDir}-${scale}x`);
		process.exit(0);
	}
	if (child > 0) {
		await runScale(Number(process.argv[child + 1]), process.argv.includes('--assign'));
		return;
	}
	const results: ScaleResult[] = [];
	for (const scale of SCALES) {
		process.stdout.write(`scale ${scale}×: loading the demo and pulling…\n`);
		const run = spawnSync(
			process.execPath,
			[
				`--max-old-space-size=${HEAP_MB[scale]}`,
				import.meta.filename,
				'--scale',
				String(scale),
				...(scale === 10 && !ONLY_RESTART ? ['--assign'] : [])
			],
			{ encoding: 'utf8', timeout: SCALE_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 }
		);
		const last = run.stdout?.trim().split('\n').at(-1) ?? '';
		if (run.status !== 0 || !last.startsWith('{')) {
			const why =
				run.error?.message.includes('ETIMEDOUT') || run.signal === 'SIGTERM'
					? `did not finish within ${SCALE_TIMEOUT_MS / 60_000} min`
					: (run.stderr?.trim().split('\n').slice(-3).join(' ') ?? `exit ${run.status}`);
			process.stdout.write(`scale ${scale}× skipped: ${why}\n`);
			continue;
		}
		results.push(JSON.parse(last) as ScaleResult);
	}
	const where = COUCHDB_URL
		? `CouchDB at ${new URL(COUCHDB_URL).host}`
		: 'in-memory embedded server';
	console.log('');
	console.log(`Initial pull of ${TECH}'s documents (median of ${RUNS} runs, loopback, ${where})`);
	for (const r of results) {
		console.log(
			`${String(r.scale).padStart(3)}× (${r.dbDocs} documents in the database; loaded in ${r.loadSeconds.toFixed(0)} s, sync ready ${r.readySeconds.toFixed(1)} s later)`
		);
		console.log(
			`     start-up until the manifest answers: first start ${r.coldReadyMs} ms, after a restart ${r.restartReadyMs} ms (CPU ${r.restartCpuMs} ms)`
		);
		console.log(`     restart phases: ${formatReport(r.restartPhases)}`);
		if (!r.rules || !r.plain) continue;
		console.log(`     with access rules: ${fmt(r.rules)}`);
		console.log(`     plain replication: ${fmt(r.plain)}`);
		console.log(`     ratio (seconds):   ${(r.rules.seconds / r.plain.seconds).toFixed(2)}`);
	}
	const ten = results.find((r) => r.scale === 10);
	if (ten?.assign) {
		console.log(
			`Assignment saved by the dispatcher → on the technician's device (10×, ${ASSIGNMENTS} assignments): median ${ten.assign.median} ms, p95 ${ten.assign.p95} ms, max ${ten.assign.max} ms`
		);
	}
	const hundred = results.find((r) => r.scale === 100);
	if (!ONLY_RESTART) {
		console.log(
			`sync-ratio-10x: ${ten?.rules && ten.plain ? (ten.rules.seconds / ten.plain.seconds).toFixed(2) : 'NaN'}`
		);
		console.log(`assign-to-device-p95-ms: ${ten?.assign?.p95 ?? 'NaN'}`);
	}
	console.log(`sync-ready-first-start-100x-ms: ${hundred?.coldReadyMs ?? 'NaN'}`);
	console.log(`sync-ready-after-restart-100x-ms: ${hundred?.restartReadyMs ?? 'NaN'}`);
}

await main();
process.exit(0);
