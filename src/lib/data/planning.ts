import { newId } from '../domain/ids.ts';
import { checkBooking, rankTechnicians, type Candidate, type PlanningRequest, type Slot } from '../domain/planning.ts';
import { err, ok, type Result } from '../domain/result.ts';
import { parseMission, type ClientDoc, type EventDoc, type MissionDoc, type TicketDoc } from '../domain/schemas.ts';
import { touch } from '../domain/stamps.ts';
import { actorFromUser, transition } from '../domain/ticket.ts';
import type { Referentials } from './config.ts';
import { typedOfType } from './docs.ts';
import type { LocalDb } from './local-db.ts';
import type { Me } from './ticket-desk.ts';

/** Technicians ranked for a mission, from what this device holds (the desk holds everyone). */
export async function findTechnicians(db: LocalDb, request: Omit<PlanningRequest, 'hours'>, refs: Referentials): Promise<Candidate[]> {
	const [users, missions, calendar] = await Promise.all([typedOfType(db, 'user'), typedOfType(db, 'mission'), typedOfType(db, 'calendar')]);
	return rankTechnicians({ ...request, hours: refs.hours }, users, missions, calendar);
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
 * technician, and the timeline entry. Refused, with the reason, on double booking, an
 * absence, or a ticket rule.
 * @returns the mission id.
 */
export async function planMission(db: LocalDb, sheet: MissionSheet, me: Me, refs: Referentials, now: Date): Promise<Result<string, string>> {
	const [missions, calendar] = await Promise.all([typedOfType(db, 'mission'), typedOfType(db, 'calendar')]);
	const free = checkBooking(sheet.technicianId, sheet.slot, missions, calendar);
	if (!free.ok) return err(free.error);
	const planned = transition(sheet.ticket, { type: 'plan', technicianId: sheet.technicianId }, actorFromUser(me), now, { taxonomy: refs.taxonomy, matrix: refs.matrix });
	if (!planned.ok) return err(planned.error.message);
	const at = now.toISOString();
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
		createdBy: me._id,
		updatedAt: at,
		updatedBy: me._id
	};
	const checked = parseMission(mission);
	if (!checked.ok) return err(checked.error.join('; '));
	const event: EventDoc = {
		_id: newId('event', now),
		type: 'event',
		subjectId: sheet.ticket._id,
		ticketId: sheet.ticket._id,
		kind: 'mission_planned',
		visibility: 'requester',
		author: me._id,
		authorName: me.displayName,
		at,
		body: `Intervention planifiée le ${sheet.slot.start} avec ${sheet.technicianId.replace(/^user:/, '')}.`,
		data: { missionId: mission._id, technicianId: sheet.technicianId }
	};
	await db.bulkDocs([mission, touch(sheet.ticket, planned.value, now, me._id), event] as never);
	return ok(mission._id);
}
