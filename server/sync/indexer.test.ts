import { describe, expect, it } from 'vitest';
import {
	aClient,
	aMission,
	aTechfile,
	aTicket,
	anEvent,
	T0
} from '#lib/domain/testing/factories.ts';
import type { CouchHttp } from './couch-http.ts';
import { Indexer } from './indexer.ts';

type Raw = Record<string, unknown>;

/**
 * Just enough of CouchHttp for the indexer: `_all_docs` over a map of stored documents, and
 * `_bulk_get` of the revisions in `revisions` (by `${id} ${rev}`) and of the stored ones.
 */
function fakeHttp(store: Map<string, Raw>, revisions = new Map<string, Raw>()): CouchHttp {
	for (const doc of store.values()) revisions.set(`${String(doc._id)} ${String(doc._rev)}`, doc);
	return {
		db: 'terrain',
		async json(
			path: string,
			init: { body?: { keys?: string[]; docs?: Array<{ id: string; rev: string }> } } = {}
		) {
			if (path.startsWith('terrain/_bulk_get')) {
				// Every revision kept, by `${id} ${rev}` (the branches of a conflict).
				return {
					results: (init.body?.docs ?? []).map(({ id, rev }) => {
						const doc = revisions.get(`${id} ${rev}`);
						return { id, docs: [doc ? { ok: doc } : { error: { id, rev, error: 'not_found' } }] };
					})
				};
			}
			if (!path.startsWith('terrain/_all_docs')) throw new Error(`unexpected ${path}`);
			const keys = init.body?.keys;
			const qs = new URLSearchParams(path.split('?')[1]);
			const start = JSON.parse(qs.get('startkey') ?? '""') as string;
			const end = JSON.parse(qs.get('endkey') ?? '"\\ufff0"') as string;
			const ids = keys ?? [...store.keys()].filter((id) => id >= start && id < end).sort();
			const skip = Number(qs.get('skip') ?? 0);
			return {
				rows: ids.slice(keys ? 0 : skip).map((key) => {
					const doc = store.get(key);
					return doc ? { key, value: { rev: doc._rev }, doc } : { key, error: 'not_found' };
				})
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

describe('Indexer: a document in conflict is read as all its branches agree (issue #12)', () => {
	const DESK = new Set(['role:dispatcher']);
	const honest = rev(aTicket({ _id: 'ticket:K2', group: 'network' }), '3-a');
	// A branch that would bring a group and a user in: read by neither until merged.
	const other = rev(
		aTicket({ _id: 'ticket:K2', group: 'desktop', assignees: ['user:theo'] }),
		'3-b'
	);
	const event = rev(
		anEvent({ _id: 'event:E2', subjectId: 'ticket:K2', ticketId: 'ticket:K2' }),
		'1-e'
	);

	it('a scan finds a ticket in conflict: the desk keeps it and its timeline, no branch widens it', async () => {
		const winner = { ...other, _conflicts: ['3-a'] };
		const store = new Map<string, Raw>([
			['ticket:K2', winner],
			['event:E2', event]
		]);
		const indexer = new Indexer(
			fakeHttp(
				store,
				new Map([
					['ticket:K2 3-a', honest],
					['ticket:K2 3-b', other]
				])
			),
			async () => {}
		);
		expect(await indexer.build()).toEqual(['ticket:K2']);
		expect(indexer.model.readable('ticket:K2', DESK, now)).toBe(true);
		expect(indexer.model.readable('event:E2', DESK, now)).toBe(true);
		expect(indexer.model.readable('ticket:K2', new Set(['group:network']), now)).toBe(false);
		expect(indexer.model.readable('ticket:K2', new Set(['group:desktop']), now)).toBe(false);
		expect(indexer.model.readable('ticket:K2', new Set(THEO), now)).toBe(false);
	});

	it('a branch that cannot be read leaves the document out, as before', async () => {
		const store = new Map<string, Raw>([['ticket:K2', { ...other, _conflicts: ['3-a'] }]]);
		const indexer = new Indexer(fakeHttp(store), async () => {});
		await indexer.build();
		expect(indexer.model.get('ticket:K2')).toBeUndefined();
	});

	it('a ticket first seen in conflict through the feed gets the agreed readers', async () => {
		const store = new Map<string, Raw>([['event:E2', event]]);
		const revisions = new Map([
			['ticket:K2 3-a', honest],
			['ticket:K2 3-b', other]
		]);
		const indexer = new Indexer(fakeHttp(store, revisions), async () => {});
		await indexer.build();
		expect(indexer.model.readable('event:E2', DESK, now)).toBe(false);
		const winner = { ...other, _conflicts: ['3-a'] };
		store.set('ticket:K2', winner);
		await indexer.apply(new Map([['ticket:K2', winner]]));
		expect(indexer.model.get('ticket:K2')?.rev).toBe('3-b');
		expect(indexer.model.readable('ticket:K2', DESK, now)).toBe(true);
		expect(indexer.model.readable('event:E2', DESK, now)).toBe(true);
		expect(indexer.model.readable('ticket:K2', new Set(THEO), now)).toBe(false);
		// Merged: the stored revision is judged as usual.
		const merged = rev(
			aTicket({ _id: 'ticket:K2', group: 'network', assignees: ['user:theo'] }),
			'4-m'
		);
		store.set('ticket:K2', merged);
		await indexer.apply(new Map([['ticket:K2', merged]]));
		expect(indexer.model.readable('ticket:K2', new Set(THEO), now)).toBe(true);
	});
});

describe('Indexer: a held document still narrows, and a conflicted ticket is as strict as its branches (review of issue #12 fixes)', () => {
	const TECH = new Set(['user:tech2']);
	const mission = (status: 'planned' | 'cancelled', r: string) =>
		rev(
			aMission({
				_id: 'mission:M2',
				ticketId: 'ticket:K2',
				clientId: 'client:C2',
				technicianId: 'user:tech2',
				status
			}),
			r
		);

	it('a technical file in conflict is taken from the technician whose mission is cancelled', async () => {
		const fileA = rev(aTechfile({ clientId: 'client:C2', notes: 'a' }), '3-a');
		const fileB = rev(aTechfile({ clientId: 'client:C2', notes: 'b' }), '3-b');
		const store = new Map<string, Raw>([
			['ticket:K2', rev(aTicket({ _id: 'ticket:K2', clientId: 'client:C2' }), '1-t')],
			['client:C2', rev(aClient({ _id: 'client:C2' }), '1-c')],
			['techfile:C2', fileA],
			['mission:M2', mission('planned', '1-m')]
		]);
		const revisions = new Map([
			['techfile:C2 3-a', fileA],
			['techfile:C2 3-b', fileB]
		]);
		const indexer = new Indexer(fakeHttp(store, revisions), async () => {});
		await indexer.build();
		expect(indexer.model.readable('techfile:C2', TECH, now)).toBe(true);
		// A second branch arrives: held, the technician still reads it (both branches agree).
		const conflicted = { ...fileB, _conflicts: ['3-a'] };
		store.set('techfile:C2', conflicted);
		await indexer.apply(new Map([['techfile:C2', conflicted]]));
		expect(indexer.model.readable('techfile:C2', TECH, now)).toBe(true);
		// The mission is called off while the conflict is open: the file leaves him at once.
		const cancelled = mission('cancelled', '2-m');
		store.set('mission:M2', cancelled);
		await indexer.apply(new Map([['mission:M2', cancelled]]));
		expect(indexer.model.readable('techfile:C2', TECH, now)).toBe(false);
		expect(indexer.model.readable('techfile:C2', new Set(['role:dispatcher']), now)).toBe(true);
	});

	it('a scan of a ticket in conflict, closed on one branch, ends its technician’s window', async () => {
		const open = rev(aTicket({ _id: 'ticket:K2', clientId: 'client:C2' }), '5-o');
		const closedAt = '2025-01-01T09:00:00.000Z';
		const closed = rev(
			{
				...aTicket({ _id: 'ticket:K2', clientId: 'client:C2' }),
				status: 'closed',
				category: 'network',
				group: 'network',
				closure: { at: closedAt, by: 'user:disp', how: 'level1', solution: 'Réglé.' }
			},
			'5-c'
		);
		const store = new Map<string, Raw>([
			['ticket:K2', { ...open, _conflicts: ['5-c'] }],
			['mission:M2', mission('planned', '1-m')]
		]);
		const revisions = new Map([
			['ticket:K2 5-o', open],
			['ticket:K2 5-c', closed]
		]);
		const indexer = new Indexer(fakeHttp(store, revisions), async () => {});
		await indexer.build();
		// Closed two months before `now` on one branch: past the 7-day window, the mission's
		// technician no longer reads the mission (an open branch does not bring it back).
		expect(indexer.model.ticket('ticket:K2')?.endedAt).toBe(closedAt);
		expect(indexer.model.readable('mission:M2', TECH, now)).toBe(false);
		expect(indexer.model.readable('mission:M2', new Set(['role:dispatcher']), now)).toBe(true);
	});

	it('a lower revision read again the same is taken after 75 ms, not 2.8 s', async () => {
		const store = new Map<string, Raw>([['mission:M2', mission('planned', '5-x')]]);
		const waits: number[] = [];
		const indexer = new Indexer(fakeHttp(store), async (ms) => void waits.push(ms));
		await indexer.build();
		// The longer branch deleted at a merge: the winner is now a shorter one.
		const shorter = mission('cancelled', '3-b');
		store.set('mission:M2', shorter);
		await indexer.apply(new Map([['mission:M2', shorter]]));
		expect(waits).toEqual([25, 50]);
		expect(indexer.model.get('mission:M2')?.rev).toBe('3-b');
	});
});

describe('Indexer: an event about an event (a merge’s note on a duplicated notice)', () => {
	// Its id sorts before its subject's, as a ULID note before `event:notice:…` does.
	const notice = anEvent({
		_id: 'event:notice:notif:mission:M1:000001',
		kind: 'notice_sent',
		visibility: 'requester'
	});
	const note = anEvent({
		_id: 'event:01NOTE',
		subjectId: notice._id,
		kind: 'merge_set_aside',
		author: 'system'
	});
	const base = (): Map<string, Raw> =>
		new Map<string, Raw>([
			['ticket:K1', rev(aTicket(), '1-a')],
			['mission:M1', rev(aMission(), '1-b')]
		]);

	it('is read by its subject’s readers after a scan, whatever the order of their ids', async () => {
		const store = base();
		store.set(notice._id, rev(notice, '1-n'));
		store.set(note._id, rev(note, '1-m'));
		const indexer = new Indexer(fakeHttp(store));
		await indexer.build();
		expect(indexer.model.readable(notice._id, new Set(THEO), now)).toBe(true);
		expect(indexer.model.readable(note._id, new Set(THEO), now)).toBe(true);
	});

	it('is read by its subject’s readers when both come in one batch of changes', async () => {
		const store = base();
		const indexer = new Indexer(fakeHttp(store));
		await indexer.build();
		store.set(notice._id, rev(notice, '1-n'));
		store.set(note._id, rev(note, '1-m'));
		await indexer.apply(
			new Map([
				[note._id, store.get(note._id)!],
				[notice._id, store.get(notice._id)!]
			])
		);
		expect(indexer.model.readable(note._id, new Set(THEO), now)).toBe(true);
	});
});
