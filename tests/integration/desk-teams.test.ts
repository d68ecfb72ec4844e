// Issue #15 at company size: a desk user in a team (an agency) holds their team's clients,
// tickets and technicians' planning, and the rest stays online (search). A team only decides
// what a device keeps: it is set by the desk or the admin, and must be a group — a device that
// forges one is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	aClient,
	aConfig,
	aMission,
	aTicket,
	actor,
	anEvent,
	aUser,
	people,
	qualify,
	ticketThrough,
	T0
} from '../../src/lib/domain/testing/factories.ts';
import type { ClientDoc, ConfigDoc, TicketDoc } from '../../src/lib/domain/schemas.ts';
import { touch } from '../../src/lib/domain/stamps.ts';
import {
	addAccounts,
	Clock,
	LightDevice,
	nextRevision,
	putAll,
	startSyncServer,
	stored,
	type Json,
	type SyncServer
} from '../support/sync-device.ts';

const HOUR = 3_600_000;
const clock = new Clock(Date.parse(T0) + 2 * HOUR);
const soon = (hours: number) => new Date(clock.ms + hours * HOUR).toISOString();

const lena = aUser('lena', ['dispatcher'], { groups: ['hotline'], team: 'agence-lyon' });
const dora = aUser('dora', ['dispatcher'], { groups: ['hotline'] });
const theo = { ...people.technician('theo'), team: 'agence-lyon' };
const tom = { ...people.technician('tom'), team: 'agence-paris' };
const ada = people.admin();

const groups: ConfigDoc = {
	...aConfig('groups'),
	groups: [
		{ id: 'hotline', label: 'Hotline' },
		{ id: 'agence-lyon', label: 'Agence de Lyon' },
		{ id: 'agence-paris', label: 'Agence de Paris' }
	]
} as ConfigDoc;

const qualified = ticketThrough([[qualify, actor(dora)]]);
const ticket = (id: string, number: number, overrides: Partial<TicketDoc>): TicketDoc => ({
	...qualified,
	_id: id,
	number,
	group: 'hotline',
	...overrides
});
const lyonTicket = ticket('ticket:LYON', 201, { clientId: 'client:LYON', title: 'Wi-Fi du hall' });
const parisTicket = ticket('ticket:PARIS', 202, {
	clientId: 'client:PARIS',
	title: 'Wi-Fi du siège'
});
const freeTicket = ticket('ticket:FREE', 204, { clientId: 'client:FREE', title: 'Imprimante' });
const intake = { ...aTicket({ clientId: undefined }), _id: 'ticket:NEW', number: 203 };
const mission = (id: string, technicianId: string) =>
	aMission({
		_id: id,
		ticketId: parisTicket._id,
		clientId: 'client:PARIS',
		technicianId,
		start: soon(20),
		end: soon(22)
	});

let server: SyncServer;
const devices: Record<string, LightDevice> = {};

beforeAll(async () => {
	server = await startSyncServer(clock);
	await addAccounts(server.couch, [lena, dora, theo, tom, ada]);
	await putAll(server.couch, [
		aConfig('access'),
		groups,
		aClient({ _id: 'client:LYON', name: 'Lumière SA', team: 'agence-lyon' }),
		aClient({ _id: 'client:PARIS', name: 'Seine SARL', team: 'agence-paris' }),
		aClient({ _id: 'client:FREE', name: 'Sans Agence SAS' }),
		lyonTicket,
		parisTicket,
		freeTicket,
		intake,
		anEvent({ _id: 'event:PARIS', subjectId: parisTicket._id, ticketId: parisTicket._id }),
		mission('mission:THEO', theo._id),
		mission('mission:TOM', tom._id),
		// Théo works at Lumière too: he reads its file (and may not move it).
		{ ...mission('mission:THEO-LYON', theo._id), ticketId: lyonTicket._id, clientId: 'client:LYON' }
	] as unknown as Json[]);
	for (const u of [lena, dora, theo, ada])
		devices[u.name] = await new LightDevice(server.url, u.name).signIn();
});

afterAll(async () => {
	await server?.stop();
});

const idsOf = async (login: string) => (await devices[login]!.manifest()).docs.map(([id]) => id);

/**
 * Pushes a new revision of a stored document as `login`'s device, stamped as the app does for
 * a client (`touch`); the server's answer.
 */
async function push(
	login: string,
	id: string,
	change: Json
): Promise<{ error?: string; reason?: string }> {
	const before = (await stored(server.couch, id))!;
	clock.advance(60_000);
	const after =
		before.type === 'client'
			? touch(
					before as unknown as ClientDoc,
					{ ...before, ...change } as unknown as ClientDoc,
					new Date(clock.ms).toISOString(),
					`user:${login}`
				)
			: { ...before, ...change };
	const res = await devices[login]!.pushRaw([nextRevision(after as unknown as Json, before)]);
	expect(res.status).toBeLessThan(300);
	return (res.body as Array<{ error?: string; reason?: string }>)[0]!;
}

describe('teams', () => {
	it('a dispatcher in a team holds her team’s clients and tickets, the intake, and those in no team', async () => {
		const ids = await idsOf('lena');
		for (const id of ['client:LYON', 'ticket:LYON', 'ticket:NEW', 'user:theo'])
			expect(ids).toContain(id);
		// A client in no team is every team's, with its tickets.
		expect(ids).toContain('client:FREE');
		expect(ids).toContain('ticket:FREE');
		for (const id of ['client:PARIS', 'ticket:PARIS', 'event:PARIS', 'user:tom'])
			expect(ids).not.toContain(id);
		// Desk staff in no team are everyone's (names on tickets).
		expect(ids).toContain('user:dora');
	});

	it('the planning of her team’s technicians, wherever they work', async () => {
		const ids = await idsOf('lena');
		expect(ids).toContain('mission:THEO');
		expect(ids).not.toContain('mission:TOM');
	});

	it('a dispatcher in no team holds every team’s', async () => {
		const ids = await idsOf('dora');
		for (const id of ['client:PARIS', 'ticket:PARIS', 'mission:TOM', 'user:tom'])
			expect(ids).toContain(id);
	});

	it('what is not held is still found and opened online', async () => {
		const res = await devices.lena!.call('/api/desk/search?q=siège');
		expect(res.status).toBe(200);
		expect((res.body as { hits: Array<{ id: string }> }).hits.map((h) => h.id)).toContain(
			'ticket:PARIS'
		);
	});

	it('a forged team is refused: a technician may not move a client, nor anyone to no group', async () => {
		const byTech = await push('theo', 'client:LYON', { team: 'agence-paris' });
		expect(byTech).toMatchObject({ error: 'forbidden', reason: expect.stringContaining('team') });
		const nowhere = await push('lena', 'client:LYON', { team: 'agence-nulle-part' });
		expect(nowhere).toMatchObject({
			error: 'forbidden',
			reason: expect.stringContaining('there is no group agence-nulle-part')
		});
		const self = await push('theo', 'user:theo', { team: 'agence-paris' });
		expect(self).toMatchObject({ error: 'forbidden', reason: expect.stringContaining('team') });
		expect((await stored(server.couch, 'client:LYON'))?.team).toBe('agence-lyon');
		expect((await stored(server.couch, 'user:theo'))?.team).toBe('agence-lyon');
	});

	it('a client moved into her team, then her own move, change what her device holds', async () => {
		expect((await push('lena', 'client:PARIS', { team: 'agence-lyon' })).error).toBeUndefined();
		await server.settled();
		let ids = await idsOf('lena');
		expect(ids).toContain('client:PARIS');
		expect(ids).toContain('ticket:PARIS');
		// The admin moves Léna to Paris: Lyon's tickets leave her device, Paris's stay out.
		expect((await push('ada', 'user:lena', { team: 'agence-paris' })).error).toBeUndefined();
		await server.settled();
		ids = await idsOf('lena');
		expect(ids).not.toContain('ticket:LYON');
		expect(ids).not.toContain('client:PARIS');
		expect(ids).toContain('mission:TOM');
		expect(ids).not.toContain('mission:THEO');
	});
});
