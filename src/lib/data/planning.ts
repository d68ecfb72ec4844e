import { newId } from '../domain/ids.ts';
import { checkBooking, mayReplan, rankTechnicians, type Candidate, type PlanningRequest, type Slot } from '../domain/planning.ts';
import { invalid, refusal, type Refusal } from '../domain/refusals.ts';
import { err, ok, type Result } from '../domain/result.ts';
import { parseMission, type CalendarDoc, type ClientDoc, type MissionDoc, type TicketDoc, type UserDoc } from '../domain/schemas.ts';
import { touch } from '../domain/stamps.ts';
import { transition } from '../domain/ticket.ts';
import type { Referentials } from './config.ts';
import { readAll, readDoc, writeAll } from './docs.ts';
import { newEvent } from './events.ts';
import type { LocalDb } from './local-db.ts';
import { actorOf, authorOf, userId, type Me } from './me.ts';

/** A technician's display name, from their user document on this device. */
async function nameOf(db: LocalDb, id: string): Promise<string> {
	const user = await readDoc(db, 'user', id).catch(() => null);
	return user?.displayName ?? id.replace(/^user:/, '');
}

/** Technicians ranked for a mission, from what this device holds (the desk holds everyone). */
export async function findTechnicians(db: LocalDb, request: Omit<PlanningRequest, 'hours' | 'slotMinutes' | 'catalog'>, refs: Referentials): Promise<Candidate[]> {
	const [users, missions, calendar, clients] = await Promise.all([readAll(db, 'user'), readAll(db, 'mission'), readAll(db, 'calendar'), readAll(db, 'client')]);
	const byId = new Map(clients.map((c) => [c._id, c]));
	// Where a mission takes place, when its site has coordinates: travel from a previous mission.
	const siteOf = (m: MissionDoc) => {
		const site = byId.get(m.clientId)?.sites.find((s) => s.id === m.siteId);
		return site?.lat !== undefined && site.lng !== undefined ? { lat: site.lat, lng: site.lng } : undefined;
	};
	return rankTechnicians({ ...request, hours: refs.hours, slotMinutes: refs.slotMinutes, catalog: refs.skills }, users, missions, calendar, siteOf);
}

export interface MissionSheet {
	readonly ticket: TicketDoc;
	readonly client: ClientDoc;
	readonly siteId: string;
	readonly technicianId: string;
	readonly slot: Slot;
	readonly instructions: string;
	readonly toBring: readonly string[];
}

/**
 * Saves the mission sheet ("fiche d'intervention"): the mission, the ticket planned for that
 * technician, and its one timeline entry, in one checked batch. Refused, with the reason, on
 * double booking, an absence, or a ticket rule.
 * @returns the mission id.
 * @throws {WriteError} when the database refuses a document.
 */
export async function planMission(db: LocalDb, sheet: MissionSheet, me: Me, refs: Referentials, now: Date): Promise<Result<string, Refusal>> {
	const [missions, calendar] = await Promise.all([readAll(db, 'mission'), readAll(db, 'calendar')]);
	const again = mayReplan(sheet.ticket, missions);
	if (!again.ok) return err(again.error);
	const free = checkBooking(sheet.technicianId, sheet.slot, missions, calendar);
	if (!free.ok) return err(free.error);
	const planned = transition(sheet.ticket, { type: 'plan', technicianId: sheet.technicianId }, actorOf(me), now, { taxonomy: refs.taxonomy, matrix: refs.matrix });
	if (!planned.ok) return err(planned.error);
	const at = now.toISOString();
	const by = userId(me);
	const mission: MissionDoc = {
		_id: newId('mission', now),
		type: 'mission',
		ticketId: sheet.ticket._id,
		clientId: sheet.client._id,
		siteId: sheet.siteId,
		technicianId: sheet.technicianId,
		start: sheet.slot.start,
		end: sheet.slot.end,
		estimatedMinutes: Math.round((Date.parse(sheet.slot.end) - Date.parse(sheet.slot.start)) / 60_000),
		instructions: sheet.instructions,
		toBring: [...sheet.toBring],
		status: 'planned',
		createdAt: at,
		createdBy: by,
		updatedAt: at,
		updatedBy: by
	};
	const checked = parseMission(mission);
	if (!checked.ok) return err(invalid(checked.error));
	const event = newEvent({
		subjectId: sheet.ticket._id,
		ticketId: sheet.ticket._id,
		kind: 'mission_planned',
		visibility: 'requester',
		author: authorOf(me),
		at: now,
		data: {
			action: 'plan',
			missionId: mission._id,
			technicianId: sheet.technicianId,
			technicianName: await nameOf(db, sheet.technicianId),
			start: mission.start,
			end: mission.end,
			from: sheet.ticket.status,
			to: planned.value.status
		}
	});
	await writeAll(db, [mission, planned.value, event]);
	return ok(mission._id);
}

export interface ToPlan {
	readonly ticket: TicketDoc;
	readonly client: ClientDoc;
}

/**
 * Tickets waiting for an on-site visit: qualified, assigned or planned — or in progress after
 * a mission ended without a report — with a client, and no mission planned.
 */
function ticketsToPlan(tickets: readonly TicketDoc[], missions: readonly MissionDoc[], byId: ReadonlyMap<string, ClientDoc>): ToPlan[] {
	// A mission cancelled, or ended without a signed report, leaves its ticket to plan again.
	const planned = new Set(missions.filter((m) => m.status !== 'cancelled' && m.status !== 'unfinished').map((m) => m.ticketId));
	const out: ToPlan[] = [];
	for (const ticket of tickets) {
		const waits = ticket.status === 'qualified' || ticket.status === 'assigned' || ticket.status === 'planned' || ticket.status === 'in_progress';
		if (!waits || planned.has(ticket._id)) continue;
		const client = byId.get(ticket.clientId ?? '');
		if (client && client.sites.length > 0) out.push({ ticket, client });
	}
	const rank = (t: TicketDoc) => Number(t.priority.slice(1));
	return out.sort((a, b) => rank(a.ticket) - rank(b.ticket) || (a.ticket.createdAt < b.ticket.createdAt ? -1 : 1));
}

export interface Board {
	readonly technicians: UserDoc[];
	readonly missions: MissionDoc[];
	readonly calendar: CalendarDoc[];
	readonly clients: ReadonlyMap<string, ClientDoc>;
	/** Tickets waiting for a visit, most urgent first. */
	readonly toPlan: ToPlan[];
}

/** What the planning board shows: technicians, their missions and calendar entries, and the tickets to plan. */
export async function planningBoard(db: LocalDb): Promise<Board> {
	const [users, missions, calendar, clients, tickets] = await Promise.all([readAll(db, 'user'), readAll(db, 'mission'), readAll(db, 'calendar'), readAll(db, 'client'), readAll(db, 'ticket')]);
	const byId = new Map(clients.map((c) => [c._id, c]));
	return {
		technicians: users.filter((u) => u.roles.includes('technician') && !u.disabled).sort((a, b) => a.displayName.localeCompare(b.displayName, 'fr')),
		missions: missions.filter((m) => m.status !== 'cancelled'),
		calendar,
		clients: byId,
		toPlan: ticketsToPlan(tickets, missions, byId)
	};
}

/**
 * Moves a mission (drag on the board): new slot and/or technician, with its one timeline
 * entry. Refused, with the reason, when it double-books or lands in an absence or training.
 * @throws {WriteError} when the database refuses a document.
 */
export async function moveMission(db: LocalDb, missionId: string, technicianId: string, slot: Slot, me: Me, now: Date): Promise<Result<true, Refusal>> {
	const [missions, calendar] = await Promise.all([readAll(db, 'mission'), readAll(db, 'calendar')]);
	const mission = missions.find((m) => m._id === missionId);
	if (!mission) return err(refusal('params', 'mission_missing', 'the mission is not on this device'));
	if (mission.status === 'done' || mission.status === 'unfinished' || mission.status === 'cancelled') return err(refusal('status', 'mission_over', 'a finished or cancelled mission does not move'));
	const free = checkBooking(technicianId, slot, missions, calendar, missionId);
	if (!free.ok) return free;
	const moved = touch(mission, { ...mission, technicianId, start: slot.start, end: slot.end }, now, userId(me));
	const event = newEvent({
		subjectId: mission.ticketId,
		ticketId: mission.ticketId,
		kind: 'mission_planned',
		visibility: 'internal',
		author: authorOf(me),
		at: now,
		data: {
			action: 'move',
			missionId,
			technicianId,
			technicianName: await nameOf(db, technicianId),
			start: slot.start,
			end: slot.end,
			previous: { start: mission.start, technicianId: mission.technicianId, technicianName: await nameOf(db, mission.technicianId) }
		}
	});
	await writeAll(db, [moved, event]);
	return ok(true);
}
