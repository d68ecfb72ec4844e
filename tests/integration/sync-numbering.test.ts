import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aClient, aConfig, aTicket, people, T0 } from '../../src/lib/domain/testing/factories.ts';
import { numberEventId } from '../../src/lib/domain/numbering.ts';
import { Client } from '../support/test-server.ts';
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

const dina = people.dispatcher();
const theo = people.technician('theo');

let clock: Clock;
let server: SyncServer;

beforeAll(async () => {
	clock = new Clock(Date.parse(T0) + 3600_000);
	server = await startSyncServer(clock);
	await addAccounts(server.couch, [dina, theo]);
	// An imported ticket already numbered: numbering goes on after it.
	await putAll(server.couch, [
		aConfig('access'),
		aClient(),
		{ ...aTicket({ _id: 'ticket:OLD', createdBy: dina._id }), number: 20_500 }
	] as unknown as Json[]);
});

afterAll(async () => {
	await server?.stop();
});

async function numberOf(ticketId: string): Promise<number | undefined> {
	for (let i = 0; i < 100; i++) {
		const event = await stored(server.couch, numberEventId(ticketId));
		const n = (event?.data as { number?: unknown } | undefined)?.number;
		if (typeof n === 'number') return n;
		await new Promise((r) => setTimeout(r, 100));
	}
	return undefined;
}

describe('numbers for tickets opened on a device, written by the server to a separate document', () => {
	it('numbers each pushed ticket once, after the numbers in use, and never edits the ticket', async () => {
		const session = await new Session(server.url, dina.name).signIn();
		const tickets = ['ticket:N1', 'ticket:N2', 'ticket:N3'].map((id) =>
			nextRevision(aTicket({ _id: id, createdBy: dina._id }) as unknown as Json)
		);
		const res = await session.pushRaw(tickets);
		expect((res.body as Array<{ ok?: boolean }>).every((a) => a.ok)).toBe(true);
		const numbers = await Promise.all(tickets.map((t) => numberOf(String(t._id))));
		expect(numbers.every((n) => typeof n === 'number' && n > 20_500)).toBe(true);
		expect(new Set(numbers).size).toBe(3);
		for (const t of tickets) {
			const ticket = await stored(server.couch, String(t._id));
			expect(ticket?._rev).toBe(t._rev);
			expect(ticket?.number).toBeUndefined();
		}
		// An edit of a numbered ticket does not number it again.
		const first = tickets[0]!;
		const again = nextRevision({ ...first, title: 'Titre corrigé' }, first);
		await session.pushRaw([again]);
		const event = await stored(server.couch, numberEventId(String(first._id)));
		expect(event?._rev).toMatch(/^1-/);
		// The public form's next number comes after those.
		const form = await new Client(server.url).request('/api/public/requests', {
			method: 'POST',
			body: {
				name: 'Jeanne Demandeuse',
				email: 'jeanne@example.org',
				title: 'Imprimante',
				text: 'Elle ne répond plus.'
			}
		});
		expect(form.status).toBe(201);
		expect(Number(form.body.number)).toBeGreaterThan(Math.max(...(numbers as number[])));
	});

	it('brings the number to the devices that hold the ticket, and refuses a number from a device', async () => {
		const device = new PouchDevice(server.url, dina.name);
		await device.signIn();
		await device.db.put(aTicket({ _id: 'ticket:N4', createdBy: dina._id }) as never);
		await device.push();
		const n = await numberOf('ticket:N4');
		expect(n).toBeGreaterThan(20_500);
		await device.pull();
		const local = (await device.db.get(numberEventId('ticket:N4'))) as Json;
		expect(local).toMatchObject({
			kind: 'ticket_numbered',
			ticketId: 'ticket:N4',
			data: { number: n }
		});

		const session = await new Session(server.url, dina.name).signIn();
		const forged = nextRevision({
			...aTicket({ _id: 'ticket:N5', createdBy: dina._id }),
			number: 99_999
		} as unknown as Json);
		const fakeEvent = nextRevision({
			_id: numberEventId('ticket:N4'),
			type: 'event',
			subjectId: 'ticket:N4',
			ticketId: 'ticket:N4',
			kind: 'ticket_numbered',
			visibility: 'requester',
			author: dina._id,
			at: T0,
			body: 'Ticket n° 1',
			data: { number: 1 }
		});
		const res = await session.pushRaw([forged, fakeEvent]);
		expect(res.body).toEqual([
			expect.objectContaining({
				id: 'ticket:N5',
				error: 'forbidden',
				reason: 'ticket.number: is given by the server'
			}),
			expect.objectContaining({ id: numberEventId('ticket:N4'), error: 'forbidden' })
		]);
		expect(await stored(server.couch, 'ticket:N5')).toBeNull();
	});
});
