import { describe, expect, it } from 'vitest';
import { aClient, aTicket } from '../domain/testing/factories.ts';
import { generateDemo } from '../../../server/demo/generate.ts';
import { IntakeIndex, contractSummary, normalise } from './intake.ts';
import type { ClientDoc, TicketDoc } from '../domain/schemas.ts';

describe('call intake search', () => {
	it('finds a client by name without accents, a contact by phone with spaces, a ticket by number', () => {
		const client = aClient({ name: 'Société Générale de Réseaux', contacts: [{ id: 'c1', name: 'Hélène Martin', phone: '01 23 45 67 89' }] });
		const ticket = aTicket({ clientId: client._id, number: 10421, title: 'Imprimante bloquée' });
		const index = new IntakeIndex([client], [ticket]);
		expect(index.search('societe generale')[0]).toMatchObject({ kind: 'client' });
		expect(index.search('0123456789')[0]).toMatchObject({ kind: 'contact', contactId: 'c1' });
		expect(index.search('10421')[0]).toMatchObject({ kind: 'ticket' });
		expect(index.search('nothing like this')).toEqual([]);
		expect(normalise('Éric 06 12.34')).toBe('eric 061234');
	});

	it('flags an expired contract and counts hours left in a bank', () => {
		const managed = aClient({ contract: { kind: 'managed', start: '2025-01-01', end: '2026-12-31', hourBank: 40, hoursUsed: 37.5 } });
		expect(contractSummary(managed, '2026-11-25')).toMatchObject({ kind: 'managed', expired: false, bankMinutes: 150 });
		// The balance is the movements' (the server's debits at closures), not a counter.
		const debit = { _id: 'hourbank:K1:R1:x', type: 'hourbank', clientId: managed._id, ticketId: 'ticket:K1', reportId: 'report:R1', billingId: 'billing:K1:R1:x', move: 'debit', minutes: -165, closedAt: '2026-11-20T10:00:00.000Z', at: '2026-11-20T10:01:00.000Z', description: '' } as const;
		expect(contractSummary(managed, '2026-11-25', [debit]).bankMinutes).toBe(-15);
		expect(contractSummary(managed, '2027-01-02').expired).toBe(true);
	});

	it('finds clients and tickets among a larger demo company', { timeout: 60_000 }, () => {
		const demo = generateDemo({ seed: 3, scale: 3, now: new Date('2026-11-25T10:00:00Z') });
		const clients = demo.docs.filter((d): d is ClientDoc => d.type === 'client');
		const tickets = demo.docs.filter((d): d is TicketDoc => d.type === 'ticket');
		const index = new IntakeIndex(clients, tickets);
		const someTicket = tickets[100]!;
		expect(index.search(String(someTicket.number)).some((h) => h.kind === 'ticket' && h.ticket._id === someTicket._id)).toBe(true);
		expect(index.search(clients[7]!.name).some((h) => h.kind === 'client' && h.client._id === clients[7]!._id)).toBe(true);
	});
});
