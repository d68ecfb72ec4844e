/**
 * A device pushes only a ticket's last revision: a dispatcher who qualifies a new ticket and
 * plans it before the next push sends new → planned in one change (found by the e2e walk of a
 * ticket's life, issue #13). The server accepts the chain from the person who could have pushed
 * each step; a forged status nobody reaches that way is still refused and leaves the ticket as
 * it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketDoc } from '../../src/lib/domain/schemas.ts';
import { touch } from '../../src/lib/domain/stamps.ts';
import {
	aClient,
	aConfig,
	actor,
	aTicket,
	people,
	qualify,
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

const HOUR = 3600_000;
const dina = people.dispatcher();
const theo = people.technician('theo');

let clock: Clock;
let server: SyncServer;

const NEW = aTicket({ _id: 'ticket:K1' });
const PLANNED = ticketThrough(
	[
		[qualify, actor(dina)],
		[{ type: 'plan', technicianId: theo._id }, actor(dina)]
	],
	aTicket({ _id: 'ticket:K2' })
);

beforeAll(async () => {
	clock = new Clock(Date.parse(T0) + 2 * HOUR);
	server = await startSyncServer(clock);
	await addAccounts(server.couch, [dina, theo]);
	await putAll(server.couch, [
		aConfig('access'),
		aConfig('groups'),
		aClient(),
		NEW,
		PLANNED
	] as unknown as Json[]);
});

afterAll(async () => {
	await server?.stop();
});

async function latest(id: string): Promise<TicketDoc & Json> {
	return (await stored(server.couch, id)) as TicketDoc & Json;
}

/** The stored ticket changed by `edit` as `by`, stamped as a device would. */
async function edited(id: string, edit: (t: TicketDoc) => TicketDoc, by: string): Promise<Json> {
	const ticket = await latest(id);
	clock.advance(60_000);
	return nextRevision(touch(ticket, edit(ticket), clock.iso(), by) as unknown as Json, ticket);
}

async function push(user: { name: string }, doc: Json): Promise<Record<string, unknown>> {
	const session = await new Session(server.url, user.name).signIn();
	const res = await session.pushRaw([doc]);
	expect(res.status).toBe(201);
	const [answer] = res.body as Array<Record<string, unknown>>;
	await server.settled();
	return answer ?? {};
}

describe('several status steps in one pushed revision', () => {
	it('a dispatcher’s qualify then plan, pushed at once, is stored', async () => {
		const both = await edited(
			'ticket:K1',
			(t) =>
				ticketThrough(
					[
						[qualify, actor(dina)],
						[{ type: 'plan', technicianId: theo._id }, actor(dina)]
					],
					t
				),
			dina._id
		);
		const answer = await push(dina, both);
		expect(answer).not.toHaveProperty('error');
		expect((await latest('ticket:K1')).status).toBe('planned');
	});

	it('a technician’s forged way back to the queue is refused, however many steps it hides', async () => {
		const before = await latest('ticket:K2');
		for (const status of ['qualified', 'new'] as const) {
			const forged = await edited('ticket:K2', (t) => ({ ...t, status }), theo._id);
			const answer = await push(theo, forged);
			expect(answer).toMatchObject({
				id: 'ticket:K2',
				error: 'forbidden',
				reason: `a ticket cannot go from planned to ${status}`
			});
		}
		const after = await latest('ticket:K2');
		expect(after._rev).toBe(before._rev);
		expect(after.status).toBe('planned');
	});
});
