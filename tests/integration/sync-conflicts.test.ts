import { beforeAll, describe, expect, it } from 'vitest';
import { touch } from '../../src/lib/domain/stamps.ts';
import type { TicketDoc } from '../../src/lib/domain/schemas.ts';
import { transition } from '../../src/lib/domain/ticket.ts';
import {
	aClient,
	aConfig,
	aMission,
	aTechfile,
	actor,
	people,
	qualify,
	taxonomy,
	ticketThrough,
	T0
} from '../../src/lib/domain/testing/factories.ts';
import {
	addAccounts,
	Clock,
	PouchDevice,
	putAll,
	startSyncServer,
	stored,
	type Json,
	type SyncServer
} from '../support/sync-device.ts';
import { statusOf } from '../../server/errors.ts';

const MINUTE = 60_000;
const dina = people.dispatcher();
const theo = people.technician('theo');
const START = Date.parse(T0) + 120 * MINUTE;

const K1 = ticketThrough([
	[qualify, actor(dina)],
	[{ type: 'assign', assignees: [theo._id] }, actor(dina)]
]);

interface Outcome {
	ticket: Json;
	setAside: Json[];
	devices: Json[];
}

/**
 * The technician and the dispatcher both change the ticket while offline — the same field
 * (the description) and different ones (status, title) — then sync in the given order.
 */
async function scenario(
	order: 'technician first' | 'dispatcher first',
	env: Record<string, string>,
	{ compactBetween = false }: { compactBetween?: boolean } = {}
) {
	const clock = new Clock(START);
	const server = await startSyncServer(clock, env);
	try {
		await addAccounts(server.couch, [dina, theo]);
		await putAll(server.couch, [
			aConfig('access'),
			aClient(),
			aTechfile(),
			K1,
			aMission()
		] as unknown as Json[]);
		const tech = await new PouchDevice(server.url, 'theo').signIn();
		const desk = await new PouchDevice(server.url, 'dina').signIn();
		await tech.pull();
		await desk.pull();

		const base = (await tech.get('ticket:K1')) as unknown as TicketDoc;
		const started = transition(base, { type: 'start' }, actor(theo), START + 10 * MINUTE, {
			taxonomy
		});
		if (!started.ok) throw new Error(started.error.message);
		const onSite = touch(
			started.value,
			{ ...started.value, description: 'Switch du 2e remplacé, câbles repérés' },
			START + 11 * MINUTE,
			theo._id
		);
		await tech.put(onSite as unknown as Json);
		const atDesk = touch(
			base,
			{ ...base, title: 'Switch 2e étage HS', description: 'Le client signale aussi le Wi-Fi' },
			START + 20 * MINUTE,
			dina._id
		);
		await desk.put(atDesk as unknown as Json);

		const devices = order === 'technician first' ? [tech, desk] : [desk, tech];
		for (const [i, device] of devices.entries()) {
			if (i === 1 && compactBetween) await compactedAway(server, 'ticket:K1', String(base._rev));
			expect((await device.push()).denied).toEqual([]);
		}
		for (const device of devices) await device.pull();

		const ticket = (await stored(server.couch, 'ticket:K1')) as Json;
		const events = await server.couch.db.list({
			startkey: 'event:',
			endkey: 'event:\ufff0',
			include_docs: true
		});
		const setAside = events.rows
			.map((r) => r.doc as unknown as Json)
			.filter((e) => e.kind === 'merge_set_aside' && e.subjectId === 'ticket:K1');
		const held = await Promise.all(devices.map((d) => d.get('ticket:K1')));
		for (const device of devices) {
			for (const event of setAside)
				expect((await device.get(String(event._id)))._rev).toBe(event._rev);
		}
		return { ticket, setAside, devices: held } satisfies Outcome;
	} finally {
		await server.stop();
	}
}

/**
 * Compacts the database (CouchDB does it by itself, smoosh) and waits until the body of `rev`,
 * no longer a leaf, is gone: the server cannot read the version both branches started from.
 */
async function compactedAway(server: SyncServer, id: string, rev: string): Promise<void> {
	const until = Date.now() + 30_000;
	for (;;) {
		await server.couch.db.compact().catch(() => undefined);
		try {
			await server.couch.db.get(id, { rev });
		} catch (error) {
			if (statusOf(error) === 404) return;
			throw error;
		}
		if (Date.now() > until) throw new Error(`${id} ${rev} still readable after compaction`);
		await new Promise((r) => setTimeout(r, 300));
	}
}

let first: Outcome;
let second: Outcome;

beforeAll(async () => {
	first = await scenario('technician first', {});
	// A second database (on disk: two in-memory embedded servers in one process share state).
	second = await scenario('dispatcher first', { TERRAIN_MEMORY_DB: '0' });
});

describe('two devices edit the same ticket offline', () => {
	it('merges them the same when the version both started from was compacted away', async () => {
		// Compaction keeps only the leaves' bodies: once the first push has grown a branch from
		// the shared version, the server can no longer read it to judge the second branch.
		for (const order of ['dispatcher first', 'technician first'] as const) {
			const outcome = await scenario(order, { TERRAIN_MEMORY_DB: '0' }, { compactBetween: true });
			expect(outcome.ticket, order).toMatchObject({
				status: 'in_progress',
				title: 'Switch 2e étage HS',
				description: 'Le client signale aussi le Wi-Fi'
			});
			expect(outcome.ticket._conflicts, order).toBeUndefined();
			for (const held of outcome.devices) expect(held._rev, order).toBe(outcome.ticket._rev);
		}
	});

	it('merges both edits, whichever syncs first, to the same document', () => {
		for (const outcome of [first, second]) {
			expect(outcome.ticket).toMatchObject({
				status: 'in_progress',
				title: 'Switch 2e étage HS',
				description: 'Le client signale aussi le Wi-Fi'
			});
			expect(outcome.ticket._conflicts).toBeUndefined();
		}
		const { _rev: _a, ...one } = first.ticket;
		const { _rev: _b, ...two } = second.ticket;
		expect(two).toEqual(one);
		// Same branches, same merge on the same parent: even the revision id is the same.
		expect(second.ticket._rev).toBe(first.ticket._rev);
	});

	it('leaves both devices holding the server’s merged revision, with no conflict left', () => {
		for (const outcome of [first, second]) {
			for (const held of outcome.devices) {
				expect(held._rev).toBe(outcome.ticket._rev);
				expect(held._conflicts).toBeUndefined();
			}
		}
	});

	it('puts what the merge set aside in the ticket’s timeline, the same either way', () => {
		for (const outcome of [first, second]) {
			expect(outcome.setAside).toHaveLength(1);
			expect(outcome.setAside[0]).toMatchObject({
				ticketId: 'ticket:K1',
				author: 'system',
				data: {
					register: 'description',
					value: 'Switch du 2e remplacé, câbles repérés',
					by: theo._id
				}
			});
		}
		expect(second.setAside.map((e) => e._id)).toEqual(first.setAside.map((e) => e._id));
	});
});
