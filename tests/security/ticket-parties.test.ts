/**
 * Issue #13 point 5 through the server's push rules: who a ticket is for (client, site,
 * requester) is the dispatcher's to change, and assignees and groups must name real users
 * and groups. Each forged push is refused with its reason and leaves the stored ticket as it
 * was; the dispatcher's own change is the control that the rule is not simply "refuse".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketDoc } from '../../src/lib/domain/schemas.ts';
import { touch } from '../../src/lib/domain/stamps.ts';
import {
	aClient,
	aConfig,
	actor,
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
const eric = people.expert(['network']);
const theo = people.technician('theo');

let clock: Clock;
let server: SyncServer;

/** Qualified to the network group and assigned to Théo, who may therefore read and push it. */
const K1 = ticketThrough([
	[qualify, actor(dina)],
	[{ type: 'assign', assignees: [theo._id] }, actor(dina)]
]);

beforeAll(async () => {
	clock = new Clock(Date.parse(T0) + 2 * HOUR);
	server = await startSyncServer(clock);
	await addAccounts(server.couch, [dina, eric, theo]);
	await putAll(server.couch, [
		aConfig('access'),
		aConfig('groups'),
		aClient(),
		aClient({ _id: 'client:C2', name: 'Beta' }),
		K1
	] as unknown as Json[]);
});

afterAll(async () => {
	await server?.stop();
});

async function as(user: { name: string }): Promise<Session> {
	return new Session(server.url, user.name).signIn();
}

async function latest(): Promise<TicketDoc & Json> {
	return (await stored(server.couch, 'ticket:K1')) as TicketDoc & Json;
}

/** The stored ticket changed by `edit` as `by`, stamped as a device would. */
async function edited(edit: (t: TicketDoc) => TicketDoc, by: string): Promise<Json> {
	const ticket = await latest();
	clock.advance(60_000);
	return nextRevision(touch(ticket, edit(ticket), clock.iso(), by) as unknown as Json, ticket);
}

async function push(session: Session, doc: Json): Promise<Record<string, unknown>> {
	const res = await session.pushRaw([doc]);
	expect(res.status).toBe(201);
	const [answer] = res.body as Array<Record<string, unknown>>;
	await server.settled();
	return answer ?? {};
}

async function expectRefused(session: Session, doc: Json, reason: string): Promise<void> {
	const before = await latest();
	const answer = await push(session, doc);
	expect(answer).toMatchObject({ id: 'ticket:K1', error: 'forbidden', reason });
	const after = await latest();
	expect(after._rev).toBe(before._rev);
	expect(after.clientId).toBe(before.clientId);
}

describe('who a ticket is for is the dispatcher’s to change', () => {
	it('a technician’s forged push moving his ticket to another client is refused', async () => {
		const theoS = await as(theo);
		const forged = await edited((t) => ({ ...t, clientId: 'client:C2' }), theo._id);
		await expectRefused(
			theoS,
			forged,
			'only a dispatcher may change the client, site or requester'
		);
		const requester = await edited(
			(t) => ({ ...t, requester: { name: 'Quelqu’un d’autre' } }),
			theo._id
		);
		await expectRefused(
			theoS,
			requester,
			'only a dispatcher may change the client, site or requester'
		);
	});

	it('an expert of the group may not move a qualified ticket to another client', async () => {
		const ericS = await as(eric);
		const forged = await edited((t) => ({ ...t, clientId: 'client:C2' }), eric._id);
		await expectRefused(
			ericS,
			forged,
			'only a dispatcher may change the client, site or requester'
		);
	});

	it('a dispatcher may not name a client or a site that does not exist', async () => {
		const dinaS = await as(dina);
		await expectRefused(
			dinaS,
			await edited((t) => ({ ...t, clientId: 'client:NOPE' }), dina._id),
			'ticket.clientId: there is no such client'
		);
		await expectRefused(
			dinaS,
			await edited((t) => ({ ...t, siteId: 'b9' }), dina._id),
			'the site is not one of the client’s'
		);
	});

	it('the dispatcher’s change of client and site is accepted (the control)', async () => {
		const dinaS = await as(dina);
		const moved = await edited((t) => ({ ...t, siteId: 's1' }), dina._id);
		const answer = await push(dinaS, moved);
		expect(answer).toMatchObject({ id: 'ticket:K1', ok: true });
		expect((await latest()).siteId).toBe('s1');
	});
});

describe('assignees and groups name real users and groups', () => {
	it('assigning someone who does not exist is refused', async () => {
		const dinaS = await as(dina);
		await expectRefused(
			dinaS,
			await edited((t) => ({ ...t, assignees: ['user:romain'] }), dina._id),
			'ticket.assignees: there is no user user:romain'
		);
	});

	it('routing to a group the referential does not know is refused', async () => {
		const dinaS = await as(dina);
		await expectRefused(
			dinaS,
			await edited(
				(t) => ({ ...t, group: 'support-n9', assignees: [], status: 'qualified' }),
				dina._id
			),
			'ticket.group: there is no group support-n9'
		);
		const routed = await edited(
			(t) => ({ ...t, group: 'security', assignees: [], status: 'qualified' }),
			dina._id
		);
		expect(await push(dinaS, routed)).toMatchObject({ ok: true });
	});
});
