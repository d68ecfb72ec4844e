// Issue #15: a desk device holds its working set, not every ticket it may read; the rest is
// searched and opened through the server, under the same access rules as sync.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	aClient,
	aConfig,
	aReport,
	aTicket,
	actor,
	anEvent,
	aUser,
	people,
	qualify,
	ticketThrough,
	T0
} from '../../src/lib/domain/testing/factories.ts';
import type { TicketDoc } from '../../src/lib/domain/schemas.ts';
import {
	addAccounts,
	Clock,
	LightDevice,
	putAll,
	startSyncServer,
	stored,
	type Json,
	type SyncServer
} from '../support/sync-device.ts';

const DAY = 86_400_000;
const clock = new Clock(Date.parse(T0) + 40 * DAY);
const iso = (daysAgo: number) => new Date(clock.ms - daysAgo * DAY).toISOString();

const dina = aUser('dina', ['dispatcher'], { groups: ['hotline'] });
const dora = aUser('dora', ['dispatcher']);
const eric = people.expert(['network']);
const theo = people.technician('theo');
const bea = people.billing();
const ada = people.admin();

const qualified = ticketThrough([[qualify, actor(dina)]]);
function ticket(id: string, number: number, overrides: Partial<TicketDoc>): TicketDoc {
	return { ...qualified, _id: id, number, ...overrides };
}
const closed = (daysAgo: number, solution: string): Partial<TicketDoc> => ({
	status: 'closed',
	closure: { by: dina._id, at: iso(daysAgo), how: 'level1', solution }
});

const hotlineOpen = ticket('ticket:HOT', 101, { group: 'hotline', title: 'Messagerie lente' });
// Opened by someone else: Dina holds the tickets she opened or works, whatever their group.
const networkOpen = ticket('ticket:NET', 102, {
	group: 'network',
	title: 'Switch du 2e étage',
	createdBy: 'user:ada'
});
const queue = { ...aTicket(), _id: 'ticket:NEW', number: 103, title: 'Appel sans groupe' };
const oldClosed = ticket('ticket:OLD', 104, {
	group: 'hotline',
	title: 'Imprimante du standard',
	description: 'Bourrage récurrent du bac deux, rouleaux usés',
	...closed(30, 'Rouleaux remplacés')
});
const recentClosed = ticket('ticket:RECENT', 105, {
	group: 'hotline',
	title: 'Mot de passe oublié',
	...closed(2, 'Réinitialisé')
});
const eventOf = (t: TicketDoc) =>
	anEvent({ _id: `event:${t._id.slice(7)}`, subjectId: t._id, ticketId: t._id });

let server: SyncServer;
const devices: Record<string, LightDevice> = {};

beforeAll(async () => {
	server = await startSyncServer(clock);
	await addAccounts(server.couch, [dina, dora, eric, theo, bea, ada]);
	const tickets = [hotlineOpen, networkOpen, queue, oldClosed, recentClosed];
	await putAll(server.couch, [
		aConfig('access'),
		aClient(),
		...tickets,
		...tickets.map(eventOf),
		aReport({ _id: 'report:OLD', ticketId: oldClosed._id, missionId: 'mission:OLD' }),
		anEvent({
			_id: 'event:OLD-signed',
			kind: 'report_signed',
			subjectId: 'report:OLD',
			ticketId: oldClosed._id
		})
	] as unknown as Json[]);
	for (const u of [dina, dora, eric, theo, bea])
		devices[u.name] = await new LightDevice(server.url, u.name).signIn();
});

afterAll(async () => {
	await server?.stop();
});

const idsOf = async (login: string) => (await devices[login]!.manifest()).docs.map(([id]) => id);
const search = async (login: string, qs: string) =>
	devices[login]!.call(`/api/desk/search?${qs}`) as Promise<{ status: number; body: Json }>;
const hitIds = (body: Json) => (body.hits as Array<{ id: string }>).map((h) => h.id);

describe('working set', () => {
	it('a dispatcher of a group holds its open tickets, the intake queue and recent closures, with their timelines', async () => {
		const ids = await idsOf('dina');
		for (const id of ['ticket:HOT', 'ticket:NEW', 'ticket:RECENT', 'event:HOT', 'event:RECENT'])
			expect(ids).toContain(id);
		// Another group's open ticket, and a ticket closed a month ago: read, not held.
		for (const id of ['ticket:NET', 'event:NET', 'ticket:OLD', 'event:OLD'])
			expect(ids).not.toContain(id);
		expect(ids).toContain('client:C1');
		expect(ids).toContain('config:access');
	});

	it('a dispatcher holds a ticket of another group that she opened', async () => {
		const doc = (await stored(server.couch, 'ticket:NET'))!;
		await putAll(server.couch, [{ ...doc, createdBy: dina._id }]);
		await server.settled();
		expect(await idsOf('dina')).toContain('ticket:NET');
		await putAll(server.couch, [
			{ ...(await stored(server.couch, 'ticket:NET'))!, createdBy: 'user:ada' }
		]);
		await server.settled();
		expect(await idsOf('dina')).not.toContain('ticket:NET');
	});

	it('a dispatcher in no group holds every open ticket', async () => {
		const ids = await idsOf('dora');
		for (const id of ['ticket:HOT', 'ticket:NET', 'ticket:NEW']) expect(ids).toContain(id);
		expect(ids).not.toContain('ticket:OLD');
	});

	it('an expert holds their group’s tickets only; billing the closed ones, not their timelines', async () => {
		const eric = await idsOf('eric');
		expect(eric).toContain('ticket:NET');
		expect(eric).not.toContain('ticket:HOT');
		const bea = await idsOf('bea');
		expect(bea).toContain('ticket:RECENT');
		expect(bea).not.toContain('event:RECENT');
		// Billing keeps what it bills from a quarter (invoices are monthly or quarterly).
		expect(bea).toContain('ticket:OLD');
		clock.advance(63 * DAY);
		expect(await idsOf('bea')).not.toContain('ticket:OLD');
		clock.advance(-63 * DAY);
	});

	it('a closed ticket ages out after workingSetDays (14 by default)', async () => {
		expect(await idsOf('dina')).toContain('ticket:RECENT');
		clock.advance(13 * DAY);
		expect(await idsOf('dina')).not.toContain('ticket:RECENT');
		expect(await idsOf('dina')).not.toContain('event:RECENT');
		clock.advance(-13 * DAY);
		expect(await idsOf('dina')).toContain('ticket:RECENT');
	});
});

describe('the full listing', () => {
	it('an admin may list everything they read; anyone else gets 403', async () => {
		const admin = await new LightDevice(server.url, ada.name).signIn();
		const all = await admin.call('/api/sync/manifest?scope=all');
		expect(all.status).toBe(200);
		const ids = (all.body.docs as Array<[string]>).map(([id]) => id);
		expect(ids).toContain('ticket:OLD');
		expect((await admin.manifest()).docs.map(([id]) => id)).not.toContain('ticket:OLD');
		const forged = await devices.dina!.call('/api/sync/manifest?scope=all');
		expect(forged.status).toBe(403);
	});
});

describe('search through the server', () => {
	it('finds an old closed ticket by its number and by a word of its description, accents ignored', async () => {
		const byNumber = await search('dina', 'q=104');
		expect(byNumber.status).toBe(200);
		expect(hitIds(byNumber.body)).toEqual(['ticket:OLD']);
		const byWord = await search('dina', `q=${encodeURIComponent('recurrent rouleau')}`);
		expect(hitIds(byWord.body)).toEqual(['ticket:OLD']);
		const hit = (byWord.body.hits as Json[])[0]!;
		expect(hit).toMatchObject({ number: 104, status: 'closed', clientName: 'Aprile' });
		expect(String(hit.excerpt)).toContain('[récurrent]');
	});

	it('applies the same filters as the list', async () => {
		const open = hitIds((await search('dora', 'status=open')).body).sort();
		expect(open).toEqual(['ticket:HOT', 'ticket:NET', 'ticket:NEW']);
		const closedHotline = hitIds((await search('dora', 'status=closed&group=hotline')).body);
		expect(closedHotline.sort()).toEqual(['ticket:OLD', 'ticket:RECENT']);
	});

	it('answers only what the access rules let the user read', async () => {
		// The expert reads the network group's tickets: not the hotline's old one.
		expect(hitIds((await search('eric', 'q=104')).body)).toEqual([]);
		expect(hitIds((await search('eric', 'q=switch')).body)).toEqual(['ticket:NET']);
		// A technician with no mission reads no ticket.
		expect(hitIds((await search('theo', 'status=open')).body)).toEqual([]);
	});

	it('refuses a malformed query in words, with nothing answered', async () => {
		const bad = await search('dina', 'status=perdu');
		expect(bad.status).toBe(400);
		expect(bad.body.message).toBe('status: not a ticket status');
		const twice = await search('dina', 'q=a&q=b');
		expect(twice.status).toBe(400);
		expect(twice.body.message).toBe('q: given more than once');
	});

	it('follows the changes feed: a ticket renamed is found by its new title', async () => {
		const doc = (await stored(server.couch, 'ticket:NET'))!;
		await putAll(server.couch, [{ ...doc, title: 'Borne wifi du hall' }]);
		await server.settled();
		await expect
			.poll(async () => hitIds((await search('dora', 'q=borne')).body), { timeout: 5_000 })
			.toEqual(['ticket:NET']);
	});
});

describe('opening outside the working set', () => {
	it('keeps an opened old ticket and its timeline on the device, then lets it go', async () => {
		const res = await devices.dina!.call('/api/desk/open', {
			method: 'POST',
			body: { id: 'ticket:OLD' }
		});
		expect(res.status).toBe(200);
		const ids = await idsOf('dina');
		expect(ids).toContain('ticket:OLD');
		expect(ids).toContain('event:OLD');
		// Its report, and the report's own timeline ("signed"), two levels down.
		expect(ids).toContain('report:OLD');
		expect(ids).toContain('event:OLD-signed');
		// Another dispatcher's device is not changed by it.
		expect(await idsOf('dora')).not.toContain('ticket:OLD');
		clock.advance(8 * DAY);
		expect(await idsOf('dina')).not.toContain('ticket:OLD');
		clock.advance(-8 * DAY);
	});

	it('a forged open of a ticket the user may not read: 404, nothing kept', async () => {
		const res = await devices.eric!.call('/api/desk/open', {
			method: 'POST',
			body: { id: 'ticket:OLD' }
		});
		expect(res.status).toBe(404);
		expect(await idsOf('eric')).not.toContain('ticket:OLD');
		expect(await stored(server.couch, 'pins:user:eric')).toBeNull();
		const unknown = await devices.eric!.call('/api/desk/open', {
			method: 'POST',
			body: { id: 'ticket:NOPE' }
		});
		expect(unknown.status).toBe(404);
		expect(unknown.body.message).toBe((res.body as Json).message);
		const bad = await devices.eric!.call('/api/desk/open', {
			method: 'POST',
			body: { id: 'config:access' }
		});
		expect(bad.status).toBe(400);
	});
});
