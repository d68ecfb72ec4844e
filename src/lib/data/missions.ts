import { localDay } from '../domain/business-hours.ts';
import { refusal, type Refusal } from '../domain/refusals.ts';
import { err, ok, type Result } from '../domain/result.ts';
import { isDocOf, MISSION_END_REASONS, type MissionDoc, type MissionEndReason, type MissionStatus } from '../domain/schemas.ts';
import { touch } from '../domain/stamps.ts';
import { referentials } from './config.ts';
import { allOfType, readDoc, str, writeAll } from './docs.ts';
import { newEvent } from './events.ts';
import type { LocalDb } from './local-db.ts';
import { authorOf, userId, type Me } from './me.ts';
import { slaOf, type SlaFlag } from './tickets.ts';

export interface MissionRow {
	readonly id: string;
	readonly ticketTitle: string;
	readonly priority: string;
	readonly clientName: string;
	readonly address: string;
	readonly start: string;
	readonly end: string;
	readonly status: MissionStatus | '';
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
				status: str(m.status) as MissionStatus | '',
				sla: sla.flag,
				slaDueAt: sla.dueAt
			};
		})
		.sort((a, b) => (a.start < b.start ? -1 : 1));
	const today = localDay(now);
	const isDone = (m: MissionRow) => m.status === 'done' || m.status === 'unfinished' || m.status === 'cancelled';
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


/**
 * Ends a mission without a signed report (client absent, parts missing…): the mission becomes
 * `unfinished` and the timeline says why, in one checked batch. The ticket stays open — only
 * the signed report, a written solution at the desk, the requester or the timeout close it —
 * and goes back to the desk's "to plan" list.
 * @returns the refusal when the reason is missing or the mission is no longer open.
 * @throws {Error} when the mission is not on the device; {WriteError} when the database refuses.
 */
export async function endMissionWithoutReport(
	db: LocalDb,
	missionId: string,
	me: Me,
	reason: MissionEndReason,
	note: string,
	now: Date = new Date()
): Promise<Result<MissionDoc, Refusal>> {
	const mission = await readDoc(db, 'mission', missionId);
	if (!mission) throw new Error(`${missionId} is not on this device`);
	if (mission.status !== 'planned' && mission.status !== 'in_progress')
		return err(refusal('status', 'mission_over', 'the mission is already over'));
	if (!MISSION_END_REASONS.includes(reason) || (reason === 'other' && note.trim() === ''))
		return err(refusal('params', 'need_end_reason', 'say why the mission ends without a report'));
	const ended = touch(mission, { ...mission, status: 'unfinished' }, now, userId(me));
	const event = newEvent({
		subjectId: mission._id,
		ticketId: mission.ticketId,
		kind: 'mission_ended',
		author: authorOf(me),
		at: now,
		body: note.trim(),
		data: { missionId: mission._id, reason }
	});
	await writeAll(db, [ended, event]);
	return ok(ended);
}

/** The mission with a new status, stamped; the only field a technician may change. */
export function missionWithStatus(mission: MissionDoc, status: MissionStatus, now: Date, me: Me): MissionDoc {
	return touch(mission, { ...mission, status }, now, userId(me));
}
