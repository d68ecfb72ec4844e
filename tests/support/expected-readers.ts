/**
 * The readers of every document computed straight from the domain's `principalsFor` over the
 * whole data, independently of the server's access model: the oracle of the randomized sync
 * and push tests.
 */
import { principalsFor, type AccessContext } from '../../src/lib/domain/access.ts';
import type { Doc, TicketDoc } from '../../src/lib/domain/schemas.ts';
import { endedAt } from '../../src/lib/domain/ticket.ts';

/** The readers of every document, straight from the domain's rules over the whole data. */
export function expectedReaders(docs: readonly Doc[], now: number): Map<string, string[]> {
	const config = docs.find((d) => d._id === 'config:access') as { windowDays?: number } | undefined;
	const windowDays = config?.windowDays;
	const tickets = new Map<string, TicketDoc>();
	for (const d of docs) if (d.type === 'ticket') tickets.set(d._id, d);
	const byTicket = new Map<string, AccessContext['missions'] & object[]>();
	const byClient = new Map<string, AccessContext['missions'] & object[]>();
	const grants = new Map<string, NonNullable<AccessContext['grants']> & object[]>();
	for (const d of docs) {
		if (d.type === 'mission') {
			const ticket = tickets.get(d.ticketId);
			const fact = {
				technicianId: d.technicianId,
				status: d.status,
				ticketEndedAt: ticket ? endedAt(ticket) : undefined
			};
			byTicket.set(d.ticketId, [...(byTicket.get(d.ticketId) ?? []), fact]);
			byClient.set(d.clientId, [...(byClient.get(d.clientId) ?? []), fact]);
		} else if (d.type === 'grant') {
			grants.set(d.clientId, [...(grants.get(d.clientId) ?? []), d]);
		}
	}
	const readers = new Map<string, string[]>();
	for (const d of docs) {
		if (d.type === 'event') continue;
		const context: AccessContext = { now, windowDays };
		if (d.type === 'ticket') context.missions = byTicket.get(d._id) ?? [];
		if (d.type === 'client' || d.type === 'techfile') {
			const clientId = d.type === 'client' ? d._id : d.clientId;
			context.missions = byClient.get(clientId) ?? [];
			context.grants = grants.get(clientId) ?? [];
		}
		if (d.type === 'mission' || d.type === 'report') {
			const ticket = tickets.get(d.ticketId);
			context.ticket = { group: ticket?.group, endedAt: ticket ? endedAt(ticket) : undefined };
		}
		readers.set(d._id, principalsFor(d, context));
	}
	for (const d of docs) {
		if (d.type !== 'event') continue;
		readers.set(
			d._id,
			principalsFor(d, { now, windowDays, subjectPrincipals: readers.get(d.subjectId) ?? [] })
		);
	}
	return readers;
}
