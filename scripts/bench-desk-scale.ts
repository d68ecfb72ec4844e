// Desk at company size (issue #15), `npm run bench:desk-scale`. Prints figures; not a timed test.
//
// For each scale (BENCH_DESK_SCALES, default "10,100"), in a child process: the demo is loaded
// into the in-memory embedded server (or, with TEST_COUCHDB_URL or COUCHDB_URL — an admin URL —
// into a fresh database on that CouchDB, dropped afterwards), the server
// started, and the dispatcher claire.hotline signs in on a fresh Chromium profile. Reported:
// - documents on the device (the manifest's count: her working set) and what she may read;
// - seconds from pressing "Se connecter" to the open-ticket list on screen, and to the end of
//   the first sync;
// - the server's search over every ticket: median and p95 of 100 queries (words from titles,
//   descriptions and client names, ticket numbers, with and without filters), wall clock on
//   loopback;
// - opening an old closed ticket online: the open request, then the pull that brings it and its
//   timeline (manifest + bulk_get), median of 10 tickets;
// - the server's RSS with its access model and search index.
// The per-role document caps are raised for the run so that a working set over the default cap
// is measured rather than refused (the report says whether the default would refuse it).
// Build first (`npm run build`). Last lines: `desk-first-list-100x-s`, `desk-device-docs-100x`,
// `desk-search-p95-100x-ms`.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright';
import { DEMO_PASSWORD } from '../server/demo/generate.ts';
import { startServer, type RunningServer } from '../server/start.ts';
import { DEFAULT_ROLE_DOC_CAPS } from '../src/lib/domain/doc-cap.ts';
import { dropCouch, loadDemo, loadDemoCouch } from './bench-demo.ts';

type Json = Record<string, unknown>;

const LOGIN = 'claire.hotline';
const SCALES = (process.env.BENCH_DESK_SCALES ?? '10,100').split(',').map(Number);
const HEAP_MB: Record<number, number> = { 1: 2048, 10: 4096, 100: 16_384 };
const SCALE_TIMEOUT_MS = Number(process.env.BENCH_DESK_TIMEOUT_MIN ?? 40) * 60_000;
const QUERIES = 100;
const OPENS = 10;
const COUCHDB_URL =
	process.env.TEST_COUCHDB_URL?.trim() || process.env.COUCHDB_URL?.trim() || undefined;

interface Result {
	scale: number;
	dbDocs: number;
	readable: number;
	deviceDocs: number;
	firstListS: number;
	firstSyncS: number;
	searchMedianMs: number;
	searchP95Ms: number;
	searchServerP95Ms: number;
	openMedianMs: number;
	rssMb: number;
	indexLoadMs: number;
}

const started = performance.now();
/** A phase of a scale's run, on stderr (the parent shows it as it goes). */
const phase = (what: string) =>
	process.stderr.write(`  ${((performance.now() - started) / 1000).toFixed(0)} s: ${what}\n`);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const percentile = (xs: number[], p: number) =>
	[...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)] ?? 0;

async function signIn(base: string, name: string): Promise<string> {
	const res = await fetch(`${base}/api/session`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ name, password: DEMO_PASSWORD })
	});
	if (!res.ok) throw new Error(`${name} cannot sign in: ${res.status}`);
	return (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

async function getJson(base: string, path: string, cookie: string, body?: unknown): Promise<Json> {
	for (;;) {
		const res = await fetch(`${base}${path}`, {
			method: body === undefined ? 'GET' : 'POST',
			headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
			body: body === undefined ? null : JSON.stringify(body)
		});
		if (res.status === 503) {
			await res.arrayBuffer();
			await new Promise((r) => setTimeout(r, 200));
			continue;
		}
		if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
		return (await res.json()) as Json;
	}
}

async function runScale(scale: number): Promise<Result> {
	const dataDir = mkdtempSync(join(tmpdir(), 'terrain-desk-bench-'));
	const dbName = COUCHDB_URL ? `bench_desk_${scale}x` : 'terrain';
	// Old closed tickets and words to search for, taken from the demo as it is loaded.
	const oldClosed: string[] = [];
	const words: string[] = [];
	const numbers: number[] = [];
	phase(`generating and loading the demo at ${scale}×`);
	const patch = (docs: Json[]) => {
		const access = docs.find((d) => d._id === 'config:access');
		if (access) {
			access.docCaps = { dispatcher: 1e6, expert: 1e6, billing: 1e6, admin: 1e6 };
			access.docCap = 1e6;
		}
		const month = Date.now() - 30 * 86_400_000;
		for (const d of docs) {
			if (d.type !== 'ticket') continue;
			const closure = d.closure as { at?: string } | undefined;
			if (closure?.at && Date.parse(closure.at) < month && oldClosed.length < OPENS)
				oldClosed.push(String(d._id));
			if (typeof d.number === 'number' && numbers.length < 30) numbers.push(d.number);
			const title = String(d.title ?? '')
				.split(/\s+/)
				.filter((w) => w.length > 4);
			if (title[0] && words.length < 60) words.push(title[0].toLowerCase());
		}
	};
	const dbDocs = COUCHDB_URL
		? await loadDemoCouch(COUCHDB_URL, dbName, scale, patch)
		: await loadDemo(dbName, scale, undefined, patch);
	const env: Record<string, string> = {
		PORT: '0',
		HOST: '127.0.0.1',
		DATA_DIR: dataDir,
		TERRAIN_MEMORY_DB: COUCHDB_URL ? '0' : '1',
		...(COUCHDB_URL ? { COUCHDB_URL, COUCHDB_DB: dbName } : {}),
		DEMO: '0',
		// The server's ceiling over every role's cap, raised with them (see above).
		DOC_CAP: '1000000',
		SESSION_SECRET: randomBytes(32).toString('base64url')
	};
	phase(`${dbDocs} documents loaded; starting the server`);
	let server: RunningServer;
	try {
		server = await startServer(env);
	} catch (error) {
		if (COUCHDB_URL) await dropCouch(COUCHDB_URL, dbName);
		throw error;
	}
	phase('server started; warming the access model and the search index');
	const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
	try {
		const warm = await signIn(server.url, 'admin');
		await getJson(server.url, '/api/sync/manifest', warm);
		await server.sync.search.whenReady();
		const indexLoadMs = server.sync.search.loaded?.ms ?? 0;

		phase(`search index loaded in ${indexLoadMs} ms; ${LOGIN} signs in`);
		const context = await browser.newContext({ locale: 'fr-FR' });
		const page = await context.newPage();
		await page.goto(`${server.url}/login`);
		await page.getByLabel('Identifiant').fill(LOGIN);
		await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
		const t0 = performance.now();
		await page.getByRole('button', { name: 'Se connecter' }).click();
		await page
			.getByRole('listbox', { name: 'Tickets' })
			.getByRole('option')
			.first()
			.waitFor({ timeout: SCALE_TIMEOUT_MS });
		const firstListS = (performance.now() - t0) / 1000;
		phase(`first list after ${firstListS.toFixed(1)} s; waiting for the end of the first sync`);
		await page
			.getByRole('status')
			.filter({ hasText: /Première synchronisation/ })
			.waitFor({ state: 'detached', timeout: SCALE_TIMEOUT_MS });
		const firstSyncS = (performance.now() - t0) / 1000;
		phase(`first sync done after ${firstSyncS.toFixed(1)} s; searching and opening`);
		const cookies = await context.cookies();
		const cookie = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
		const manifest = await getJson(server.url, '/api/sync/manifest', cookie);
		const deviceDocs = Number(manifest.total);
		const user = server.sync.model.current({
			_id: `user:${LOGIN}`,
			roles: ['dispatcher'],
			groups: [],
			disabled: false
		});
		const readable = server.sync.model.manifest(
			server.sync.model.principalsOf(user),
			Date.now()
		).length;

		// Search: words, numbers, with and without filters (as the list sends them).
		const queries: string[] = [];
		for (let i = 0; queries.length < QUERIES; i++) {
			const kind = i % 4;
			const qs = new URLSearchParams({ limit: '30' });
			if (kind === 0 || kind === 2) qs.set('q', words[i % words.length] ?? 'imprimante');
			if (kind === 1) qs.set('q', String(numbers[i % numbers.length] ?? 1));
			if (kind === 2) qs.set('status', 'closed');
			if (kind === 3) {
				qs.set('q', (words[i % words.length] ?? 'poste').slice(0, 3));
				qs.set('status', 'open');
			}
			queries.push(`/api/desk/search?${qs}`);
		}
		const wall: number[] = [];
		const inServer: number[] = [];
		for (const q of queries) {
			const t = performance.now();
			const answer = await getJson(server.url, q, cookie);
			wall.push(performance.now() - t);
			inServer.push(Number(answer.ms));
		}

		// Opening an old closed ticket: the open request, then the pull of what it brings.
		const opens: number[] = [];
		for (const id of oldClosed) {
			const before = new Set(
				((await getJson(server.url, '/api/sync/manifest', cookie)).docs as Array<[string]>).map(
					([d]) => d
				)
			);
			const t = performance.now();
			await getJson(server.url, '/api/desk/open', cookie, { id });
			const after = (await getJson(server.url, '/api/sync/manifest', cookie)).docs as Array<
				[string, string]
			>;
			const fresh = after.filter(([d]) => !before.has(d)).map(([d, rev]) => ({ id: d, rev }));
			if (fresh.length > 0)
				await getJson(server.url, '/api/sync/bulk_get', cookie, { docs: fresh });
			opens.push(performance.now() - t);
			if (!fresh.some((f) => f.id === id)) throw new Error(`${id} did not reach the device`);
		}
		globalThis.gc?.();
		return {
			scale,
			dbDocs,
			readable,
			deviceDocs,
			firstListS,
			firstSyncS,
			searchMedianMs: median(wall),
			searchP95Ms: percentile(wall, 95),
			searchServerP95Ms: percentile(inServer, 95),
			openMedianMs: median(opens),
			rssMb: Math.round(process.memoryUsage().rss / 1024 / 1024),
			indexLoadMs
		};
	} finally {
		await browser.close();
		await server.stop();
		if (COUCHDB_URL) await dropCouch(COUCHDB_URL, dbName);
	}
}

async function main(): Promise<void> {
	const child = process.argv.indexOf('--scale');
	if (child > 0) {
		const result = await runScale(Number(process.argv[child + 1]));
		console.log(JSON.stringify(result));
		return;
	}
	const results: Result[] = [];
	for (const scale of SCALES) {
		process.stdout.write(`scale ${scale}×: loading the demo, then ${LOGIN} signs in…\n`);
		const run = spawnSync(
			process.execPath,
			[
				`--max-old-space-size=${HEAP_MB[scale] ?? 16_384}`,
				'--expose-gc',
				import.meta.filename,
				'--scale',
				String(scale)
			],
			{
				encoding: 'utf8',
				timeout: SCALE_TIMEOUT_MS,
				maxBuffer: 64 * 1024 * 1024,
				stdio: ['ignore', 'pipe', 'inherit']
			}
		);
		const last = run.stdout?.trim().split('\n').at(-1) ?? '';
		if (run.status !== 0 || !last.startsWith('{')) {
			const why =
				run.signal === 'SIGTERM'
					? `did not finish within ${SCALE_TIMEOUT_MS / 60_000} min`
					: `exit ${run.status} (its error is above)`;
			process.stdout.write(`scale ${scale}× skipped: ${why}\n`);
			continue;
		}
		results.push(JSON.parse(last) as Result);
	}
	console.log('');
	console.log(
		`Dispatcher ${LOGIN} on a fresh Chromium profile, ${COUCHDB_URL ? `CouchDB at ${new URL(COUCHDB_URL).host}` : 'in-memory embedded server'}, loopback`
	);
	for (const r of results) {
		const cap = DEFAULT_ROLE_DOC_CAPS.dispatcher;
		console.log(
			`${String(r.scale).padStart(3)}×: ${r.dbDocs} documents in the database, ${r.readable} readable by her, ${r.deviceDocs} on her device (${r.deviceDocs > cap ? `over the default cap of ${cap}: refused unless raised` : `within the default cap of ${cap}`})`
		);
		console.log(
			`      first list ${r.firstListS.toFixed(1)} s, first sync done ${r.firstSyncS.toFixed(1)} s after sign-in`
		);
		console.log(
			`      search over every ticket (${QUERIES} queries): median ${r.searchMedianMs.toFixed(1)} ms, p95 ${r.searchP95Ms.toFixed(1)} ms (in the index: p95 ${r.searchServerP95Ms.toFixed(1)} ms)`
		);
		console.log(
			`      old closed ticket opened and on the device: median ${Math.round(r.openMedianMs)} ms (${OPENS} tickets)`
		);
		console.log(
			`      server RSS ${r.rssMb} MB (access model, search index loaded in ${r.indexLoadMs} ms, the bench's browser driver)`
		);
	}
	const hundred = results.find((r) => r.scale === 100);
	console.log(`desk-first-list-100x-s: ${hundred ? hundred.firstListS.toFixed(1) : 'NaN'}`);
	console.log(`desk-device-docs-100x: ${hundred?.deviceDocs ?? 'NaN'}`);
	console.log(`desk-search-p95-100x-ms: ${hundred ? hundred.searchP95Ms.toFixed(1) : 'NaN'}`);
}

await main();
process.exit(0);
