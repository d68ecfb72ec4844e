import { describe, expect, it } from 'vitest';
import {
	batches,
	planPull,
	pullRank,
	unconfirmedIds,
	WRITTEN_MAX,
	type ManifestEntry,
	type PullInput,
	type RemovedMark
} from './plan.ts';

function input(overrides: Partial<PullInput> = {}): PullInput {
	return {
		manifest: [],
		missing: new Set(),
		localIds: [],
		serverRevs: new Map(),
		removed: new Map(),
		pending: new Set(),
		...overrides
	};
}

describe('planPull', () => {
	it('fetches what the device lacks and counts what it holds as done', () => {
		const plan = planPull(
			input({
				manifest: [
					['ticket:a', '1-a'],
					['ticket:b', '2-b'],
					['client:c', '1-c']
				],
				missing: new Set(['ticket:b', 'client:c']),
				localIds: ['ticket:a', 'ticket:b']
			})
		);
		// The client first: the list names it (pullRank).
		expect(plan.fetch).toEqual([
			['client:c', '1-c'],
			['ticket:b', '2-b']
		]);
		expect(plan.present).toEqual([['ticket:a', '1-a']]);
		expect(plan).toMatchObject({ total: 3, done: 1, remove: [], tickets: { total: 2, done: 1 } });
	});

	it('resumes a first sync where it stopped: stored documents count as done', () => {
		const manifest = Array.from({ length: 1000 }, (_, i) => [`event:${i}`, '1-x'] as const);
		const stored = 600;
		const plan = planPull(
			input({
				manifest,
				missing: new Set(manifest.slice(stored).map(([id]) => id)),
				localIds: manifest.slice(0, stored).map(([id]) => id)
			})
		);
		expect(plan).toMatchObject({ total: 1000, done: 600 });
		expect(plan.fetch[0]).toEqual(['event:600', '1-x']);
	});

	it('removes documents no longer listed, but keeps a new local one not yet pushed', () => {
		const plan = planPull(
			input({
				manifest: [['ticket:a', '1-a']],
				localIds: ['ticket:a', 'mission:gone', 'event:new-here', 'event:was-pushed'],
				serverRevs: new Map([
					['ticket:a', '1-a'],
					['mission:gone', '3-m']
				]),
				pending: new Set(['event:new-here'])
			})
		);
		// `event:was-pushed` has no local change left and is not listed: revoked.
		expect(plan.remove).toEqual(['mission:gone', 'event:was-pushed']);
	});

	it('names the pushed documents no manifest listed at their revision, at most WRITTEN_MAX', () => {
		const local: ManifestEntry[] = [
			['ticket:a', '1-a'],
			['ticket:b', '2-b'],
			['event:pushed', '1-p'],
			['event:pending', '1-q']
		];
		const serverRevs = new Map([
			['ticket:a', '1-a'],
			['ticket:b', '1-b']
		]);
		expect(unconfirmedIds(local, serverRevs, new Set(['event:pending']))).toEqual([
			'ticket:b',
			'event:pushed'
		]);
		const many = Array.from({ length: WRITTEN_MAX + 5 }, (_, i): ManifestEntry => [
			`e:${i}`,
			'1-x'
		]);
		expect(unconfirmedIds(many, new Map(), new Set())).toHaveLength(WRITTEN_MAX);
	});

	it('removes a revoked document even when it has local changes', () => {
		const plan = planPull(
			input({
				localIds: ['mission:m'],
				serverRevs: new Map([['mission:m', '2-m']]),
				pending: new Set(['mission:m'])
			})
		);
		expect(plan.remove).toEqual(['mission:m']);
	});

	it('does not fetch again what expired on the device at the same revision', () => {
		const removed = new Map<string, RemovedMark>([
			['mission:old', { rev: '4-o', reason: 'expired' }],
			['ticket:old', { rev: '7-t', reason: 'expired' }],
			['client:back', { rev: '1-c', reason: 'revoked' }]
		]);
		const plan = planPull(
			input({
				manifest: [
					['mission:old', '4-o'],
					['ticket:old', '8-t'],
					['client:back', '2-c']
				],
				missing: new Set(['mission:old', 'ticket:old', 'client:back']),
				removed
			})
		);
		expect(plan.fetch.map(([id]) => id)).toEqual(['client:back', 'ticket:old']);
		expect(plan).toMatchObject({ total: 2, done: 0 });
		// Changed since, or granted again: the marks go.
		expect(plan.forget.sort()).toEqual(['client:back', 'ticket:old']);
	});

	it('forgets removal marks of documents the server no longer lists', () => {
		const plan = planPull(
			input({ removed: new Map([['mission:x', { rev: '1-x', reason: 'expired' }]]) })
		);
		expect(plan.forget).toEqual(['mission:x']);
	});
});

describe('pullRank', () => {
	it('puts the referentials, then what the list names, then the tickets, before the rest', () => {
		const ids = [
			'event:01M22NKM5RR4C71SA8BYS5GV4J',
			'mission:M1',
			'ticket:T1',
			'event:number:ticket:T1',
			'event:sla:ticket:T1:escalated:2',
			'client:C1',
			'site:S1',
			'user:ana',
			'config:sla',
			'report:R1'
		];
		const ranked = [...ids].sort((a, b) => pullRank(a) - pullRank(b));
		expect(ranked).toEqual([
			'config:sla',
			'client:C1',
			'site:S1',
			'user:ana',
			'ticket:T1',
			'event:number:ticket:T1',
			'event:sla:ticket:T1:escalated:2',
			'event:01M22NKM5RR4C71SA8BYS5GV4J',
			'mission:M1',
			'report:R1'
		]);
	});
});

describe('batches', () => {
	it('cuts a list into batches of at most the size', () => {
		expect(batches([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
		expect(batches([], 2)).toEqual([]);
	});
});
