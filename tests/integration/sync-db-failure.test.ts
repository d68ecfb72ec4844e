/**
 * A push while the database fails (a cluster node going down, issue #12): a failure is not a
 * refusal. A revision the database could not store is answered with a retryable error (not
 * `forbidden`, which PouchDB's replicator takes as final), and a conflict whose merge failed
 * is merged by the changes follower once the database answers again, with no new change in
 * the feed to remind it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RevisionWriter } from '../../server/sync/revision-writer.ts';
import { touch } from '../../src/lib/domain/stamps.ts';
import {
	aClient,
	aConfig,
	people,
	qualify,
	actor,
	ticketThrough,
	T0
} from '../../src/lib/domain/testing/factories.ts';
import {
	addAccounts,
	Clock,
	nextRevision,
	putAll,
	Session,
	startSyncServer,
	stored,
	type Json,
	type SyncServer
} from '../support/sync-device.ts';

const dina = people.dispatcher();
const clock = new Clock(Date.parse(T0) + 3_600_000);
let server: SyncServer;

beforeAll(async () => {
	server = await startSyncServer(clock);
	await addAccounts(server.couch, [dina]);
	await putAll(server.couch, [aConfig('access'), aClient()]);
});

afterAll(async () => {
	await server?.stop();
});

/** A qualified ticket of its own, stored; returns it with its revision. */
async function aStoredTicket(id: string): Promise<Json> {
	const ticket = ticketThrough([[qualify, actor(dina)]]);
	const doc = { ...ticket, _id: id } as unknown as Json;
	const { rev } = await server.couch.db.insert(doc);
	return { ...doc, _rev: rev };
}

describe('a push while the database fails', () => {
	it('a revision the database could not store is to be sent again, not refused', async () => {
		const before = await aStoredTicket('ticket:F1');
		const edited = nextRevision(
			touch(
				before as never,
				{ ...before, title: 'Écran noir' } as never,
				new Date(clock.ms - 60_000),
				dina._id
			) as Json,
			before
		);
		const sync = server.sync as unknown as { write: RevisionWriter };
		const real = sync.write;
		sync.write = async (docs) =>
			docs.map((d) => ({
				id: String((d as Json)._id),
				error: 'unknown_error',
				reason: 'timeout'
			}));
		const session = await new Session(server.url, dina.name).signIn();
		let first;
		try {
			first = await session.pushRaw([edited]);
		} finally {
			sync.write = real;
		}
		expect(first.status).toBe(201);
		const [answer] = first.body as Array<Record<string, unknown>>;
		expect(answer).toMatchObject({ id: 'ticket:F1', error: 'unavailable', status: 503 });
		expect((await stored(server.couch, 'ticket:F1'))?.title).not.toBe('Écran noir');
		// Sent again (as the replicator does after an error that is not `forbidden`): stored.
		const again = await session.pushRaw([edited]);
		expect(again.body).toEqual([{ id: 'ticket:F1', rev: edited._rev, ok: true }]);
		expect((await stored(server.couch, 'ticket:F1'))?.title).toBe('Écran noir');
	});

	it('a conflict whose merge the database failed is merged once it answers', async () => {
		const base = await aStoredTicket('ticket:F2');
		// Two branches of one ticket reach the database (two servers, each storing one device's
		// push): the description on one, the title on the other.
		const edit = (fields: Json, ms: number) =>
			nextRevision(
				touch(
					base as never,
					{ ...base, ...fields } as never,
					new Date(clock.ms - ms),
					dina._id
				) as Json,
				base
			);
		// The database fails every read of that ticket while the followers try to merge it.
		const db = server.couch.db as unknown as { get: (...args: unknown[]) => Promise<unknown> };
		const get = db.get;
		db.get = function (this: unknown, ...args: unknown[]) {
			if (args[0] === 'ticket:F2')
				return Promise.reject(Object.assign(new Error('nodedown'), { statusCode: 500 }));
			return get.apply(this, args);
		};
		try {
			// As a push stores them (the embedded server's HTTP would not keep the branches).
			const written = await (server.sync as unknown as { write: RevisionWriter }).write([
				edit({ description: 'Vu au téléphone' }, 60_000),
				edit({ title: 'Écran noir' }, 30_000)
			]);
			expect(written.filter((r) => r.error)).toEqual([]);
			// Long enough for the follower to see the conflict and fail to merge it.
			await new Promise((done) => setTimeout(done, 3000));
		} finally {
			db.get = get;
		}
		// Nothing changes in the feed from now on: the follower tries again by itself.
		await expect
			.poll(
				async () => {
					const doc = (await server.couch.db.get('ticket:F2', { conflicts: true })) as Json;
					return {
						title: doc.title,
						description: doc.description,
						conflicts: doc._conflicts ?? []
					};
				},
				{ timeout: 15_000, interval: 500 }
			)
			.toEqual({ title: 'Écran noir', description: 'Vu au téléphone', conflicts: [] });
	});
});
