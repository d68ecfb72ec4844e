import { describe, expect, it } from 'vitest';
import { Ledger } from './ledger.ts';
import { pendingIds } from './local.ts';
import { push, PUSH_BATCH } from './push.ts';
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

/**
 * A server that judges events as Terrain's does (push.ts on the server): an event whose
 * subject is not stored, nor earlier in the same batch, is refused. `cutAfter` makes the
 * `_bulk_docs` calls after that many fail as a cut connection would.
 */
function judgingServer(): {
	db: ReturnType<typeof memoryDb>;
	calls: number;
	cutAfter: number | null;
} {
	const db = memoryDb('server');
	const state = { db, calls: 0, cutAfter: null as number | null };
	const store = db.bulkDocs.bind(db) as (...args: unknown[]) => Promise<unknown[]>;
	(db as unknown as { bulkDocs: unknown }).bulkDocs = async (
		body: { docs: Array<Record<string, unknown>> },
		options?: unknown
	) => {
		state.calls++;
		if (state.cutAfter !== null && state.calls > state.cutAfter) throw new Error('fetch failed');
		const batch = new Set<string>();
		const answers: unknown[] = [];
		const accepted: Array<Record<string, unknown>> = [];
		for (const doc of body.docs) {
			const id = String(doc._id);
			const subject = typeof doc.subjectId === 'string' ? doc.subjectId : null;
			const known =
				subject === null ||
				batch.has(subject) ||
				(await db.get(subject).then(
					() => true,
					() => false
				));
			if (doc.type === 'event' && !known) {
				answers.push({
					id,
					error: 'forbidden',
					name: 'forbidden',
					status: 403,
					reason: 'event.subjectId: there is no such document'
				});
				continue;
			}
			batch.add(id);
			accepted.push(doc);
			answers.push({ id, rev: doc._rev, ok: true });
		}
		if (accepted.length > 0) await store({ docs: accepted, new_edits: false }, options);
		return answers;
	};
	return state;
}

/** 99 documents, then an event and, after it (a later sequence), the report it is about. */
async function eventBeforeItsSubject(device: ReturnType<typeof memoryDb>): Promise<void> {
	await device.bulkDocs(
		Array.from({ length: PUSH_BATCH - 1 }, (_, i) => ({
			_id: `ticket:t${String(i).padStart(3, '0')}`,
			type: 'ticket'
		}))
	);
	await device.put({ _id: 'event:signed', type: 'event', subjectId: 'report:r1' });
	await device.put({ _id: 'report:r1', type: 'report' });
}

describe('push order (issue #12: a lost report_signed event)', () => {
	it('sends again, at the end, an event refused because its subject came in a later batch', async () => {
		const device = memoryDb('device');
		const server = judgingServer();
		const ledger = new Ledger();
		await eventBeforeItsSubject(device);

		const outcome = await push(device, server.db, ledger);
		expect(outcome.refused).toEqual([]);
		await expect(server.db.get('event:signed')).resolves.toBeTruthy();
		expect(outcome.written).toBe(PUSH_BATCH + 1);
	});

	it('a push cut after the batch that refused the event sends it again from the last complete push', async () => {
		const device = memoryDb('device');
		const server = judgingServer();
		const ledger = new Ledger();
		await eventBeforeItsSubject(device);

		// The first batch is answered (the event refused), the connection is cut in the next.
		server.cutAfter = 1;
		await expect(push(device, server.db, ledger)).rejects.toThrow('fetch failed');
		expect(await server.db.get('ticket:t000')).toBeTruthy();

		server.cutAfter = null;
		const outcome = await push(device, server.db, ledger);
		await ledger.pushed(outcome.lastSeq);
		expect(outcome.refused).toEqual([]);
		await expect(server.db.get('report:r1')).resolves.toBeTruthy();
		await expect(server.db.get('event:signed')).resolves.toBeTruthy();
		expect(await pendingIds(device, ledger.pushedSeq, ledger)).toEqual([]);
	});
});
