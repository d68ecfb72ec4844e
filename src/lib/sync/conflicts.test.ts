import { describe, expect, it } from 'vitest';
import { parseTicket, type TicketDoc } from '../domain/schemas.ts';
import { touch } from '../domain/stamps.ts';
import { aTicket, at } from '../domain/testing/factories.ts';
import { resolveConflicts } from './conflicts.ts';
import { Ledger } from './ledger.ts';
import { pull } from './pull.ts';
import { memoryDb, serverTransport } from './testing.ts';

/** Domain documents as PouchDB takes them. */
const json = (doc: object): Record<string, unknown> => doc as Record<string, unknown>;

describe('resolveConflicts', () => {
	it('merges a pulled revision that branches from a local edit, keeping both changes', async () => {
		const server = memoryDb('server');
		const device = memoryDb('device');
		const ticket = aTicket();
		await server.put(json(ticket));
		const transport = serverTransport(server, () => [ticket._id]);
		const ledger = new Ledger();
		await pull(device, ledger, transport, new Set(), () => {});

		const onServer = (await server.get(ticket._id)) as unknown as TicketDoc;
		await server.put(
			json(touch(onServer, { ...onServer, description: 'vu au téléphone' }, at(30), 'user:dina'))
		);
		const onDevice = (await device.get(ticket._id)) as unknown as TicketDoc;
		await device.put(
			json(touch(onDevice, { ...onDevice, title: 'Écran noir au 2e' }, at(31), 'user:theo'))
		);

		const outcome = await pull(device, ledger, transport, new Set([ticket._id]), () => {});
		expect(outcome.fetched).toEqual([ticket._id]);
		expect((await device.get(ticket._id, { conflicts: true }))._conflicts).toHaveLength(1);

		expect(await resolveConflicts(device, outcome.fetched, 'user:theo')).toBe(1);
		const merged = await device.get(ticket._id, { conflicts: true });
		expect(merged._conflicts).toBeUndefined();
		expect(merged).toMatchObject({ title: 'Écran noir au 2e', description: 'vu au téléphone' });
		expect(parseTicket(merged).ok).toBe(true);
	});

	it('records a value the merge set aside as an event in the timeline', async () => {
		const device = memoryDb('device');
		const ticket = aTicket();
		const base = { ...ticket, _rev: '1-base' };
		await device.bulkDocs([json(base)], { new_edits: false });
		const mine = touch(base, { ...base, title: 'Titre du technicien' }, at(40), 'user:theo');
		const theirs = touch(base, { ...base, title: 'Titre du dispatcher' }, at(41), 'user:dina');
		await device.bulkDocs(
			[
				json({ ...mine, _rev: '2-aaa', _revisions: { start: 2, ids: ['aaa', 'base'] } }),
				json({ ...theirs, _rev: '2-bbb', _revisions: { start: 2, ids: ['bbb', 'base'] } })
			],
			{ new_edits: false }
		);
		expect(await resolveConflicts(device, null, 'user:theo')).toBe(1);
		expect((await device.get(ticket._id)).title).toBe('Titre du dispatcher');
		const events = await device.allDocs({
			startkey: 'event:',
			endkey: 'event:\ufff0',
			include_docs: true
		});
		expect(events.rows).toHaveLength(1);
		// In the device user's name: only the server writes as "system".
		expect(events.rows[0]?.doc).toMatchObject({
			kind: 'merge_set_aside',
			ticketId: ticket._id,
			author: 'user:theo'
		});
		// The set-aside value is kept as data (the timeline says it in words), never as a sentence.
		expect(JSON.stringify(events.rows[0]?.doc?.data)).toContain('Titre du technicien');
		expect(events.rows[0]?.doc?.body).toBe('');
	});
});
