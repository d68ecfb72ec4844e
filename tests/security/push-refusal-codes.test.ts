/**
 * Issue #13 point 2 through the real server: a forged push is refused with a code, a key and
 * its parameters next to CouchDB's `error` and English `reason`, and the device puts that in
 * words — in French by default, in English when chosen — naming the document as a person
 * knows it (the ticket's number and title), never with its id or the server's English.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRefusal, REFUSAL_KEYS } from '../../src/lib/domain/refusals.ts';
import type { TicketDoc } from '../../src/lib/domain/schemas.ts';
import { touch } from '../../src/lib/domain/stamps.ts';
import {
	aClient,
	aConfig,
	actor,
	anEvent,
	people,
	qualify,
	ticketThrough,
	T0
} from '../../src/lib/domain/testing/factories.ts';
import { en } from '../../src/lib/i18n/messages.en.ts';
import { fr, type MessageKey } from '../../src/lib/i18n/messages.ts';
import { describeRefusal } from '../../src/lib/i18n/problems.ts';
import { describeSyncProblem } from '../../src/lib/i18n/sync-problem.ts';
import { push } from '../../src/lib/sync/push.ts';
import { refusalProblem } from '../../src/lib/sync/refused.ts';
import {
	addAccounts,
	Clock,
	nextRevision,
	PouchDevice,
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

const translator =
	(dict: Record<MessageKey, string>) =>
	(key: MessageKey, params: Record<string, string | number> = {}) =>
		dict[key].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name]));
const inFrench = translator(fr);
const inEnglish = translator(en);

/** Assigned to Théo, who reads it and may work it, but not reclassify it. */
const K1 = {
	...ticketThrough([
		[qualify, actor(dina)],
		[{ type: 'assign', assignees: [theo._id] }, actor(dina)]
	]),
	title: 'Imprimante HS',
	number: 10302
} as TicketDoc;

beforeAll(async () => {
	clock = new Clock(Date.parse(T0) + 2 * HOUR);
	server = await startSyncServer(clock);
	await addAccounts(server.couch, [dina, theo]);
	await putAll(server.couch, [aConfig('access'), aClient(), K1] as unknown as Json[]);
});

afterAll(async () => {
	await server?.stop();
});

async function latest(): Promise<TicketDoc & Json> {
	return (await stored(server.couch, 'ticket:K1')) as TicketDoc & Json;
}

async function pushOne(session: Session, doc: Json): Promise<Record<string, unknown>> {
	const res = await session.pushRaw([doc]);
	expect(res.status).toBe(201);
	const [answer] = res.body as Array<Record<string, unknown>>;
	await server.settled();
	return answer ?? {};
}

describe('the server answers a refused push with a code, a key and parameters', () => {
	it('a forged retitle by the assignee: fields_assignee with the fields, in French on the device', async () => {
		const session = await new Session(server.url, theo.name).signIn();
		const before = await latest();
		clock.advance(60_000);
		const forged = nextRevision(
			touch(
				before,
				{ ...before, title: 'Autre chose', priority: 'P1' },
				clock.iso(),
				theo._id
			) as unknown as Json,
			before
		);
		const answer = await pushOne(session, forged);
		expect(answer).toEqual({
			id: 'ticket:K1',
			rev: forged._rev,
			error: 'forbidden',
			name: 'forbidden',
			status: 403,
			reason: 'a person assigned to the ticket may not change priority, title',
			code: 'role',
			key: 'fields_assignee',
			params: { fields: ['priority', 'title'] }
		});
		expect((await latest())._rev).toBe(before._rev);
		const why = parseRefusal(answer);
		expect(why).not.toBeNull();
		if (!why) return;
		expect(describeRefusal(inFrench, why)).toBe(
			'Vous ne pouvez pas modifier la priorité et le titre d’un ticket qui vous est assigné.'
		);
		expect(describeRefusal(inEnglish, why)).toBe(
			'You may not change the priority and the title of a ticket assigned to you.'
		);
	});

	it('an event forged in someone else’s name, and a document the schema refuses', async () => {
		const session = await new Session(server.url, theo.name).signIn();
		const forged = nextRevision(
			anEvent({
				_id: 'event:F1',
				author: dina._id,
				authorName: dina.displayName
			}) as unknown as Json
		);
		expect(await pushOne(session, forged)).toMatchObject({
			error: 'forbidden',
			reason: 'event.author: must be you',
			code: 'role',
			key: 'not_you',
			params: { field: 'event.author' }
		});
		expect(await stored(server.couch, 'event:F1')).toBeNull();

		const before = await latest();
		const broken = nextRevision({ ...before, impact: 7 } as unknown as Json, before);
		const answer = await pushOne(session, broken);
		expect(answer).toMatchObject({ error: 'forbidden', code: 'invalid', key: 'invalid' });
		const issues = (answer.params as { issues?: unknown } | undefined)?.issues;
		expect(issues).toEqual(expect.arrayContaining([expect.stringMatching(/^ticket\.impact: /)]));
		expect(answer.reason).toBe((issues as string[]).join('; '));
		const why = parseRefusal(answer);
		expect(why && describeRefusal(inFrench, why)).toMatch(/^Données refusées : Impact : /);
		expect((await latest())._rev).toBe(before._rev);
	});

	it('every refusal of a malformed batch carries a key this version knows', async () => {
		const session = await new Session(server.url, theo.name).signIn();
		const res = await session.pushRaw([
			42,
			{ _id: 'ticket:K1' },
			{ _id: '_design/evil', _rev: '1-a', views: {} },
			nextRevision({ _id: 'spaceship:1', type: 'spaceship' })
		]);
		const answers = res.body as Array<Record<string, unknown>>;
		expect(answers.map((a) => a.key)).toEqual([
			'push_malformed',
			'push_malformed',
			'push_malformed',
			'invalid'
		]);
		for (const a of answers) expect(REFUSAL_KEYS).toContain(a.key);
	});
});

describe('the device names what was refused and says why', () => {
	it('the app’s push keeps the coded refusal; the sync status says it in French, or English', async () => {
		const device = new PouchDevice(server.url, theo.name);
		await device.signIn();
		await device.pull();
		const ticket = (await device.get('ticket:K1')) as unknown as TicketDoc & Json;
		clock.advance(60_000);
		await device.put(
			touch(ticket, { ...ticket, title: 'Imprimante du 2e étage' }, clock.iso(), theo._id) as never
		);

		const outcome = await push(device.db, device.remote(), {
			pushedSeq: 0,
			serverRevs: new Map(),
			removed: new Set()
		});
		expect(outcome.refused).toHaveLength(1);
		expect(outcome.refused[0]).toMatchObject({
			id: 'ticket:K1',
			reason: 'a person assigned to the ticket may not change title',
			why: { code: 'role', key: 'fields_assignee', params: { fields: ['title'] } }
		});
		expect((await latest()).title).toBe('Imprimante HS');

		const problem = await refusalProblem(device.db, outcome.refused);
		expect(problem).not.toBeNull();
		if (!problem) return;
		// The device's copy carries the new title: the person recognises what they changed.
		expect(describeSyncProblem(inFrench, problem)).toBe(
			'Le ticket n° 10302 « Imprimante du 2e étage » : modification refusée par le serveur. ' +
				'Vous ne pouvez pas modifier le titre d’un ticket qui vous est assigné.'
		);
		expect(describeSyncProblem(inEnglish, problem)).toBe(
			'Ticket no. 10302 “Imprimante du 2e étage”: change refused by the server. ' +
				'You may not change the title of a ticket assigned to you.'
		);
	});
});
