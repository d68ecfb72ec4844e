import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { touch } from '../../src/lib/domain/stamps.ts';
import type { ClientDoc, MissionDoc, TicketDoc } from '../../src/lib/domain/schemas.ts';
import { transition } from '../../src/lib/domain/ticket.ts';
import {
	aClient,
	aConfig,
	aMission,
	aSignedReport,
	aTechfile,
	actor,
	anEvent,
	aTicket,
	people,
	qualify,
	taxonomy,
	ticketThrough,
	T0
} from '../../src/lib/domain/testing/factories.ts';
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
const lea = people.technician('lea');
const ada = people.admin();

let clock: Clock;
let server: SyncServer;

beforeAll(async () => {
	clock = new Clock(Date.parse(T0) + 2 * HOUR);
	server = await startSyncServer(clock);
	await addAccounts(server.couch, [dina, theo, lea, ada]);
	const K1 = ticketThrough([[qualify, actor(dina)]]);
	await putAll(server.couch, [
		aConfig('access'),
		aClient(),
		aTechfile(),
		aClient({ _id: 'client:C2', name: 'Beta' }),
		K1,
		{ ...K1, _id: 'ticket:K2', clientId: 'client:C2' },
		anEvent(),
		ticketThrough(
			[
				[qualify, actor(dina)],
				[{ type: 'assign', assignees: [theo._id] }, actor(dina)]
			],
			{ ...K1, _id: 'ticket:K3', clientId: 'client:C2', status: 'new' } as TicketDoc
		),
		aMission(),
		aMission({
			_id: 'mission:M2',
			ticketId: 'ticket:K2',
			clientId: 'client:C2',
			technicianId: lea._id
		}),
		aSignedReport()
	] as unknown as Json[]);
});

afterAll(async () => {
	await server?.stop();
});

const revOf = async (id: string) => (await stored(server.couch, id))?._rev;

/** A technician's edit of a stored document, stamped as the app does. */
async function edited<T>(id: string, change: (doc: T) => T): Promise<Json> {
	const before = (await stored(server.couch, id)) as Json;
	const after = change(structuredClone(before) as T) as Json;
	const body =
		before.type === 'report'
			? after
			: (touch(before as never, after as never, clock.now(), theo._id) as unknown as Json);
	return nextRevision(body, before);
}

describe('writes refused with their reason, in order, and nothing written for them', () => {
	it('answers each document of a batch in order, accepting some and refusing others', async () => {
		const session = await new Session(server.url, 'theo').signIn();
		const before = {
			M2: await revOf('mission:M2'),
			C1: await revOf('client:C1'),
			R1: await revOf('report:R1')
		};
		const batch = [
			nextRevision(
				anEvent({
					_id: 'event:E2',
					author: theo._id,
					authorName: theo.displayName,
					body: 'Sur place à 10 h'
				}) as unknown as Json
			),
			await edited<MissionDoc>('mission:M2', (m) => ({ ...m, status: 'in_progress' })),
			await edited<ClientDoc>('client:C1', (c) => ({ ...c, contract: { kind: 'none' } })),
			await edited<Json>('report:R1', (r) => ({ ...r, remarks: 'Ajouté après signature' })),
			nextRevision({
				...aTicket({ _id: 'ticket:K9', createdBy: theo._id }),
				impact: 7
			} as unknown as Json),
			nextRevision(
				anEvent({
					_id: 'event:E3',
					author: theo._id,
					body: 'x'.repeat(1_100_000)
				}) as unknown as Json
			),
			nextRevision({ _id: 'spaceship:1', type: 'spaceship', warp: 9 }),
			await edited<MissionDoc>('mission:M1', (m) => ({ ...m, status: 'in_progress' }))
		];
		const res = await session.pushRaw(batch);
		expect(res.status).toBe(201);
		const answers = res.body as Array<Record<string, unknown>>;
		expect(answers.map((a) => a.id)).toEqual(batch.map((d) => d._id));
		expect(answers[0]).toMatchObject({ ok: true, rev: batch[0]?._rev });
		expect(answers[7]).toMatchObject({ ok: true, rev: batch[7]?._rev });
		const refusals = answers.slice(1, 7);
		for (const a of refusals) expect(a).toMatchObject({ error: 'forbidden', name: 'forbidden' });
		expect(refusals.map((a) => a.reason)).toEqual([
			// Another technician's mission reads as a creation would: never whether it exists.
			'only a dispatcher or an expert may plan a mission',
			'a technician or an expert may not change contract',
			expect.stringMatching(
				/signed by the technician and the client: it can no longer be changed \(remarks\)/
			),
			expect.stringMatching(/ticket\.impact: must be 1, 2 or 3/),
			expect.stringMatching(/too large: \d+ bytes \(limit 1048576\)/),
			'unknown document type "spaceship"'
		]);

		expect((await stored(server.couch, 'event:E2'))?.body).toBe('Sur place à 10 h');
		expect((await stored(server.couch, 'mission:M1'))?.status).toBe('in_progress');
		expect(await revOf('mission:M2')).toBe(before.M2);
		expect(await revOf('client:C1')).toBe(before.C1);
		expect(await revOf('report:R1')).toBe(before.R1);
		for (const id of ['ticket:K9', 'event:E3', 'spaceship:1'])
			expect(await stored(server.couch, id), id).toBeNull();

		const admin = await new Session(server.url, 'ada').signIn();
		const health = await admin.client.request('/api/admin/sync-health');
		const entry = (health.body.users as Array<Record<string, unknown>>).find(
			(u) => u.user === 'theo'
		);
		expect(entry).toMatchObject({ refusedDocs: 6, lastRefusal: { id: 'spaceship:1' } });
	});

	it('refuses a change after which the user could no longer read the document', async () => {
		const session = await new Session(server.url, 'theo').signIn();
		const K3 = (await stored(server.couch, 'ticket:K3')) as unknown as TicketDoc;
		const escalated = transition(
			K3,
			{ type: 'escalate', group: 'desktop' },
			actor(theo),
			clock.now(),
			{
				taxonomy
			}
		);
		if (!escalated.ok) throw new Error(escalated.error.message);
		const res = await session.pushRaw([
			nextRevision(escalated.value as unknown as Json, K3 as never)
		]);
		expect((res.body as Array<Record<string, unknown>>)[0]).toMatchObject({
			error: 'forbidden',
			reason: 'after this change you could no longer read the document'
		});
		expect((await stored(server.couch, 'ticket:K3'))?._rev).toBe((K3 as unknown as Json)._rev);
	});

	it('never answers a 500 to bad input', async () => {
		const session = await new Session(server.url, 'theo').signIn();
		const garbage = await session.pushRaw([
			42,
			null,
			{},
			{ _id: 'ticket:K1' },
			{ _id: '_design/evil', _rev: '1-a', views: {} },
			{ _id: 'event:E5', _rev: '1-a', _revisions: { start: 7, ids: ['b'] }, type: 'event' },
			{ _id: 'event:E6', _rev: '1-a', _secret: true, type: 'event' }
		]);
		expect(garbage.status).toBe(201);
		const answers = garbage.body as Array<Record<string, unknown>>;
		expect(answers).toHaveLength(7);
		for (const a of answers) expect(a.error).toBe('forbidden');
		expect(answers.map((a) => a.reason)).toEqual([
			'document: must be an object with fields',
			'document: must be an object with fields',
			'document._id: is required',
			'document._rev: is required (push through replication)',
			'design and local documents are not synced',
			'document._revisions: does not match _rev',
			'document._secret: is not a field CouchDB keeps'
		]);

		const raw = (body: string) =>
			fetch(`${server.url}/api/sync/db/_bulk_docs`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', cookie: session.client.cookie },
				body
			});
		const badJson = await raw('{"docs": [');
		expect(badJson.status).toBe(400);
		expect(await badJson.json()).toMatchObject({ error: 'bad_request' });
		expect((await raw('{"docs": []}')).status).toBe(400);
		expect((await raw('{"docs": {}, "new_edits": false}')).status).toBe(400);
	});

	it('closes every other CouchDB endpoint to devices', async () => {
		const session = await new Session(server.url, 'theo').signIn();
		const call = (method: string, path: string, body?: unknown) =>
			session.client.request(`/api/sync/db${path}`, { method, body });
		for (const [method, path, body] of [
			['GET', '/_all_docs'],
			['GET', '/ticket:K1'],
			['PUT', '/ticket:K1', { type: 'ticket' }],
			['DELETE', '/ticket:K1'],
			['POST', '/_bulk_get', { docs: [{ id: 'ticket:K1' }] }],
			['GET', '/_changes'],
			['POST', '/_find', { selector: {} }],
			['GET', '/_design/terrain'],
			['PUT', '/_security', {}]
		] as Array<[string, string, unknown?]>) {
			const res = await call(method, path, body);
			expect(res.status, `${method} ${path}`).toBe(403);
			expect(res.body.error).toBe('forbidden');
		}
		const diff = await call('POST', '/_revs_diff', { 'mission:M2': ['9-abc'] });
		expect(diff.body).toEqual({ 'mission:M2': { missing: ['9-abc'] } });
		const anonymous = new Session(server.url, 'nobody');
		expect((await anonymous.client.request('/api/sync/db/')).status).toBe(401);
		const push = await anonymous.client.request('/api/sync/db/_bulk_docs', {
			method: 'POST',
			body: { docs: [], new_edits: false }
		});
		expect(push.status).toBe(401);
		expect(push.body.error).toBe('unauthorized');
	});

	it('takes the size limit from the access referential when it is stricter', async () => {
		const admin = await new Session(server.url, 'ada').signIn();
		const config = (await stored(server.couch, 'config:access')) as Json;
		const res = await admin.pushRaw([nextRevision({ ...config, maxDocBytes: 2000 }, config)]);
		expect((res.body as Array<Record<string, unknown>>)[0]).toMatchObject({ ok: true });
		const session = await new Session(server.url, 'theo').signIn();
		const push = await session.pushRaw([
			nextRevision(
				anEvent({
					_id: 'event:E7',
					author: theo._id,
					authorName: theo.displayName,
					body: 'y'.repeat(3000)
				}) as unknown as Json
			)
		]);
		expect((push.body as Array<Record<string, unknown>>)[0]?.reason).toMatch(/limit 2000/);
	});
});

describe('PouchDB replication to the server', () => {
	it('pushes what is allowed, reports the rest as denied, and goes on', async () => {
		const device = new PouchDevice(server.url, 'theo');
		await device.signIn();
		await device.pull();
		const mission = await device.get('mission:M1');
		await device.put(
			touch(
				mission as never,
				{ ...mission, status: 'done' } as never,
				clock.now(),
				theo._id
			) as never
		);
		const client = await device.get('client:C1');
		await device.put(
			touch(
				client as never,
				{ ...client, commercialStatus: 'suspended' } as never,
				clock.now(),
				theo._id
			) as never
		);
		await device.put(
			anEvent({
				_id: 'event:E8',
				author: theo._id,
				authorName: theo.displayName,
				body: 'Terminé'
			}) as unknown as Json
		);

		const first = await device.push();
		expect(first.written).toBe(2);
		expect(first.denied).toEqual([
			{ id: 'client:C1', reason: 'a technician or an expert may not change commercialStatus' }
		]);
		expect((await stored(server.couch, 'mission:M1'))?.status).toBe('done');
		expect((await stored(server.couch, 'event:E8'))?._rev).toBe(
			(await device.get('event:E8'))._rev
		);
		expect((await stored(server.couch, 'client:C1'))?.commercialStatus).toBe('active');

		const again = await device.push();
		expect(again).toEqual({ written: 0, denied: [] });
	});
});
