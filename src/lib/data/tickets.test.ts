import { describe, expect, it } from 'vitest';
import { numberEventId } from '../domain/numbering.ts';
import { timeoutFactId } from '../domain/sla-facts.ts';
import { aClient, anEvent, aTicket, at } from '../domain/testing/factories.ts';
import { memoryDb } from '../sync/testing.ts';
import { listTickets } from './tickets.ts';

const closed = {
	status: 'closed' as const,
	category: 'poste',
	group: 'support',
	closure: { by: 'user:dina', at: at(30), how: 'level1' as const, solution: 'Redémarré.' }
};

describe('the desk’s ticket list', () => {
	it('shows the server’s number, and recomputes only what changed or whose SLA clock runs', async () => {
		const db = memoryDb('tickets');
		await db.bulkDocs([
			aClient(),
			aTicket({ _id: 'ticket:OPEN' }),
			aTicket({ _id: 'ticket:DONE', ...closed }),
			{
				_id: numberEventId('ticket:OPEN'),
				type: 'event',
				kind: 'ticket_numbered',
				subjectId: 'ticket:OPEN',
				ticketId: 'ticket:OPEN',
				visibility: 'requester',
				author: 'system',
				at: at(1),
				body: 'Ticket n° 10421',
				data: { number: 10_421 }
			}
		] as never);
		const first = await listTickets(db, new Date(at(60)));
		const byId = (rows: typeof first, id: string) => rows.find((r) => r.id === id)!;
		expect(byId(first, 'ticket:OPEN').number).toBe(10_421);
		expect(byId(first, 'ticket:DONE').sla).toBe('met');
		expect(byId(first, 'ticket:OPEN').clientName).toBe(aClient().name);

		const again = await listTickets(db, new Date(at(600)));
		// The closed ticket's row is the same object; the open one is computed anew (its clock ran).
		expect(byId(again, 'ticket:DONE')).toBe(byId(first, 'ticket:DONE'));
		expect(byId(again, 'ticket:OPEN')).not.toBe(byId(first, 'ticket:OPEN'));

		// A change to the closed ticket, or to its client's name, is seen.
		const done = await db.get('ticket:DONE');
		await db.put({ ...done, title: 'Titre corrigé' });
		const edited = await listTickets(db, new Date(at(600)));
		expect(byId(edited, 'ticket:DONE').title).toBe('Titre corrigé');
		const client = await db.get('client:C1');
		await db.put({ ...client, name: 'Nouveau nom' });
		expect(byId(await listTickets(db, new Date(at(600))), 'ticket:DONE').clientName).toBe(
			'Nouveau nom'
		);
	});

	it('shows a ticket the server closed by timeout as closed, and ignores a fact not the server’s', async () => {
		const db = memoryDb('tickets-timeout');
		const resolvedAt = at(30);
		const resolution = { by: 'user:dina', at: resolvedAt, solution: 'Boîte archivée.' };
		const fact = (ticketId: string, author: string) =>
			anEvent({
				_id: timeoutFactId(ticketId, resolvedAt),
				subjectId: ticketId,
				ticketId,
				kind: 'status_change',
				author,
				at: at(300),
				data: { action: 'close', how: 'timeout', from: 'resolved', to: 'closed', resolvedAt }
			});
		await db.bulkDocs([
			aClient(),
			aTicket({ _id: 'ticket:T1', status: 'resolved', category: 'poste', group: 'support', resolution }),
			aTicket({ _id: 'ticket:T2', status: 'resolved', category: 'poste', group: 'support', resolution }),
			fact('ticket:T1', 'system'),
			fact('ticket:T2', 'user:dina')
		] as never);
		const rows = await listTickets(db, new Date(at(600)));
		expect(rows.find((r) => r.id === 'ticket:T1')?.status).toBe('closed');
		expect(rows.find((r) => r.id === 'ticket:T2')?.status).toBe('resolved');
	});
});
