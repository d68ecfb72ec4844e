import { allOfType, str } from './docs.ts';
import type { LocalDb } from './local-db.ts';

export interface MissionRow {
	readonly id: string;
	readonly ticketTitle: string;
	readonly priority: string;
	readonly clientName: string;
	readonly address: string;
	readonly start: string;
	readonly end: string;
	readonly status: string;
}

export interface MissionGroups {
	readonly today: MissionRow[];
	readonly upcoming: MissionRow[];
	readonly done: MissionRow[];
}

/** The technician's missions, split into today / upcoming / done and sorted by time. */
export async function missionsOf(db: LocalDb, technicianId: string, now: Date): Promise<MissionGroups> {
	const [missions, tickets, clients] = await Promise.all([
		allOfType(db, 'mission'),
		allOfType(db, 'ticket'),
		allOfType(db, 'client')
	]);
	const ticketById = new Map(tickets.map((t) => [str(t._id), t]));
	const clientById = new Map(clients.map((c) => [str(c._id), c]));
	const rows = missions
		.filter((m) => str(m.technicianId) === technicianId || str(m.technicianId) === `user:${technicianId}`)
		.map((m): MissionRow => {
			const ticket = ticketById.get(str(m.ticketId));
			const client = clientById.get(str(m.clientId));
			const sites = Array.isArray(client?.sites) ? (client.sites as Record<string, unknown>[]) : [];
			const site = sites.find((s) => str(s.id) === str(m.siteId)) ?? sites[0];
			return {
				id: str(m._id),
				ticketTitle: str(ticket?.title),
				priority: str(ticket?.priority),
				clientName: str(client?.name),
				address: site ? [str(site.address), str(site.postcode), str(site.city)].filter(Boolean).join(' ') : '',
				start: str(m.start),
				end: str(m.end),
				status: str(m.status)
			};
		})
		.sort((a, b) => (a.start < b.start ? -1 : 1));
	const today = parisDay(now);
	const isDone = (m: MissionRow) => m.status === 'done' || m.status === 'cancelled';
	// Today shows the whole day, finished missions included: it is the technician's schedule.
	return {
		today: rows.filter((m) => parisDay(new Date(m.start)) === today),
		upcoming: rows.filter((m) => !isDone(m) && parisDay(new Date(m.start)) > today),
		done: rows.filter((m) => isDone(m) && parisDay(new Date(m.start)) < today).reverse()
	};
}

function parisDay(date: Date): string {
	return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Paris' }).format(date);
}
