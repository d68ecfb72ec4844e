import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
	aClient,
	aConfig,
	anEvent,
	aReport,
	aTechfile,
	aTicket,
	people
} from '../../src/lib/domain/testing/factories.ts';
import { MAX_DEPTH } from '../../src/lib/domain/limits.ts';
import { buildDesignDocs } from '../build.ts';

/**
 * The bundled function run as CouchDB runs it: in a realm of its own, with no `Intl` (CouchDB
 * 3.5's QuickJS has none), on a document parsed from JSON inside that realm.
 */
let run: (json: string) => string | null;

beforeAll(async () => {
	const design = (await buildDesignDocs()).find((d) => d._id === '_design/terrain');
	const source = design?.validate_doc_update;
	if (source === undefined) throw new Error('no validate_doc_update in _design/terrain');
	const context: Record<string, unknown> = {};
	runInNewContext(`delete globalThis.Intl; var validate = (${source});`, context);
	run = (json) => {
		context.json = json;
		const outcome = runInNewContext(
			`(function () {
				try { validate(JSON.parse(json), null, { name: 'admin', roles: ['_admin'] }, {}); return null; }
				catch (e) { return e && e.forbidden !== undefined ? String(e.forbidden) : 'threw: ' + String(e); }
			})()`,
			context
		) as string | null;
		return outcome;
	};
}, 60_000);

function deep(levels: number): string {
	return `${'{"a":'.repeat(levels - 1)}{"leaf":1}${'}'.repeat(levels - 1)}`;
}

const deep3000 = deep(3_000);

describe('validate_doc_update, bundled with the domain limits', () => {
	it('accepts valid documents of every kind, without Intl', () => {
		for (const doc of [
			aClient(),
			aTechfile(),
			aTicket(),
			anEvent(),
			aReport(),
			people.dispatcher(),
			aConfig('sla'),
			aConfig('taxonomy'),
			aConfig('notice_templates')
		])
			expect(run(JSON.stringify(doc))).toBeNull();
	});

	it('refuses data nested 3,000 levels deep, naming the field and the rule', () => {
		const event = JSON.stringify({ ...anEvent(), data: { x: 1 } }).replace('{"x":1}', deep(3_000));
		expect(run(event)).toBe(`event.data: nested deeper than ${MAX_DEPTH} levels`);
	});

	it('refuses a stamp in 1900 and a __proto__ field', () => {
		const stamps = { clientId: { at: '1900-01-01T00:00:00.000Z', by: 'user:dina' } };
		expect(run(JSON.stringify({ ...aTicket(), stamps }))).toBe(
			'ticket.stamps.clientId.at: must be between 2000-01-01 and 2100-01-01'
		);
		const proto = JSON.stringify({ ...anEvent(), data: {} }).replace(
			'"data":{}',
			'"data":{"__proto__":{"admin":true}}'
		);
		expect(run(proto)).toBe('event.data: must not have a field named "__proto__"');
	});

	it('holds the body of a deletion to the same bounds', () => {
		expect(run('{"_id":"ticket:K1","_rev":"2-a","_deleted":true}')).toBeNull();
		const deep = `{"_id":"ticket:K1","_rev":"2-a","_deleted":true,"junk":${deep3000}}`;
		expect(run(deep)).toBe(`document.junk: nested deeper than ${MAX_DEPTH} levels`);
	});

	it('does not hold stamps to its own clock (the server does, with its time)', () => {
		const stamps = { clientId: { at: '2099-01-01T00:00:00.000Z', by: 'user:dina' } };
		expect(run(JSON.stringify({ ...aTicket(), stamps }))).toBeNull();
	});
});
