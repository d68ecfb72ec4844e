import { describe, expect, it } from 'vitest';
import { Ledger } from './ledger.ts';
import { pendingIds } from './local.ts';
import { push } from './push.ts';
import { shouldPush } from './push-filter.ts';
import { removeFromDevice } from './revoke.ts';
import { memoryDb } from './testing.ts';

describe('shouldPush', () => {
	const facts = {
		serverRevs: new Map([['ticket:a', '2-a']]),
		removed: new Set(['mission:revoked'])
	};

	it('skips a document still at the revision the server sent', () => {
		expect(shouldPush({ _id: 'ticket:a', _rev: '2-a' }, facts)).toBe(false);
		expect(shouldPush({ _id: 'ticket:a', _rev: '3-local' }, facts)).toBe(true);
	});

	it('never pushes a revoked document, nor its tombstone', () => {
		expect(shouldPush({ _id: 'mission:revoked', _rev: '5-x' }, facts)).toBe(false);
	});

	it('pushes documents created on the device; never design or local documents', () => {
		expect(shouldPush({ _id: 'event:new', _rev: '1-n' }, facts)).toBe(true);
		expect(shouldPush({ _id: '_design/x', _rev: '1-d' }, facts)).toBe(false);
	});
});

describe('push', () => {
	it('sends local changes only, never a revoked document or its tombstone', async () => {
		const device = memoryDb('device');
		const server = memoryDb('server');
		const ledger = new Ledger();
		// Two documents came from the server; one of them is then revoked, one edited.
		await server.bulkDocs([
			{ _id: 'mission:m1', type: 'mission', status: 'planned' },
			{ _id: 'ticket:t1', type: 'ticket', title: 'A' }
		]);
		await server.replicate.to(device);
		const rows = await device.allDocs();
		await ledger.stored(rows.rows.map((r) => [r.id, r.value.rev] as const));
		expect(await pendingIds(device, 0, ledger)).toEqual([]);

		const ticket = await device.get('ticket:t1');
		await device.put({ ...ticket, title: 'B' });
		await device.put({ _id: 'event:e1', type: 'event', body: 'sur site' });
		await removeFromDevice(device, ledger, ['mission:m1'], 'revoked', '2025-03-03T10:00:00Z');

		expect((await pendingIds(device, 0, ledger)).sort()).toEqual(['event:e1', 'ticket:t1']);
		const outcome = await push(device, server, ledger);
		expect(outcome.written).toBe(2);
		expect((await server.get('ticket:t1')).title).toBe('B');
		await expect(server.get('event:e1')).resolves.toBeTruthy();
		// The server copy of the revoked mission is untouched: no tombstone went up.
		const mission = await server.get('mission:m1');
		expect(mission.status).toBe('planned');
		expect(mission._rev.startsWith('1-')).toBe(true);
		expect(await pendingIds(device, outcome.lastSeq, ledger)).toEqual([]);
	});
});
