import type { LinkKind, TicketDoc } from '../domain/schemas.ts';
import { readAll } from './docs.ts';
import { givenNumbers } from './tickets.ts';
import type { LocalDb } from './local-db.ts';

export interface LinkedTicket {
	readonly ticketId: string;
	readonly number: number | null;
	readonly title: string;
}

export interface Linked {
	/** The links this ticket holds (its parent, duplicates, related), with their targets. */
	readonly links: ReadonlyArray<LinkedTicket & { readonly kind: LinkKind }>;
	/** Tickets that name this one as their parent (a mass incident's reports). */
	readonly children: readonly LinkedTicket[];
	/** Ticket ids by number, to attach to a parent the operator names by its number. */
	readonly byNumber: ReadonlyMap<number, string>;
}

/** What this ticket is linked to and from, on this device. */
export async function linkedTickets(db: LocalDb, ticket: TicketDoc): Promise<Linked> {
	const [tickets, numbers] = await Promise.all([readAll(db, 'ticket'), givenNumbers(db)]);
	const numberOf = (t: TicketDoc) => t.number ?? numbers.get(t._id) ?? null;
	const byId = new Map(tickets.map((t) => [t._id, t]));
	const byNumber = new Map<number, string>();
	for (const t of tickets) {
		const n = numberOf(t);
		if (n !== null && t._id !== ticket._id) byNumber.set(n, t._id);
	}
	const describe = (id: string): LinkedTicket => {
		const t = byId.get(id);
		return { ticketId: id, number: t ? numberOf(t) : null, title: t?.title ?? id };
	};
	return {
		links: ticket.links.map((l) => ({ ...describe(l.ticketId), kind: l.kind })),
		children: tickets
			.filter((t) => t.links.some((l) => l.kind === 'parent' && l.ticketId === ticket._id))
			.map((t) => describe(t._id)),
		byNumber
	};
}
