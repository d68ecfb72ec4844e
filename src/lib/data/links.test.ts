import { describe, expect, it } from 'vitest';
import { aTicket } from '../domain/testing/factories.ts';
import { memoryDb } from '../sync/testing.ts';
import { linkedTickets } from './links.ts';

describe('links between tickets on the desk', () => {
	it('finds a ticket’s parent and the reports attached to it, by number', async () => {
		const db = memoryDb('links');
		const parent = aTicket({ _id: 'ticket:P', number: 10_500, title: 'Panne réseau du site' });
		const child = aTicket({
			_id: 'ticket:C',
			number: 10_501,
			title: 'Plus d’internet au 2e',
			links: [{ kind: 'parent', ticketId: 'ticket:P' }]
		});
		await db.bulkDocs([parent, child, aTicket({ _id: 'ticket:X', number: 10_502 })] as never);
		const ofChild = await linkedTickets(db, child);
		expect(ofChild.links).toEqual([
			{ kind: 'parent', ticketId: 'ticket:P', number: 10_500, title: 'Panne réseau du site' }
		]);
		expect(ofChild.children).toEqual([]);
		const ofParent = await linkedTickets(db, parent);
		expect(ofParent.children).toEqual([
			{ ticketId: 'ticket:C', number: 10_501, title: 'Plus d’internet au 2e' }
		]);
		// Numbers of the other tickets, not its own.
		expect(ofParent.byNumber.get(10_502)).toBe('ticket:X');
		expect(ofParent.byNumber.has(10_500)).toBe(false);
	});
});
