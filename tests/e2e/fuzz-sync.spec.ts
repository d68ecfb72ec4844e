/**
 * Issue #11, point 2, on a real browser: fuzzed documents that push accepted (free-form event
 * data with odd field names, emoji, edge numbers, wide objects, long texts, extra fields on a
 * ticket) reach a dispatcher's Chromium through sync and are stored in its IndexedDB (PouchDB's
 * `indexeddb` adapter), with no sync error — before sign-in (first sync) and after (live).
 * What was seen before the limits: one event with data 3,000 levels deep broke every desk's
 * sync with an IndexedDB AbortError. tests/security/fuzz-shapes.test.ts covers the refusals.
 */
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { expect, test, type Page } from 'playwright/test';
import { DEMO_PASSWORD, demoLogin } from '../support/demo.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { DeskPage } from './pages.ts';

type Json = Record<string, unknown>;

let server: ServerProcess;
let cookie = '';
const login = demoLogin('dispatcher');
const author = `user:${login}`;
let ticket: Json;

async function call(path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
	const res = await fetch(`${server.url}${path}`, {
		method: body === undefined ? 'GET' : 'POST',
		headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
		body: body === undefined ? null : JSON.stringify(body)
	});
	const setCookie = res.headers.get('set-cookie');
	if (setCookie) cookie = setCookie.split(';')[0] ?? '';
	return { status: res.status, body: (await res.json()) as unknown };
}

test.beforeAll(async () => {
	test.setTimeout(180_000);
	server = await startServerProcess();
	await call('/api/session', { name: login, password: DEMO_PASSWORD });
	const until = Date.now() + 150_000;
	let manifest = await call('/api/sync/manifest');
	while (manifest.status === 503 && Date.now() < until) {
		await new Promise((done) => setTimeout(done, 1_000));
		manifest = await call('/api/sync/manifest');
	}
	expect(manifest.status).toBe(200);
	const ids = (manifest.body as { docs: Array<[string, string]> }).docs;
	const ticketId = ids.find(([id]) => id.startsWith('ticket:'))?.[0] ?? '';
	const got = await call('/api/sync/bulk_get', { docs: [{ id: ticketId }] });
	const results = (got.body as { results: Array<{ docs: Array<{ ok?: Json }> }> }).results;
	ticket = results[0]?.docs[0]?.ok ?? {};
	expect(ticket._id).toBe(ticketId);
});

test.afterAll(async () => {
	await server?.stop();
});

// ---- shapes within the limits, mostly (what falls outside is refused and left out) --------

const number = fc.oneof(
	fc.constantFrom(-0, 0, 5e-324, 2.2250738585072014e-308, Number.MAX_SAFE_INTEGER, 0.1, 1e21),
	fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 }),
	fc.integer()
);
const text = fc.oneof(
	fc.string({ unit: 'grapheme', maxLength: 16 }),
	fc.constantFrom('👨‍👩‍👧‍👦', '🏳️‍🌈', 'e\u0301', '\u0000', '\u202Eevil', '\uFEFF', '', ' '),
	fc.integer({ min: 1_000, max: 20_000 }).map((n) => '😀'.repeat(Math.floor(n / 2)))
);
const key = fc.oneof(
	fc.constantFrom(
		'toString',
		'hasOwnProperty',
		'valueOf',
		'',
		' ',
		'$ref',
		'a.b',
		'[0]',
		'😀',
		'_private',
		'id',
		'rev'
	),
	fc.string({ maxLength: 8 })
);
const leaf = fc.oneof(number, text, fc.boolean(), fc.constant(null));
const tree = fc.letrec((tie) => ({
	value: fc.oneof({ depthSize: 'small', maxDepth: 5 }, leaf, tie('array'), tie('object')),
	array: fc.array(tie('value'), { maxLength: 5 }),
	object: fc
		.array(fc.tuple(key, tie('value')), { maxLength: 5 })
		.map((entries) => Object.fromEntries(entries))
})).value;
const shape = fc.oneof(
	tree,
	fc
		.integer({ min: 0, max: 5_000 })
		.map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, i]))),
	fc.integer({ min: 0, max: 2_000 }).map((n) => Array.from({ length: n }, (_, i) => i % 3 === 0))
);

let serial = 0;
const revision = (doc: Json): Json => {
	const hash = randomBytes(16).toString('hex');
	return { ...doc, _rev: `1-${hash}`, _revisions: { start: 1, ids: [hash] } };
};

function fuzzEvent(data: Json): Json {
	const n = ++serial;
	return revision({
		_id: `event:fuzz-e2e-${n}-${randomBytes(3).toString('hex')}`,
		type: 'event',
		subjectId: ticket._id,
		ticketId: ticket._id,
		kind: 'follow_up',
		visibility: 'internal',
		author,
		at: new Date().toISOString(),
		body: `Fuzz ${n}`,
		data
	});
}

function fuzzTicket(extra: Json): Json {
	const n = ++serial;
	const now = new Date().toISOString();
	return revision({
		_id: `ticket:fuzz-e2e-${n}-${randomBytes(3).toString('hex')}`,
		type: 'ticket',
		kind: 'incident',
		preTicket: false,
		title: `Fuzz ${n}`,
		description: '',
		requester: { name: 'Fuzz' },
		source: 'phone',
		impact: 3,
		urgency: 3,
		priority: 'P5',
		status: 'new',
		level: 1,
		assignees: [],
		links: [],
		createdAt: now,
		createdBy: author,
		updatedAt: now,
		updatedBy: author,
		...extra
	});
}

const fuzzDoc = fc.oneof(
	fc.dictionary(key, shape, { maxKeys: 3 }).map((data) => () => fuzzEvent({ ...data })),
	shape.map((value) => () => fuzzEvent({ value })),
	fc.tuple(fc.stringMatching(/^[a-z][a-zA-Z]{0,8}$/), shape).map(
		([field, value]) =>
			() =>
				fuzzTicket({ [`x${field}`]: value })
	)
);

/** Pushes a sample; returns the id and revision of each document the server accepted. */
async function pushSample(seed: number, count: number): Promise<Map<string, string>> {
	const docs = fc.sample(fuzzDoc, { numRuns: count, seed }).map((make) => make());
	const res = await call('/api/sync/db/_bulk_docs', { docs, new_edits: false });
	expect(res.status).toBe(201);
	const answers = res.body as Array<{ id: string; rev?: string; ok?: boolean; reason?: string }>;
	expect(answers).toHaveLength(docs.length);
	const accepted = new Map<string, string>();
	for (const a of answers) {
		if (a.ok === true) accepted.set(a.id, String(a.rev));
		else expect(a.reason ?? '').not.toBe('');
	}
	expect(accepted.size).toBeGreaterThan(count / 2);
	return accepted;
}

/** The winning revision of each id in the desk's PouchDB (its IndexedDB, read directly). */
async function held(page: Page, ids: string[]): Promise<Record<string, string | null>> {
	return page.evaluate(
		async ({ ids, name }) => {
			const dbs = await indexedDB.databases();
			const dbName = dbs.find((d) => d.name?.endsWith(name))?.name;
			if (!dbName) return Object.fromEntries(ids.map((id) => [id, null]));
			const db = await new Promise<IDBDatabase>((done, fail) => {
				const req = indexedDB.open(dbName);
				req.onsuccess = () => done(req.result);
				req.onerror = () => fail(req.error);
			});
			try {
				const store = db.transaction('docs', 'readonly').objectStore('docs');
				const out: Record<string, string | null> = {};
				await Promise.all(
					ids.map(
						(id) =>
							new Promise<void>((done) => {
								const req = store.get(id);
								req.onsuccess = () => {
									const row = req.result as { rev?: string } | undefined;
									out[id] = row?.rev ?? null;
									done();
								};
								req.onerror = () => {
									out[id] = null;
									done();
								};
							})
					)
				);
				return out;
			} finally {
				db.close();
			}
		},
		{ ids, name: `terrain-${login}` }
	);
}

test('a desk syncs fuzzed documents into IndexedDB with no sync error, first and live', async ({
	browser
}) => {
	test.setTimeout(240_000);
	const before = await pushSample(2_011, 30);

	const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
	const page = await context.newPage();
	const problems: string[] = [];
	page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
	page.on('console', (message) => {
		if (message.type() === 'error' && /AbortError|IndexedDB|DataCloneError/i.test(message.text()))
			problems.push(`console: ${message.text()}`);
	});
	const desk = new DeskPage(page);
	await desk.signIn(server.url, login, DEMO_PASSWORD);
	const status = page.getByRole('status').filter({ hasText: /synchro|ligne|envoy/i });
	await expect(status.first()).toContainText('Dernière synchro', { timeout: 60_000 });

	await expect
		.poll(async () => held(page, [...before.keys()]), { timeout: 30_000 })
		.toEqual(Object.fromEntries(before));

	// Live: documents pushed while the desk is open arrive through the long-poll.
	const after = await pushSample(2_012, 30);
	await expect
		.poll(async () => held(page, [...after.keys()]), { timeout: 60_000 })
		.toEqual(Object.fromEntries(after));

	await expect(page.getByText(/Erreur de synchronisation/)).toHaveCount(0);
	expect(problems).toEqual([]);
	await context.close();
});
