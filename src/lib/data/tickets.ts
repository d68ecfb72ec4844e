import { allOfType, str } from './docs.ts';
import type { LocalDb } from './local-db.ts';

export interface TicketRow {
	readonly id: string;
	readonly number: string | null;
	readonly title: string;
	readonly status: string;
	readonly priority: string;
	readonly clientName: string;
	readonly updatedAt: string;
}

/** The ticket list as the desk shows it, newest change first. */
export async function listTickets(db: LocalDb): Promise<TicketRow[]> {
	const [tickets, clients] = await Promise.all([allOfType(db, 'ticket'), allOfType(db, 'client')]);
	const clientNames = new Map(clients.map((c) => [str(c._id), str(c.name)]));
	return tickets
		.map((t) => ({
			id: str(t._id),
			number: t.number === undefined || t.number === null ? null : String(t.number),
			title: str(t.title),
			status: str(t.status),
			priority: str(t.priority),
			clientName: clientNames.get(str(t.clientId)) ?? '',
			updatedAt: str(t.updatedAt, str(t.createdAt))
		}))
		.sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1));
}
