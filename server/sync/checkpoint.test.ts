import { describe, expect, it } from 'vitest';
import { generateDemo } from '../demo/generate.ts';
import { dumpModel } from '../../tests/support/model-dump.ts';
import { escalationFactId } from '#lib/domain/sla-facts.ts';
import { CheckpointRejected, ChunkReader, encodeChunks } from './checkpoint.ts';
import type { CouchHttp } from './couch-http.ts';
import { Indexer } from './indexer.ts';

type Raw = Record<string, unknown>;

/** `_all_docs` over a map of stored documents, as the indexer asks for it. */
function fakeHttp(store: Map<string, Raw>): CouchHttp {
	const sorted = [...store.keys()].sort();
	return {
		db: 'terrain',
		async json(path: string, init: { body?: { keys?: string[] } } = {}) {
			const keys = init.body?.keys;
			if (keys) return { rows: keys.map((key) => ({ key, doc: store.get(key) ?? null })) };
			const qs = new URLSearchParams(path.split('?')[1]);
			const start = JSON.parse(qs.get('startkey') ?? '""') as string;
			const end = JSON.parse(qs.get('endkey') ?? '"\\ufff0"') as string;
			const skip = Number(qs.get('skip') ?? 0);
			const limit = Number(qs.get('limit') ?? 1e9);
			const ids = sorted.filter((id) => id >= start && id < end).slice(skip, skip + limit);
			return { rows: ids.map((key) => ({ key, doc: store.get(key) })) };
		}
	} as unknown as CouchHttp;
}

async function demoModel() {
	const demo = generateDemo({ seed: 3, scale: 1, now: new Date('2026-03-02T10:00:00Z') });
	const store = new Map<string, Raw>(
		demo.docs.map((d, i) => [d._id, { ...d, _rev: `1-${i.toString(16)}` } as Raw])
	);
	// An escalation that routed a ticket to another group: a fact the model keeps.
	const ticket = demo.docs.find((d) => d.type === 'ticket')!;
	const factId = escalationFactId(ticket._id, 'response');
	store.set(factId, {
		_id: factId,
		_rev: '1-e',
		type: 'event',
		subjectId: ticket._id,
		ticketId: ticket._id,
		author: 'system',
		authorName: 'Terrain',
		at: '2026-03-02T09:00:00.000Z',
		body: '',
		kind: 'escalated',
		visibility: 'internal',
		data: {
			deadline: 'response',
			dueAt: '2026-03-02T08:00:00.000Z',
			from: 1,
			to: 2,
			group: 'g-escalated',
			told: []
		}
	});
	const indexer = new Indexer(fakeHttp(store));
	await indexer.build();
	return indexer.model;
}

describe('checkpoint of the access model: chunks', () => {
	it('decodes to a model equal to the one encoded, in chunks of bounded size', async () => {
		const model = await demoModel();
		const state = {
			seq: '42-g1AAAA',
			model: model.snapshot(),
			conflicted: ['mission:X'],
			unnumbered: ['ticket:Y', 'ticket:Z']
		};
		const chunks = [...encodeChunks(state, 50_000)];
		expect(chunks.length).toBeGreaterThan(5);
		for (const c of chunks) expect(c.data.length).toBeLessThanOrEqual(50_000);
		const reader = new ChunkReader();
		for (const c of chunks) expect(reader.add(c.data)).toBe(c.records);
		expect(reader.records).toBe(chunks.reduce((n, c) => n + c.records, 0));
		expect(reader.conflicted).toEqual(['mission:X']);
		expect(reader.unnumbered).toEqual(['ticket:Y', 'ticket:Z']);
		const restored = reader.model(model.windowDays());
		expect(restored.size).toBe(model.size);
		expect(dumpModel(restored)).toEqual(dumpModel(model));
		expect(model.snapshot().escalations).toHaveLength(1);
		const factId = model.snapshot().escalations[0]![0];
		const ticketId = factId.split(':').slice(2, 4).join(':');
		expect(restored.escalationGroups(ticketId)).toEqual(['g-escalated']);
		// The routed group reads the ticket: derived from the fact, kept by the checkpoint.
		expect(restored.manifest(['group:g-escalated'], Date.now()).map(([id]) => id)).toContain(
			ticketId
		);
	});

	it('changes after a restore leave it equal to the model it came from, changed the same way', async () => {
		// The restored model derives its dependents and deadlines, and turns each principal's
		// list into a set, only when first needed: every path must end where the original does.
		const model = await demoModel();
		const reader = new ChunkReader();
		for (const c of encodeChunks({
			seq: '1',
			model: model.snapshot(),
			conflicted: [],
			unnumbered: []
		}))
			reader.add(c.data);
		const restored = reader.model(model.windowDays());
		const docs = model.snapshot().docs;
		const timed = docs.find(([, s]) => s.acl.entries.some((e) => e[1] !== null || e[2] !== null));
		const sourced = docs.find(([, s]) => s.acl.sources.length > 0);
		const [a, b] = [docs[0]!, docs[1]!];
		expect(timed && sourced).toBeTruthy();
		for (const m of [model, restored]) {
			// First a new document whose access starts at an instant of its own, then gone.
			const own = {
				rev: '1-n',
				acl: { entries: [['user:zz', 12_345, null] as const], sources: [] }
			};
			m.set('event:own', own as never);
			expect([...m.deadlinesBetween(12_344, 12_345)]).toEqual(['user:zz']);
			m.set('event:own', null);
			expect([...m.deadlinesBetween(12_344, 12_345)]).toEqual([]);
			m.set('event:new', timed![1]); // a new document, with deadlines
			m.set('event:new2', sourced![1]); // a new document sharing another's sources
			m.set(timed![0], null); // gone: its deadlines and principals go with it
			m.set(a[0], b[1]); // readers changed
			m.set(sourced![0], {
				rev: '9-z',
				acl: { entries: [['role:admin', null, null]], sources: [] }
			});
		}
		expect(dumpModel(restored)).toEqual(dumpModel(model));
		expect(restored.deadlinesBetween(-8.64e15, 8.64e15).size).toBeGreaterThan(0);
	});

	it('refuses what is not a chunk of this format', () => {
		const reader = new ChunkReader();
		for (const data of [
			'not json',
			'{}',
			'{"p":[],"a":[],"r":[["d","ticket:A","1-a",0,[]]]}',
			'{"p":["role:admin"],"a":[[3,null,null]],"r":[["d","ticket:A","1-a",0,[]]]}',
			'{"p":["role:admin"],"a":[[0,"x",null]],"r":[]}',
			'{"p":[],"a":[],"r":[["m","mission:A","ticket:A"]]}',
			'{"p":[],"a":[],"r":[["q","x"]]}'
		]) {
			expect(() => reader.add(data), data).toThrow(CheckpointRejected);
		}
	});

	it('refuses a document listed twice', () => {
		const reader = new ChunkReader();
		const chunk = '{"p":["role:admin"],"a":[[0,null,null]],"r":[["d","ticket:A","1-a",0,[]]]}';
		reader.add(chunk);
		reader.add(chunk);
		expect(() => reader.model(undefined)).toThrow(CheckpointRejected);
	});
});
