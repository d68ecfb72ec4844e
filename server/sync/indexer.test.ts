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
