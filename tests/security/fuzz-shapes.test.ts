/**
 * Issue #11, point 2: document shapes an attacker can push with raw HTTP — nesting thousands
 * of levels deep, objects with thousands of fields, long texts, odd Unicode (lone surrogates,
 * emoji, joiners), `__proto__`/`constructor` fields, numbers at the edges (-0, 1e308, 2^53 + 1,
 * subnormals), stamps at odd times — as an event's free-form `data` and as extra or wrong
 * fields of tickets, missions and clients. Each push is answered 201, and each document either
 * refused with a reason (nothing stored) or stored, in which case it passes `parseDoc`, reads
 * back unchanged through `bulk_get` and lands in a device's PouchDB. Never a 500, never a crash.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWellFormedText, MAX_DEPTH, parseDoc } from '../../src/lib/domain/schemas.ts';
import {
	aClient,
	aConfig,
	aMission,
	anEvent,
	aTechfile,
	actor,
	aTicket,
	people,
	qualify,
	ticketThrough,
	T0
} from '../../src/lib/domain/testing/factories.ts';
import {
	addAccounts,
	Clock,
	nextRevision,
	PouchDevice,
	putAll,
	Session,
	startSyncServer,
	stored,
	type Json,
	type SyncServer
} from '../support/sync-device.ts';

const HOUR = 3600_000;
const dina = people.dispatcher();
const theo = people.technician('theo');

let clock: Clock;
let server: SyncServer;
let session: Session;

beforeAll(async () => {
	clock = new Clock(Date.parse(T0) + 2 * HOUR);
	server = await startSyncServer(clock);
	await addAccounts(server.couch, [dina, theo]);
	await putAll(server.couch, [
		aConfig('access'),
		aClient(),
		aTechfile(),
		ticketThrough([[qualify, actor(dina)]]),
		aMission()
	] as unknown as Json[]);
	session = await new Session(server.url, 'dina').signIn();
});

afterAll(async () => {
	await server?.stop();
});

// ---- shapes -------------------------------------------------------------------------------

/** `levels` nested objects or lists around `leaf`, built without recursion. */
function nest(levels: number, kind: 'object' | 'array', leaf: unknown): unknown {
	let value: unknown = leaf;
	for (let i = 0; i < levels; i++) value = kind === 'object' ? { a: value } : [value];
	return value;
}

const edgeNumber = fc.oneof(
	fc.constantFrom(
		-0,
		0,
		1e308,
		-1e308,
		1.7976931348623157e308,
		2 ** 53 + 1,
		2 ** 53,
		-(2 ** 53),
		Number.MAX_SAFE_INTEGER,
		-Number.MAX_SAFE_INTEGER,
		Number.MIN_VALUE,
		5e-324,
		2.2250738585072014e-308,
		0.1 + 0.2,
		1e21,
		-1e-7
	),
	fc.double({ noNaN: true, noDefaultInfinity: true }),
	fc.integer()
);

const oddString = fc.oneof(
	fc.string({ unit: 'binary', maxLength: 12 }),
	fc.string({ unit: 'grapheme', maxLength: 12 }),
	fc.constantFrom(
		'\uD800',
		'\uDFFF',
		'a\uD83Db',
		'👍\uDC00',
		'👨‍👩‍👧‍👦',
		'🏳️‍🌈',
		'e\u0301',
		'\u0000',
		'\u202Eevil',
		'\uFEFF',
		'',
		' '
	),
	fc.integer({ min: 900, max: 30_000 }).map((n) => 'é'.repeat(n))
);

const oddKey = fc.oneof(
	fc.constantFrom(
		'__proto__',
		'constructor',
		'prototype',
		'toString',
		'hasOwnProperty',
		'valueOf',
		'',
		' ',
		'$ref',
		'a.b',
		'[0]',
		'\uD800',
		'😀',
		'k'.repeat(201)
	),
	fc.string({ maxLength: 8 })
);

const leaf = fc.oneof(edgeNumber, oddString, fc.boolean(), fc.constant(null));

const tree = fc.letrec((tie) => ({
	value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
	array: fc.array(tie('value'), { maxLength: 4 }),
	// Object.fromEntries defines own fields, `__proto__` included, as JSON.parse does.
	object: fc
		.array(fc.tuple(oddKey, tie('value')), { maxLength: 4 })
		.map((entries) => Object.fromEntries(entries))
})).value;

/**
 * The deepest nesting the property sends: past where JSON.stringify overflows its stack (a
 * little under 5,000 levels), which the push bounds without recursion first.
 */
const DEEPEST = 5_000;

const shape = fc.oneof(
	tree,
	fc
		.tuple(fc.integer({ min: 1, max: DEEPEST }), fc.constantFrom('object', 'array' as const), leaf)
		.map(([levels, kind, value]) => nest(levels, kind as 'object' | 'array', value)),
	fc
		.integer({ min: 0, max: 12_000 })
		.map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, i]))),
	fc.integer({ min: 0, max: 6_000 }).map((n) => Array.from({ length: n }, (_, i) => i % 7))
);

const time = fc.oneof(
	fc.constantFrom(
		'1900-01-01T00:00:00.000Z',
		'1970-01-01T00:00:00Z',
		'1999-12-31T23:59:59.999Z',
		'2000-01-01T00:00:00Z',
		'2099-12-31T23:00:00+01:00',
		'9999-12-31T23:59:59Z',
		'0000-01-01T00:00:00Z',
		'2025-02-30T10:00:00Z',
		'not a date'
	),
	fc
		.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2026, 0, 1) })
		.map((ms) => new Date(ms).toISOString())
);

// ---- documents ----------------------------------------------------------------------------

let serial = 0;
const nextId = (type: string) => `${type}:fuzz-${++serial}`;

function event(fields: Json): Json {
	const doc: Json = { ...anEvent({ _id: nextId('event'), author: dina._id }), ...fields };
	delete doc.authorName; // the profile's name is checked; the fuzz is not about that
	return doc;
}

const ticket = (fields: Json): Json => ({
	...aTicket({ _id: nextId('ticket'), createdBy: dina._id }),
	...fields
});

const mission = (fields: Json): Json => ({
	...aMission({ _id: nextId('mission'), ticketId: 'ticket:K1', clientId: 'client:C1' }),
	...fields
});

const client = (fields: Json): Json => ({ ...aClient({ _id: nextId('client') }), ...fields });

/** One fuzzed document, made when the sample is used so each gets a fresh id. */
const fuzzDoc: fc.Arbitrary<() => Json> = fc.oneof(
	fc.dictionary(oddKey, shape, { maxKeys: 3 }).map((data) => () => event({ data: { ...data } })),
	shape.map((value) => () => event({ data: { value } })),
	oddString.map((body) => () => event({ body })),
	fc.tuple(oddKey, shape).map(
		([key, value]) =>
			() =>
				ticket(Object.fromEntries([[key, value]]))
	),
	oddString.map((title) => () => ticket({ title })),
	shape.map(
		(value) => () => ticket({ requester: { name: 'Marie Durand', extra: value } as unknown })
	),
	fc.tuple(oddKey, time).map(
		([key, at]) =>
			() =>
				ticket({ stamps: Object.fromEntries([[key, { at, by: dina._id }]]) })
	),
	fc.tuple(oddKey, shape).map(
		([key, value]) =>
			() =>
				mission(Object.fromEntries([[key, value]]))
	),
	edgeNumber.map((estimatedMinutes) => () => mission({ estimatedMinutes })),
	oddString.map((instructions) => () => mission({ instructions })),
	edgeNumber.map(
		(lat) => () =>
			client({
				sites: [{ id: 's1', address: '1 rue A', city: 'Paris', postcode: '75001', lat }]
			})
	),
	time.map((start) => () => mission({ start }))
);

// ---- the check ----------------------------------------------------------------------------

interface Outcome {
	readonly doc: Json;
	readonly ok: boolean;
	readonly reason?: string;
}

class Raw {
	readonly text: string;
	constructor(text: string) {
		this.text = text;
	}
}

/**
 * JSON.stringify without recursion: the engine's own overflows its stack a few thousand
 * levels down, and the point is to send such documents to the server.
 */
function toJson(value: unknown): string {
	const out: string[] = [];
	const stack: unknown[] = [value];
	while (stack.length > 0) {
		const item = stack.pop();
		if (item instanceof Raw) {
			out.push(item.text);
		} else if (Array.isArray(item)) {
			stack.push(new Raw(']'));
			for (let i = item.length - 1; i >= 0; i--) {
				stack.push(item[i] === undefined ? null : item[i]);
				if (i > 0) stack.push(new Raw(','));
			}
			stack.push(new Raw('['));
		} else if (typeof item === 'object' && item !== null) {
			const entries = Object.entries(item).filter(([, v]) => v !== undefined);
			stack.push(new Raw('}'));
			for (let i = entries.length - 1; i >= 0; i--) {
				const [key, v] = entries[i] as [string, unknown];
				stack.push(v);
				stack.push(new Raw(`${i > 0 ? ',' : ''}${JSON.stringify(key)}:`));
			}
			stack.push(new Raw('{'));
		} else {
			out.push(JSON.stringify(item) ?? 'null');
		}
	}
	return out.join('');
}

/** JSON as it travels: -0 becomes 0, and so on. */
const asSent = (doc: Json): Json => JSON.parse(toJson(doc)) as Json;

/** POST /api/sync/db/_bulk_docs as the replicator does, whatever the depth. */
async function pushRaw(docs: readonly Json[]): Promise<{ status: number; body: unknown }> {
	const res = await session.call('/api/sync/db/_bulk_docs', {
		method: 'POST',
		body: toJson({ docs, new_edits: false })
	});
	return { status: res.status, body: res.body as unknown };
}

const withoutRevisions = ({ _revisions: _, ...rest }: Json): Json => rest;

const accepted: Json[] = [];

/** Pushes one document and checks the answer against the database. */
async function pushOne(body: Json): Promise<Outcome> {
	const doc = nextRevision(body);
	const res = await pushRaw([doc]);
	expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(201);
	const answers = res.body as Array<Record<string, unknown>>;
	expect(answers).toHaveLength(1);
	const answer = answers[0] as Record<string, unknown>;
	expect(answer.id).toBe(doc._id);
	const saved = await stored(server.couch, String(doc._id));
	if (answer.ok === true) {
		expect(answer.rev).toBe(doc._rev);
		expect(saved).not.toBeNull();
		const parsed = parseDoc(saved);
		expect(parsed.ok ? 'valid' : parsed.error).toBe('valid');
		// The manifest waits until the access model holds the write, then lists it.
		const listed = new Map((await session.manifest()).docs);
		expect(listed.get(String(doc._id))).toBe(doc._rev);
		const [back] = await session.bulkGet([[String(doc._id), String(doc._rev)]]);
		expect(withoutRevisions(back as Json)).toEqual(withoutRevisions(asSent(doc)));
		accepted.push(asSent(doc));
		return { doc, ok: true };
	}
	expect(answer).toMatchObject({ error: 'forbidden' });
	const reason = answer.reason;
	expect(typeof reason).toBe('string');
	const text = reason as string;
	expect(text.length).toBeGreaterThan(0);
	expect(text.length).toBeLessThan(5_000);
	expect(isWellFormedText(text)).toBe(true);
	expect(saved).toBeNull();
	return { doc, ok: false, reason: text };
}

describe('fuzzed document shapes through push', () => {
	it('refuses event data 3,000 levels deep, naming the field and the depth', async () => {
		const outcome = await pushOne(event({ data: nest(3_000, 'object', 'x') as Json }));
		expect(outcome.ok).toBe(false);
		expect(outcome.reason).toContain(`event.data: nested deeper than ${MAX_DEPTH} levels`);
	});

	it('refuses a stamp in 1900', async () => {
		const stamps = { clientId: { at: '1900-01-01T00:00:00.000Z', by: dina._id } };
		const outcome = await pushOne(ticket({ stamps }));
		expect(outcome.ok).toBe(false);
		expect(outcome.reason).toContain(
			'ticket.stamps.clientId.at: must be between 2000-01-01 and 2100-01-01'
		);
	});

	it("refuses a stamp more than a day ahead of the server's clock", async () => {
		const at = new Date(clock.ms + 24 * HOUR + 60_000).toISOString();
		const outcome = await pushOne(ticket({ stamps: { clientId: { at, by: dina._id } } }));
		expect(outcome.reason).toContain(
			'ticket.stamps.clientId.at: must not be more than a day ahead of the current time'
		);
		const almost = new Date(clock.ms + 23 * HOUR).toISOString();
		const fine = await pushOne(ticket({ stamps: { clientId: { at: almost, by: dina._id } } }));
		expect(fine.reason).toBeUndefined();
	});

	it('refuses __proto__ in free-form data, and pollutes nothing', async () => {
		const data = JSON.parse('{"__proto__": {"isAdmin": true}}') as Json;
		const outcome = await pushOne(event({ data }));
		expect(outcome.reason).toContain('event.data: must not have a field named "__proto__"');
		expect(({} as Json).isAdmin).toBeUndefined();
	});

	it('stores a document at the limits and reads it back', async () => {
		const data = {
			deep: nest(MAX_DEPTH - 1, 'object', '👍 e\u0301'),
			numbers: [-0, 5e-324, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 0.1],
			toString: 'a field name like a method',
			text: 'é'.repeat(20_000)
		};
		const outcome = await pushOne(event({ data }));
		expect(outcome.reason).toBeUndefined();
	});

	it('answers every fuzzed document with a refusal and its reason, or stores it', async () => {
		const before = accepted.length;
		let refused = 0;
		await fc.assert(
			fc.asyncProperty(fuzzDoc, async (make) => {
				const outcome = await pushOne(make());
				if (!outcome.ok) refused++;
			}),
			{ numRuns: 250, seed: 11, endOnFailure: true }
		);
		// Both sides must have been exercised for the run to mean something.
		expect(refused).toBeGreaterThan(25);
		expect(accepted.length - before).toBeGreaterThan(25);
	}, 120_000);

	it('also answers fuzzed batches sent together, each on its own', async () => {
		const samples = fc.sample(fuzzDoc, { numRuns: 40, seed: 12 });
		const docs = samples.map((make) => nextRevision(make()));
		const res = await pushRaw(docs);
		expect(res.status).toBe(201);
		const answers = res.body as Array<Record<string, unknown>>;
		expect(answers.map((a) => a.id)).toEqual(docs.map((d) => d._id));
		for (const [i, a] of answers.entries()) {
			const saved = await stored(server.couch, String(docs[i]?._id));
			if (a.ok === true) {
				expect(parseDoc(saved).ok).toBe(true);
				accepted.push(asSent(docs[i] as Json));
			} else {
				expect(String(a.reason).length).toBeGreaterThan(0);
				expect(saved).toBeNull();
			}
		}
	});

	it('a device pulls every accepted document into its PouchDB', async () => {
		const device = new PouchDevice(server.url, 'dina');
		await device.signIn();
		await device.pull();
		for (const doc of accepted) {
			const held = await device.get(String(doc._id));
			expect(withoutRevisions(held)).toEqual(withoutRevisions(doc));
		}
		// Whatever PouchDB's replicator then sends back of its own (fuzzed edits included) is
		// answered too: written or denied with a reason, never an error.
		const edits = fc.sample(fuzzDoc, { numRuns: 15, seed: 13 }).map((make) => make());
		for (const doc of edits) await device.put(doc);
		const result = await device.push();
		for (const d of result.denied) expect(d.reason.length).toBeGreaterThan(0);
		expect(result.written + result.denied.length).toBeGreaterThanOrEqual(edits.length);
	});

	it('refuses a document 10,000 levels deep with a reason, not a 500', async () => {
		// The push bounds the shape before it measures JSON.stringify(body), which recurses.
		const outcome = await pushOne(event({ data: nest(10_000, 'array', 1) as Json }));
		expect(outcome.reason).toContain(`event.data: nested deeper than ${MAX_DEPTH} levels`);
	});

	it('refuses a deletion whose body is nested 3,000 levels deep', async () => {
		// A deletion's body is bounded too, and never stored (a tombstone keeps none).
		const doc = nextRevision({ _id: 'ticket:K1', _deleted: true, junk: nest(3_000, 'object', 1) });
		const res = await pushRaw([doc]);
		const [answer] = res.body as Array<Record<string, unknown>>;
		expect(answer?.reason).toContain('document.junk: nested deeper than 8 levels');
	});

	it('the server is still answering', async () => {
		const res = await session.call('/api/sync/manifest');
		expect(res.status).toBe(200);
	});
});
