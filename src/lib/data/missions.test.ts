import { describe, expect, it } from 'vitest';
import { aClient, aMission, aTicket, at } from '../domain/testing/factories.ts';
import { memoryDb } from '../sync/testing.ts';
import { missionsOf } from './missions.ts';

describe('the technician’s mission list', () => {
	it('shows each mission with its client, address, priority and the SLA computed on the device', async () => {
		const db = memoryDb('missions');
		const ticket = aTicket({ priority: 'P1' });
		await db.bulkDocs([
			aClient(),
			ticket,
			aMission({ start: at(60), end: at(120) }),
			aMission({ _id: 'mission:M2', start: at(3 * 24 * 60), end: at(3 * 24 * 60 + 60) }),
			aMission({ _id: 'mission:M3', technicianId: 'user:lea' }),
			// Planned the day before and not finished: still shown today.
			aMission({ _id: 'mission:M0', start: at(-24 * 60), end: at(-24 * 60 + 60) })
		] as never);
		// Monday 10:00 UTC, one hour after the P1 ticket was opened: its 30-minute response is late.
		const groups = await missionsOf(db, 'theo', new Date(at(60)));
		expect(groups.today.map((m) => m.id)).toEqual(['mission:M0', 'mission:M1']);
		expect(groups.upcoming.map((m) => m.id)).toEqual(['mission:M2']);
		const row = groups.today[1];
		expect(row).toMatchObject({ priority: 'P1', clientName: aClient().name, sla: 'breached' });
		expect(row?.address).toContain(aClient().sites[0]?.city ?? '');
		expect(row?.slaDueAt).toBe(at(30));
		// Ten minutes after it was opened, the same ticket is still in time.
		const before = await missionsOf(db, 'theo', new Date(at(10)));
		expect(before.today[1]?.sla).toBe('ok');
	});
});
