import { describe, expect, it } from 'vitest';
import { aClient, aMission, aTechfile, aTicket, T0 } from '#lib/domain/testing/factories.ts';
import type { CouchHttp } from './couch-http.ts';
import { Indexer } from './indexer.ts';

type Raw = Record<string, unknown>;

/** Just enough of CouchHttp for the indexer: `_all_docs` over a map of stored documents. */
function fakeHttp(store: Map<string, Raw>): CouchHttp {
	return {
		db: 'terrain',
		async json(path: string, init: { body?: { keys?: string[] } } = {}) {
			if (!path.startsWith('terrain/_all_docs')) throw new Error(`unexpected ${path}`);
			const keys = init.body?.keys;
			const qs = new URLSearchParams(path.split('?')[1]);
			const start = JSON.parse(qs.get('startkey') ?? '""') as string;
			const end = JSON.parse(qs.get('endkey') ?? '"\\ufff0"') as string;
			const ids = keys ?? [...store.keys()].filter((id) => id >= start && id < end).sort();
			const skip = Number(qs.get('skip') ?? 0);
			return {
				rows: ids.slice(keys ? 0 : skip).map((key) => ({ key, doc: store.get(key) ?? null }))
			};
		}
	} as unknown as CouchHttp;
}

const rev = (doc: object, r: string, conflicts?: string[]) => ({
	...doc,
	_rev: r,
	...(conflicts ? { _conflicts: conflicts } : {})
});
const THEO = ['user:theo'];
const now = Date.parse(T0);

describe('Indexer: no access from a document whose conflicts are open (issue #11)', () => {
	it('keeps the judged state of a mission while an unmerged branch is its winner', async () => {
		const store = new Map<string, Raw>([
			['ticket:K1', rev(aTicket(), '1-a')],
			['ticket:K2', rev(aTicket({ _id: 'ticket:K2', clientId: 'client:C2' }), '1-b')],
			['client:C2', rev(aClient({ _id: 'client:C2' }), '1-c')],
			['techfile:C2', rev(aTechfile({ clientId: 'client:C2' }), '1-d')],
			['mission:M1', rev(aMission(), '1-e')]
		]);
		const indexer = new Indexer(fakeHttp(store));
		await indexer.build();
		expect(indexer.model.readable('techfile:C2', new Set(THEO), now)).toBe(false);

		// An unmerged branch pointing the mission at another client wins for CouchDB.
		const forged = rev(aMission({ ticketId: 'ticket:K2', clientId: 'client:C2' }), '50-f', ['2-e']);
		store.set('mission:M1', forged);
		await indexer.apply(new Map([['mission:M1', forged]]));
		expect(indexer.model.readable('techfile:C2', new Set(THEO), now)).toBe(false);
		expect(indexer.model.get('mission:M1')?.rev).toBe('1-e');

		// A fresh scan leaves it out altogether, and reports it to be merged.
		const rebuilt = new Indexer(fakeHttp(store));
		expect(await rebuilt.build()).toEqual(['mission:M1']);
		expect(rebuilt.model.readable('techfile:C2', new Set(THEO), now)).toBe(false);
		expect(rebuilt.model.get('mission:M1')).toBeUndefined();

		// Once merged (no conflict left), the model follows the stored revision.
		const merged = rev(aMission({ instructions: 'fusionné' }), '3-g');
		store.set('mission:M1', merged);
		await indexer.apply(new Map([['mission:M1', merged]]));
		expect(indexer.model.get('mission:M1')?.rev).toBe('3-g');
	});
});

describe('Indexer: a lagging copy of a shard takes nothing away (issue #12)', () => {
	const TECH = ['user:tech2'];
	const seed = () =>
		new Map<string, Raw>([
			['ticket:K2', rev(aTicket({ _id: 'ticket:K2', clientId: 'client:C2' }), '1-b')],
			['client:C2', rev(aClient({ _id: 'client:C2' }), '1-c')],
			['techfile:C2', rev(aTechfile({ clientId: 'client:C2' }), '1-d')]
		]);
	const mission = rev(
		aMission({
			_id: 'mission:M2',
			ticketId: 'ticket:K2',
			clientId: 'client:C2',
			technicianId: 'user:tech2'
		}),
		'1-e'
	);

	/** `_all_docs` by keys answered by a copy that has none of `lagging`, `lag.reads` times. */
	function laggingHttp(store: Map<string, Raw>, lagging: Set<string>, lag: { reads: number }) {
		const inner = fakeHttp(store);
		return {
			db: inner.db,
			async json(path: string, init: { body?: { keys?: string[] } } = {}) {
				const keys = init.body?.keys;
				if (!keys) return inner.json(path, init as never);
				const behind = lag.reads > 0;
				lag.reads--;
				return {
					rows: keys.map((key) =>
						behind && lagging.has(key)
							? { key, error: 'not_found' }
							: { key, value: { rev: store.get(key)?._rev }, doc: store.get(key) ?? null }
					)
				};
			}
		} as unknown as CouchHttp;
	}

	it('reads a known ticket again when the copy says it does not exist, and keeps its readers', async () => {
		const store = seed();
		const waits: number[] = [];
		const lag = { reads: 0 };
		const indexer = new Indexer(
			laggingHttp(store, new Set(['ticket:K2', 'client:C2', 'techfile:C2']), lag),
			async (ms) => void waits.push(ms)
		);
		await indexer.build();
		lag.reads = 3;
		store.set('mission:M2', mission);
		await indexer.apply(new Map([['mission:M2', mission]]));
		for (const id of ['ticket:K2', 'client:C2', 'techfile:C2', 'mission:M2'])
			expect(indexer.model.readable(id, new Set(TECH), now), id).toBe(true);
		expect(waits).toEqual([25, 50, 100]);
		expect(indexer.staleReads).toBe(9);
	});

	it('a change replayed at an older revision does not turn the model back', async () => {
		const store = seed();
		const indexer = new Indexer(fakeHttp(store), async () => {});
		await indexer.build();
		store.set('mission:M2', mission);
		await indexer.apply(new Map([['mission:M2', mission]]));
		const moved = rev({ ...mission, technicianId: 'user:tech1' }, '2-f');
		store.set('mission:M2', moved);
		await indexer.apply(new Map([['mission:M2', moved]]));
		// A feed resumed on a lagging node hands the first revision again.
		await indexer.apply(new Map([['mission:M2', mission]]));
		expect(indexer.model.get('mission:M2')?.rev).toBe('2-f');
		expect(indexer.model.readable('ticket:K2', new Set(TECH), now)).toBe(false);
		expect(indexer.model.readable('ticket:K2', new Set(['user:tech1']), now)).toBe(true);
	});

	it('a regression that lasts is taken after the last attempt', async () => {
		const store = seed();
		const lag = { reads: 0 };
		const indexer = new Indexer(laggingHttp(store, new Set(['client:C2']), lag), async () => {});
		await indexer.build();
		lag.reads = 1000;
		store.set('mission:M2', mission);
		await indexer.apply(new Map([['mission:M2', mission]]));
		expect(indexer.model.get('client:C2')).toBeUndefined();
		expect(indexer.model.readable('ticket:K2', new Set(TECH), now)).toBe(true);
	});
});
