import { describe, expect, it } from 'vitest';
import type { Result } from '../result.ts';
import {
	checkShape,
	checkStampsFresh,
	EARLIEST_DATE,
	isWellFormedText,
	LATEST_DATE,
	MAX_ARRAY,
	MAX_DEPTH,
	MAX_DOC_CHARS,
	MAX_KEY_LENGTH,
	MAX_KEYS,
	MAX_NUMBER,
	MAX_PROBLEMS,
	MAX_SHORT_TEXT,
	MAX_TEXT,
	STAMP_AHEAD_MS,
	parseDoc,
	parseTicket,
	type DocErrors
} from '../schemas.ts';
import {
	aClient,
	aGrant,
	aMission,
	anEvent,
	aReport,
	aTechfile,
	aTicket,
	at,
	T0
} from '../testing/factories.ts';

type Json = Record<string, unknown>;

function errors<T>(result: Result<T, DocErrors>): readonly string[] {
	if (result.ok) throw new Error('expected the document to be refused');
	return result.error;
}

function valid<T>(result: Result<T, DocErrors>): 'valid' | readonly string[] {
	return result.ok ? 'valid' : result.error;
}

/** An object `levels` deep (built without recursion): level 1 is the object itself. */
function nested(levels: number, leaf: unknown = 'x'): Json {
	let value: Json = { leaf };
	for (let i = 1; i < levels; i++) value = { a: value };
	return value;
}

const eventWith = (data: unknown) => ({ ...anEvent(), data }) as unknown as Json;

describe('nesting', () => {
	it(`accepts free-form data ${MAX_DEPTH} levels deep, refuses ${MAX_DEPTH + 1}`, () => {
		expect(valid(parseDoc(eventWith(nested(MAX_DEPTH))))).toBe('valid');
		expect(errors(parseDoc(eventWith(nested(MAX_DEPTH + 1))))).toEqual([
			`event.data: nested deeper than ${MAX_DEPTH} levels`
		]);
	});

	it('counts lists as levels too', () => {
		let list: unknown = ['x'];
		for (let i = 2; i < MAX_DEPTH; i++) list = [list];
		expect(valid(parseDoc(eventWith({ list })))).toBe('valid');
		expect(errors(parseDoc(eventWith({ list: [list] })))).toEqual([
			`event.data: nested deeper than ${MAX_DEPTH} levels`
		]);
	});

	it('refuses data 3,000 and 1,000,000 levels deep without recursing', () => {
		expect(errors(parseDoc(eventWith(nested(3_000))))).toEqual([
			'event.data: nested deeper than 8 levels'
		]);
		let list: unknown[] = [];
		for (let i = 0; i < 1_000_000; i++) list = [list];
		expect(errors(parseDoc({ ...aTicket(), junk: list }))).toEqual([
			'ticket.junk: nested deeper than 8 levels'
		]);
	});

	it('applies to every field of every type, known or not', () => {
		expect(errors(parseDoc({ ...aClient(), extra: nested(20) }))).toEqual([
			'client.extra: nested deeper than 8 levels'
		]);
		const stamps = { clientId: { at: T0, by: 'user:dina', prev: nested(10) } };
		expect(errors(parseDoc({ ...aTicket(), stamps }))).toEqual([
			'ticket.stamps: nested deeper than 8 levels'
		]);
	});

	it('ends on a cycle (an object of the device, not JSON)', () => {
		const loop: Json = { name: 'loop' };
		loop.self = loop;
		expect(errors(parseDoc(eventWith(loop)))).toEqual(['event.data: nested deeper than 8 levels']);
	});

	it('keeps the real documents, the deepest of which are well within', () => {
		expect(valid(parseDoc(aTechfile()))).toBe('valid');
		expect(checkShape(aTechfile(), 'techfile')).toEqual([]);
	});
});

describe('fields and lists', () => {
	const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));

	it(`accepts ${MAX_KEYS} fields in an object, refuses ${MAX_KEYS + 1}`, () => {
		expect(valid(parseDoc(eventWith(keys(MAX_KEYS))))).toBe('valid');
		expect(errors(parseDoc(eventWith({ inner: keys(MAX_KEYS + 1) })))).toEqual([
			`event.data.inner: must have at most ${MAX_KEYS} fields`
		]);
	});

	it(`accepts field names of ${MAX_KEY_LENGTH} characters, refuses longer`, () => {
		expect(valid(parseDoc(eventWith({ ['k'.repeat(MAX_KEY_LENGTH)]: 1 })))).toBe('valid');
		expect(errors(parseDoc(eventWith({ ['k'.repeat(MAX_KEY_LENGTH + 1)]: 1 })))).toEqual([
			`event.data: must not have a field name longer than ${MAX_KEY_LENGTH} characters`
		]);
	});

	it(`accepts ${MAX_ARRAY} items in a list, refuses ${MAX_ARRAY + 1}`, () => {
		const tasks = (n: number) => Array.from({ length: n }, (_, i) => `tâche ${i}`);
		expect(valid(parseDoc(aReport({ tasks: tasks(MAX_ARRAY) })))).toBe('valid');
		expect(errors(parseDoc(aReport({ tasks: tasks(MAX_ARRAY + 1) })))).toEqual([
			`report.tasks: must have at most ${MAX_ARRAY} items`
		]);
		expect(errors(parseDoc(eventWith({ list: new Array(MAX_ARRAY + 1).fill(0) })))).toEqual([
			`event.data.list: must have at most ${MAX_ARRAY} items`
		]);
	});

	it('refuses __proto__, constructor and prototype as field names, anywhere', () => {
		const proto = JSON.parse('{"__proto__": {"polluted": true}}') as Json;
		expect(errors(parseDoc(eventWith(proto)))).toEqual([
			'event.data: must not have a field named "__proto__"'
		]);
		expect(errors(parseDoc(eventWith({ a: { constructor: 1 } })))).toEqual([
			'event.data.a: must not have a field named "constructor"'
		]);
		const stamps = JSON.parse(`{"prototype": {"at": "${T0}", "by": "user:dina"}}`) as Json;
		expect(errors(parseDoc({ ...aTicket(), stamps }))).toEqual([
			'ticket.stamps: must not have a field named "prototype"'
		]);
		const top = JSON.parse(JSON.stringify(aTicket()).replace(/^\{/, '{"__proto__":{"x":1},'));
		expect(errors(parseDoc(top))).toEqual(['ticket: must not have a field named "__proto__"']);
		expect(({} as Json).polluted).toBeUndefined();
	});

	it('names odd field names in a readable, bounded way', () => {
		const data = { 'a b': { ['é'.repeat(60)]: 'x'.repeat(MAX_TEXT + 1) } };
		expect(errors(parseDoc(eventWith(data)))).toEqual([
			`event.data["a b"]["${'é'.repeat(40)}…"]: must be at most ${MAX_TEXT} characters`
		]);
	});

	it(`reports at most ${MAX_PROBLEMS} problems`, () => {
		const data = Object.fromEntries(
			Array.from({ length: 50 }, (_, i) => [`n${i}`, Number.MAX_VALUE])
		);
		expect(errors(parseDoc(eventWith(data)))).toHaveLength(MAX_PROBLEMS);
	});
});

describe('text', () => {
	it(`accepts ${MAX_TEXT} characters in a long text, refuses more`, () => {
		expect(valid(parseTicket(aTicket({ description: 'x'.repeat(MAX_TEXT) })))).toBe('valid');
		expect(errors(parseTicket(aTicket({ description: 'x'.repeat(MAX_TEXT + 1) })))).toEqual([
			`ticket.description: must be at most ${MAX_TEXT} characters`
		]);
		expect(errors(parseDoc(eventWith({ note: 'x'.repeat(MAX_TEXT + 1) })))).toEqual([
			`event.data.note: must be at most ${MAX_TEXT} characters`
		]);
	});

	it(`accepts ${MAX_SHORT_TEXT} characters in a short text, refuses more`, () => {
		expect(valid(parseTicket(aTicket({ title: 't'.repeat(MAX_SHORT_TEXT) })))).toBe('valid');
		expect(errors(parseTicket(aTicket({ title: 't'.repeat(MAX_SHORT_TEXT + 1) })))).toEqual([
			`ticket.title: must be at most ${MAX_SHORT_TEXT} characters`
		]);
		const client = aClient();
		const site = { ...client.sites[0], city: 'c'.repeat(MAX_SHORT_TEXT + 1) };
		expect(errors(parseDoc({ ...client, sites: [site] }))).toEqual([
			`client.sites[0].city: must be at most ${MAX_SHORT_TEXT} characters`
		]);
		expect(
			errors(parseDoc(aMission({ technicianId: `user:${'a'.repeat(MAX_SHORT_TEXT)}` })))
		).toEqual([`mission.technicianId: must be at most ${MAX_SHORT_TEXT} characters`]);
	});

	it('lets reasons and solutions be long texts', () => {
		expect(valid(parseDoc(aGrant({ reason: 'r'.repeat(5_000) })))).toBe('valid');
		expect(valid(parseDoc(aReport({ tasks: ['t'.repeat(5_000)] })))).toBe('valid');
	});

	it('refuses lone surrogates in texts and field names, keeps emoji and accents', () => {
		expect(isWellFormedText('Réparé 👍 漢字')).toBe(true);
		for (const bad of [
			'\uD800',
			'a\uDC00',
			'\uD83D',
			'x\uDE00y',
			'👍\uDC00',
			'\uDBFF\uDBFF\uDC00\uDC00'
		])
			expect(isWellFormedText(bad)).toBe(false);
		expect(valid(parseDoc(anEvent({ body: 'Réparé 👍 漢字 \u0000 \u202E' })))).toBe('valid');
		expect(errors(parseDoc(anEvent({ body: 'cassé \uD83D' })))).toEqual([
			'event.body: must be valid Unicode text (it holds a lone surrogate)'
		]);
		expect(errors(parseDoc(eventWith({ ['k\uDC00']: 1 })))).toEqual([
			'event.data: must not have a field name that is not valid Unicode'
		]);
	});
});

describe('numbers', () => {
	it('accepts numbers up to the safe integers, zero, minus zero and tiny fractions', () => {
		for (const n of [MAX_NUMBER, -MAX_NUMBER, 0, -0, 5e-324, 1e-300, 0.1])
			expect(valid(parseDoc(eventWith({ n })))).toBe('valid');
	});

	it('refuses larger numbers, infinities and NaN, anywhere', () => {
		const message = `must be a number between ${-MAX_NUMBER} and ${MAX_NUMBER}`;
		for (const n of [2 ** 53, -(2 ** 53), 1e308, Number.POSITIVE_INFINITY, Number.NaN])
			expect(errors(parseDoc(eventWith({ n })))).toEqual([`event.data.n: ${message}`]);
		expect(errors(parseDoc(aMission({ estimatedMinutes: 1e300 })))).toEqual([
			`mission.estimatedMinutes: ${message}`
		]);
		const parts = [{ label: 'Câble', qty: 1e20 }];
		expect(errors(parseDoc(aReport({ parts })))).toEqual([`report.parts[0].qty: ${message}`]);
	});
});

describe('total size', () => {
	it(`refuses a document over ${MAX_DOC_CHARS} characters of JSON`, () => {
		const chunks = Array.from({ length: 150 }, () => 'x'.repeat(15_000));
		expect(valid(parseDoc(eventWith({ chunks: chunks.slice(0, 130) })))).toBe('valid');
		expect(errors(parseDoc(eventWith({ chunks })))).toEqual([
			`event: must be at most ${MAX_DOC_CHARS} characters as JSON`
		]);
	});

	it('leaves inline attachments to their own limit, Buffers and Blobs as they are', () => {
		const big = 'A'.repeat(MAX_DOC_CHARS + 10);
		const report = aReport({
			_attachments: {
				'photo.jpg': { content_type: 'image/jpeg', data: big },
				'sig.png': { content_type: 'image/png', data: new Uint8Array(3_000_000) }
			}
		});
		expect(valid(parseDoc(report))).toBe('valid');
	});
});

describe('dates and times', () => {
	const message = `must be between ${EARLIEST_DATE} and ${LATEST_DATE}`;

	it('accepts times from 2000-01-01 to 2100-01-01, refuses outside', () => {
		for (const t of ['2000-01-01T00:00:00Z', '2100-01-01T00:00:00.000Z', '2099-12-31T23:59+01:00'])
			expect(valid(parseDoc(anEvent({ at: t })))).toBe('valid');
		for (const t of [
			'1999-12-31T23:59:59.999Z',
			'2000-01-01T00:30:00+01:00',
			'2100-01-01T00:00:00.001Z',
			'9999-12-31T23:59:59Z',
			'1900-01-01T00:00:00.000Z'
		])
			expect(errors(parseDoc(anEvent({ at: t })))).toEqual([`event.at: ${message}`]);
	});

	it('applies to stamps, whatever the register', () => {
		const stamps = { clientId: { at: '1900-01-01T00:00:00.000Z', by: 'user:dina' } };
		expect(errors(parseDoc({ ...aTicket(), stamps }))).toEqual([
			`ticket.stamps.clientId.at: ${message}`
		]);
		const prev = {
			status: { at: T0, by: 'user:dina', prev: { at: '1970-01-01T00:00:00Z', by: 'user:eric' } }
		};
		expect(errors(parseDoc({ ...aTicket(), stamps: prev }))).toEqual([
			`ticket.stamps.status.prev.at: ${message}`
		]);
	});

	it('applies to dates', () => {
		const contract = { kind: 'maintenance' as const, start: '1999-12-31', end: '2101-01-01' };
		expect(errors(parseDoc(aClient({ contract })))).toEqual([
			`client.contract.start: ${message}`,
			`client.contract.end: ${message}`
		]);
		const ok = { kind: 'maintenance' as const, start: '2000-01-01', end: '2100-01-01' };
		expect(valid(parseDoc(aClient({ contract: ok })))).toBe('valid');
	});
});

describe('stamps no more than a day ahead of the receiver (checkStampsFresh)', () => {
	const now = Date.parse(T0) + 3_600_000;
	const ahead = (ms: number) => new Date(now + ms).toISOString();

	it('accepts stamps up to a day ahead, refuses later ones, naming the field', () => {
		const atLimit = { clientId: { at: ahead(STAMP_AHEAD_MS), by: 'user:dina' } };
		expect(checkStampsFresh({ ...aTicket(), stamps: atLimit }, now)).toBeNull();
		const over = { clientId: { at: ahead(STAMP_AHEAD_MS + 1), by: 'user:dina' } };
		expect(checkStampsFresh({ ...aTicket(), stamps: over }, now)).toBe(
			`ticket.stamps.clientId.at: must not be more than a day ahead of the current time (${new Date(now).toISOString()})`
		);
	});

	it('checks prev, createdAt and updatedAt too', () => {
		const stamps = {
			status: { at: at(10), by: 'user:dina', prev: { at: ahead(2 * STAMP_AHEAD_MS), by: 'x' } }
		};
		expect(checkStampsFresh({ ...aTicket(), stamps }, now)).toMatch(
			/^ticket\.stamps\.status\.prev\.at: must not be more than a day ahead/
		);
		expect(checkStampsFresh(aTicket({ updatedAt: ahead(2 * STAMP_AHEAD_MS) }), now)).toMatch(
			/^ticket\.updatedAt: /
		);
		expect(checkStampsFresh(aMission({ createdAt: ahead(2 * STAMP_AHEAD_MS) }), now)).toMatch(
			/^mission\.createdAt: /
		);
	});

	it('leaves other times alone: a mission is planned months ahead', () => {
		const mission = aMission({
			start: ahead(90 * STAMP_AHEAD_MS),
			end: ahead(91 * STAMP_AHEAD_MS)
		});
		expect(checkStampsFresh(mission, now)).toBeNull();
		expect(checkStampsFresh(null, now)).toBeNull();
		expect(checkStampsFresh({ stamps: { a: 1, b: { at: 3 } } }, now)).toBeNull();
	});

	it('runs in parseDoc when the caller gives its clock, not otherwise', () => {
		const stamps = { clientId: { at: ahead(2 * STAMP_AHEAD_MS), by: 'user:dina' } };
		const ticket = { ...aTicket(), stamps };
		expect(valid(parseDoc(ticket))).toBe('valid');
		expect(errors(parseDoc(ticket, { now }))).toEqual([
			expect.stringMatching(/^ticket\.stamps\.clientId\.at: must not be more than a day ahead/)
		]);
		expect(valid(parseDoc(aTicket(), { now: new Date(now) }))).toBe('valid');
	});
});

describe('documents that are not documents', () => {
	it('bounds even a document of unknown type before naming it', () => {
		expect(errors(parseDoc({ type: nested(5_000) }))).toEqual([
			'document.type: nested deeper than 8 levels'
		]);
		expect(errors(parseDoc({ type: 'x'.repeat(500) }))).toEqual([
			'document.type: must be a document type'
		]);
		expect(errors(parseDoc({ type: 'spaceship' }))).toEqual(['unknown document type "spaceship"']);
	});
});
