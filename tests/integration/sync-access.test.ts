import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { touch } from '../../src/lib/domain/stamps.ts';
import type { MissionDoc, TicketDoc } from '../../src/lib/domain/schemas.ts';
import {
	aClient,
	aConfig,
	aMission,
	aTechfile,
	actor,
	anApprovedGrant,
	anEvent,
	people,
	qualify,
	ticketThrough,
	T0
} from '../../src/lib/domain/testing/factories.ts';
import {
	addAccounts,
	Clock,
	LightDevice,
	PouchDevice,
	putAll,
	startSyncServer,
	stored,
	type Json,
	type SyncServer
} from '../support/sync-device.ts';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

const dina = people.dispatcher();
const theo = people.technician('theo');
const lea = people.technician('lea');
const ada = people.admin();

const K1 = ticketThrough([[qualify, actor(dina)]]);
const K2 = ticketThrough([[qualify, actor(dina)]], {
	...K1,
	_id: 'ticket:K2',
	clientId: 'client:C2',
	status: 'new',
	category: undefined,
	subcategory: undefined,
	group: undefined
} as TicketDoc);

function world(): Json[] {
	return [
		aConfig('access'),
		aClient(),
		aTechfile(),
		aClient({ _id: 'client:C2', name: 'Beta' }),
		aTechfile({ clientId: 'client:C2' }),
		K1,
		K2,
		anEvent()
	] as unknown as Json[];
}

let clock: Clock;
let server: SyncServer;

beforeAll(async () => {
	clock = new Clock(Date.parse(T0) + 2 * HOUR);
	server = await startSyncServer(clock);
	await addAccounts(server.couch, [dina, theo, lea, ada]);
	await putAll(server.couch, world());
});

afterAll(async () => {
	await server?.stop();
});

async function revs(ids: string[]): Promise<Record<string, unknown>> {
	const out: Record<string, unknown> = {};
	for (const id of ids) out[id] = (await stored(server.couch, id))?._rev;
	return out;
}

/** The dispatcher's device edits a mission offline with `touch`, then pushes. */
async function dispatcherSaves(device: PouchDevice, doc: MissionDoc | TicketDoc, before?: Json) {
	const body = before
		? touch(before as unknown as MissionDoc, doc as MissionDoc, clock.now(), dina._id)
		: doc;
	await device.put({ ...(body as unknown as Json), ...(before ? { _rev: before._rev } : {}) });
	const pushed = await device.push();
	expect(pushed.denied).toEqual([]);
}

describe('grants arrive without the document changing, and leave with time', () => {
	const file = ['ticket:K1', 'client:C1', 'techfile:C1'];

	it('assigning a mission brings the ticket, its client and technical file, unchanged', async () => {
		const device = await new LightDevice(server.url, 'theo').signIn();
		await device.pull();
		for (const id of [...file, 'event:E1']) expect(device.held.has(id), id).toBe(false);
		expect(device.held.has('user:theo')).toBe(true);
		const before = await revs(file);

		const desk = await new PouchDevice(server.url, 'dina').signIn();
		await desk.pull();
		await dispatcherSaves(
			desk,
			aMission({ start: clock.iso(), end: new Date(clock.ms + HOUR).toISOString() })
		);

		await device.pull();
		for (const id of [...file, 'mission:M1', 'event:E1'])
			expect(device.held.has(id), id).toBe(true);
		expect(await revs(file)).toEqual(before);
		for (const id of file) expect(device.held.get(id)?._rev).toBe(before[id]);
	});

	it('reassigning the mission takes them away from the first technician and gives them to the next', async () => {
		const first = await new LightDevice(server.url, 'theo').signIn();
		const next = await new LightDevice(server.url, 'lea').signIn();
		await first.pull();
		await next.pull();
		expect(next.held.has('ticket:K1')).toBe(false);
		const before = await revs(file);

		const desk = await new PouchDevice(server.url, 'dina').signIn();
		await desk.pull();
		const mission = await desk.get('mission:M1');
		await dispatcherSaves(
			desk,
			{ ...(mission as unknown as MissionDoc), technicianId: lea._id },
			mission
		);

		await first.pull();
		await next.pull();
		for (const id of [...file, 'mission:M1', 'event:E1']) {
			expect(first.held.has(id), id).toBe(false);
			expect(next.held.has(id), id).toBe(true);
		}
		expect(await revs(file)).toEqual(before);
	});

	it('an approved access grant opens a client’s file until it expires', async () => {
		const device = await new LightDevice(server.url, 'theo').signIn();
		const admin = await new PouchDevice(server.url, 'ada').signIn();
		await admin.put(
			anApprovedGrant(new Date(clock.ms + 2 * HOUR).toISOString(), {
				clientId: 'client:C2',
				decidedAt: clock.iso()
			}) as unknown as Json
		);
		expect((await admin.push()).denied).toEqual([]);
		await device.pull();
		for (const id of ['client:C2', 'techfile:C2', 'grant:G1'])
			expect(device.held.has(id), id).toBe(true);
		expect(device.held.has('ticket:K2')).toBe(false);

		clock.advance(3 * HOUR);
		await device.pull();
		expect(device.held.has('client:C2')).toBe(false);
		expect(device.held.has('techfile:C2')).toBe(false);
		expect(device.held.has('grant:G1')).toBe(true);
	});

	it('closing the ticket keeps the technician’s access for the window, then ends it', async () => {
		const tech = await new LightDevice(server.url, 'lea').signIn();
		const desk = await new PouchDevice(server.url, 'dina').signIn();
		await desk.pull();
		const ticket = await desk.get('ticket:K1');
		const closed = {
			...(ticket as unknown as TicketDoc),
			status: 'closed',
			closure: { by: dina._id, at: clock.iso(), how: 'level1', solution: 'Réglé' }
		} as TicketDoc;
		await dispatcherSaves(desk, closed, ticket);
		await tech.pull();
		expect(tech.held.has('ticket:K1')).toBe(true);

		clock.advance(6 * DAY);
		await tech.pull();
		expect(tech.held.has('ticket:K1')).toBe(true);
		clock.advance(2 * DAY);
		await tech.pull();
		for (const id of [...file, 'mission:M1', 'event:E1']) expect(tech.held.has(id), id).toBe(false);
		await desk.pull();
		expect((await desk.get('ticket:K1'))._rev).toBe(
			(await stored(server.couch, 'ticket:K1'))?._rev
		);
	});
});

describe('live', () => {
	it('wakes a waiting device within a second of a change it can read, not for others', async () => {
		const desk = await new PouchDevice(server.url, 'dina').signIn();
		await desk.pull();
		await dispatcherSaves(
			desk,
			aMission({
				_id: 'mission:M3',
				ticketId: 'ticket:K2',
				clientId: 'client:C2',
				start: clock.iso(),
				end: new Date(clock.ms + HOUR).toISOString()
			})
		);
		const device = await new LightDevice(server.url, 'theo').signIn();
		const { token } = await device.pull();

		const quiet = device.client.request(`/api/sync/changes?since=${token}&timeout=2500`);
		await new Promise((r) => setTimeout(r, 200));
		await putAll(server.couch, [
			{
				...anEvent({ _id: 'event:E9', subjectId: 'client:C1', ticketId: undefined })
			} as unknown as Json
		]);
		const startedQuiet = Date.now();
		const unconcerned = await quiet;
		expect(unconcerned.body.changed).toBe(false);
		expect(Date.now() - startedQuiet).toBeGreaterThan(1800);

		const waiting = device.client.request(
			`/api/sync/changes?since=${String(unconcerned.body.token)}&timeout=10000`
		);
		await new Promise((r) => setTimeout(r, 300));
		const mission = (await stored(server.couch, 'mission:M3')) as Json;
		const writtenAt = Date.now();
		await putAll(server.couch, [
			touch(
				mission as unknown as MissionDoc,
				{ ...(mission as unknown as MissionDoc), instructions: 'Badge à l’accueil' },
				clock.now(),
				dina._id
			) as unknown as Json
		]);
		const woken = await waiting;
		expect(woken.body.changed).toBe(true);
		expect(Date.now() - writtenAt).toBeLessThan(1000);
		await device.pull();
		expect(device.held.get('mission:M3')?.instructions).toBe('Badge à l’accueil');
	});

	it('wakes a waiting device when a deadline takes a document away', async () => {
		const admin = await new PouchDevice(server.url, 'ada').signIn();
		await admin.put(
			anApprovedGrant(new Date(clock.ms + HOUR).toISOString(), {
				_id: 'grant:G2',
				clientId: 'client:C1',
				decidedAt: clock.iso(),
				requestedAt: clock.iso()
			}) as unknown as Json
		);
		expect((await admin.push()).denied).toEqual([]);
		const device = await new LightDevice(server.url, 'theo').signIn();
		const { token } = await device.pull();
		expect(device.held.has('client:C1')).toBe(true);
		const waiting = device.client.request(`/api/sync/changes?since=${token}&timeout=10000`);
		await new Promise((r) => setTimeout(r, 300));
		clock.advance(2 * HOUR);
		const started = Date.now();
		expect((await waiting).body.changed).toBe(true);
		expect(Date.now() - started).toBeLessThan(2000);
		await device.pull();
		expect(device.held.has('client:C1')).toBe(false);
	});

	it('answers at once without a token, and refuses without a session', async () => {
		const device = await new LightDevice(server.url, 'theo').signIn();
		const first = await device.client.request('/api/sync/changes');
		expect(first.body).toMatchObject({ changed: true });
		expect(typeof first.body.token).toBe('string');
		const anonymous = await new LightDevice(server.url, 'nobody').client.request(
			'/api/sync/changes'
		);
		expect(anonymous.status).toBe(401);
	});
});
