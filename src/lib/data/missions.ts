import { localDay } from '../domain/business-hours.ts';
import { userIdFor } from '../domain/ids.ts';
import { isDocOf, parseMission, parseTicket, type Role } from '../domain/schemas.ts';
import { referentials } from './config.ts';
import { slaOf, type SlaFlag } from './tickets.ts';
import { touch } from '../domain/stamps.ts';
import { actorFromUser, isOpen, transition } from '../domain/ticket.ts';
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
	/** The ticket's SLA clock that matters now, computed on the device (right offline too). */
	readonly sla: SlaFlag;
	readonly slaDueAt: string | null;
}

export interface MissionGroups {
	readonly today: MissionRow[];
	readonly upcoming: MissionRow[];
	readonly done: MissionRow[];
}

/** The technician's missions, split into today / upcoming / done and sorted by time. */
export async function missionsOf(db: LocalDb, technicianId: string, now: Date): Promise<MissionGroups> {
	const [missions, tickets, clients, refs] = await Promise.all([
		allOfType(db, 'mission'),
		allOfType(db, 'ticket'),
		allOfType(db, 'client'),
		referentials(db)
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
			const sla = ticket && isDocOf('ticket', ticket) ? slaOf(ticket, refs, now) : { flag: 'none' as const, dueAt: null };
			return {
				id: str(m._id),
				ticketTitle: str(ticket?.title),
				priority: str(ticket?.priority),
				clientName: str(client?.name),
				address: site ? [str(site.address), str(site.postcode), str(site.city)].filter(Boolean).join(' ') : '',
				start: str(m.start),
				end: str(m.end),
				status: str(m.status),
				sla: sla.flag,
				slaDueAt: sla.dueAt
			};
		})
		.sort((a, b) => (a.start < b.start ? -1 : 1));
	const today = localDay(now);
	const isDone = (m: MissionRow) => m.status === 'done' || m.status === 'cancelled';
	// Today shows the whole day, finished missions included: it is the technician's schedule.
	return {
		// A mission of an earlier day not finished yet stays in sight, first, rather than vanish.
		today: rows.filter((m) => {
			const day = localDay(m.start);
			return day === today || (day < today && !isDone(m));
		}),
		upcoming: rows.filter((m) => !isDone(m) && localDay(m.start) > today),
		// Finished ahead of its day, a mission moves here rather than vanish from every tab.
		done: rows.filter((m) => isDone(m) && localDay(m.start) !== today).reverse()
	};
}


export interface Finisher {
	readonly name: string;
	readonly roles: readonly string[];
	readonly groups: readonly string[];
}

/**
 * Marks a mission done and closes its ticket (as its assignee, with `solution`), offline,
 * in one batch; the sync pushes both. The ticket is left as it is when the domain refuses
 * the closure (not assigned, already closed…): the reason is returned.
 * @throws {Error} when the mission is not on the device or the database refuses the write.
 */
export async function finishMission(
	db: LocalDb,
	missionId: string,
	user: Finisher,
	solution: string,
	now: Date = new Date()
): Promise<{ ticketClosed: boolean; refusal: string | null }> {
	const mission = parseMission(await db.get(missionId));
	if (!mission.ok) throw new Error(mission.error.join('; '));
	const by = userIdFor(user.name);
	const docs: object[] = [touch(mission.value, { ...mission.value, status: 'done' }, now, by)];
	let refusal: string | null = null;
	const ticket = parseTicket(await db.get(mission.value.ticketId).catch(() => null));
	if (ticket.ok && isOpen(ticket.value)) {
		const actor = actorFromUser({ _id: by, roles: user.roles as Role[], groups: [...user.groups] });
		const closed = transition(ticket.value, { type: 'close', solution }, actor, now);
		if (closed.ok) docs.push(closed.value);
		else refusal = closed.error.message;
	}
	const results = await db.bulkDocs(docs as never[]);
	for (const r of results) {
		if ('error' in r && r.error) throw new Error(`${r.id ?? '?'}: ${r.message ?? String(r.error)}`);
	}
	return { ticketClosed: docs.length > 1, refusal };
}
