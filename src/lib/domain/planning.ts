/**
 * Finding a technician for an on-site mission (seed 000 F4): who has the skills, a free slot
 * in the window, the lightest week, and the shortest trip; and whether a booking is allowed.
 * Pure: the caller passes the technicians, their missions and calendar entries.
 */
import { addBusinessMinutes, isOpen, nextOpening, type BusinessHours } from './business-hours.ts';
import { refusal, type Refusal } from './refusals.ts';
import { err, ok, type Result } from './result.ts';
import type { CalendarDoc, MissionDoc, TicketDoc, UserDoc } from './schemas.ts';
import { DEFAULT_SLOT_MINUTES, type SkillEntry } from './schemas/config.ts';
import { hasSkill } from './skills.ts';

export interface Slot {
	readonly start: string;
	readonly end: string;
}

interface Busy {
	readonly start: number;
	readonly end: number;
	readonly why: 'mission' | 'absence' | 'training';
	readonly label: string;
}

export interface PlanningRequest {
	readonly skills: readonly string[];
	readonly durationMinutes: number;
	readonly window: Slot;
	/** The site's position, to rank by travel when known. */
	readonly site?: { readonly lat: number; readonly lng: number } | undefined;
	readonly hours: BusinessHours;
	/** Slots start on this grid (minutes); DEFAULT_SLOT_MINUTES when not given. */
	readonly slotMinutes?: number | undefined;
	/** The skills referential, to read ids and labels alike. */
	readonly catalog?: readonly SkillEntry[] | undefined;
}

export interface LatLng {
	readonly lat: number;
	readonly lng: number;
}

/** Where the technician comes from to reach the site, for the travel estimate. */
export type TravelFrom = 'base' | 'previous_mission';

export interface Candidate {
	readonly technicianId: string;
	readonly name: string;
	readonly slot: Slot;
	readonly weekLoadMinutes: number;
	readonly distanceKm: number | null;
	/** Whence the distance is measured: the end of their previous mission that day, or their base. */
	readonly travelFrom: TravelFrom | null;
	readonly score: number;
	/** The skills asked for, which this technician has (ids; the UI says them by label). */
	readonly skills: readonly string[];
}

const MS = 60_000;
const WEEK_MS = 7 * 86_400_000;
/** Minutes of weekly load worth one kilometre of travel when ranking. */
const LOAD_PER_KM = 6;
/** A mission ending this long before the slot, or less, is where the technician comes from. */
const PREVIOUS_WITHIN_MS = 10 * 3_600_000;

/** Missions that keep a technician busy (cancelled ones free the slot). */
function busyOf(
	technicianId: string,
	missions: readonly MissionDoc[],
	calendar: readonly CalendarDoc[],
	ignoreMissionId?: string
): Busy[] {
	const busy: Busy[] = [];
	for (const m of missions) {
		if (m.technicianId !== technicianId || m.status === 'cancelled' || m._id === ignoreMissionId)
			continue;
		busy.push({ start: Date.parse(m.start), end: Date.parse(m.end), why: 'mission', label: '' });
	}
	for (const c of calendar) {
		// On-call duty is not an absence: the technician works, and may be sent.
		if (c.technicianId !== technicianId || c.kind === 'on_call') continue;
		busy.push({
			start: Date.parse(c.start),
			end: Date.parse(c.end),
			why: c.kind,
			label: c.label
		});
	}
	return busy;
}

function overlap(busy: readonly Busy[], start: number, end: number): Busy | undefined {
	return busy.find((b) => b.start < end && start < b.end);
}

/**
 * Whether the technician may be booked for the slot; the reason in words when not
 * (double booking, absence, training).
 */
export function checkBooking(
	technicianId: string,
	slot: Slot,
	missions: readonly MissionDoc[],
	calendar: readonly CalendarDoc[],
	ignoreMissionId?: string
): Result<true, Refusal> {
	const start = Date.parse(slot.start);
	const end = Date.parse(slot.end);
	if (!(end > start))
		return err(refusal('params', 'slot_order', 'the slot must end after it starts'));
	const clash = overlap(busyOf(technicianId, missions, calendar, ignoreMissionId), start, end);
	if (!clash) return ok(true);
	if (clash.why === 'mission')
		return err(refusal('rule', 'booked_mission', 'the technician already has a mission then'));
	return err(
		refusal(
			'rule',
			clash.why === 'absence' ? 'booked_absence' : 'booked_training',
			`the technician is away then: ${clash.why} (${clash.label})`,
			{ label: clash.label }
		)
	);
}

/**
 * The instant on the planning grid: the next grid line at or after `at` (`up`), or the nearest
 * one (a drag). The grid counts from the hour, and Paris's offset from UTC is whole hours,
 * so a grid line is one in local time too.
 */
export function snapToGrid(
	at: number,
	gridMinutes = DEFAULT_SLOT_MINUTES,
	mode: 'up' | 'nearest' = 'up'
): number {
	const step = gridMinutes * MS;
	// Seconds and milliseconds never make a slot: 10:36:06.696 is 10:45 going up.
	return mode === 'up' ? Math.ceil(at / step) * step : Math.round(at / step) * step;
}

/** A slot of the same length, moved so that it starts on the grid (nearest line). */
export function snapSlot(slot: Slot, gridMinutes = DEFAULT_SLOT_MINUTES): Slot {
	const start = Date.parse(slot.start);
	const length = Date.parse(slot.end) - start;
	const snapped = snapToGrid(start, gridMinutes, 'nearest');
	return {
		start: new Date(snapped).toISOString(),
		end: new Date(snapped + length).toISOString()
	};
}

/**
 * Whether the slot lies within business hours as one stretch (opens at its start, does not
 * cross a closing time or a holiday). Outside, the dispatcher is asked to confirm.
 */
export function withinBusinessHours(slot: Slot, hours: BusinessHours): boolean {
	const start = Date.parse(slot.start);
	const minutes = (Date.parse(slot.end) - start) / MS;
	if (!isOpen(start, hours)) return false;
	return addBusinessMinutes(start, minutes, hours).getTime() - start === minutes * MS;
}

/**
 * Whether the ticket may be planned again: a ticket in progress only when none of its
 * missions is still planned or under way (one ended unfinished, or was cancelled).
 */
export function mayReplan(
	ticket: Pick<TicketDoc, '_id' | 'status'>,
	missions: readonly MissionDoc[]
): Result<true, Refusal> {
	if (ticket.status !== 'in_progress') return ok(true);
	const active = missions.some(
		(m) => m.ticketId === ticket._id && (m.status === 'planned' || m.status === 'in_progress')
	);
	return active
		? err(
				refusal(
					'status',
					'mission_active',
					'a mission of this ticket is still planned or under way'
				)
			)
		: ok(true);
}

/** The first slot of the given length, on the grid, inside business hours, free of busy time. */
export function firstFreeSlot(
	busy: readonly Busy[],
	request: Pick<PlanningRequest, 'durationMinutes' | 'window' | 'hours' | 'slotMinutes'>
): Slot | null {
	const grid = request.slotMinutes ?? DEFAULT_SLOT_MINUTES;
	const windowEnd = Date.parse(request.window.end);
	let t = snapToGrid(nextOpening(request.window.start, request.hours).getTime(), grid);
	while (t < windowEnd) {
		if (!isOpen(t, request.hours)) {
			t = snapToGrid(nextOpening(t, request.hours).getTime(), grid);
			continue;
		}
		const end = addBusinessMinutes(t, request.durationMinutes, request.hours).getTime();
		// A mission is one stretch on site: it must not straddle a closing time.
		const contiguous = end - t === request.durationMinutes * MS;
		if (end <= windowEnd && contiguous && !overlap(busy, t, end)) {
			return { start: new Date(t).toISOString(), end: new Date(end).toISOString() };
		}
		t += grid * MS;
	}
	return null;
}

export function distanceKm(
	a: { lat: number; lng: number },
	b: { lat: number; lng: number }
): number {
	const rad = Math.PI / 180;
	const dLat = (b.lat - a.lat) * rad;
	const dLng = (b.lng - a.lng) * rad;
	const h =
		Math.sin(dLat / 2) ** 2 +
		Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
	return 6371 * 2 * Math.asin(Math.sqrt(h));
}

/**
 * Technicians who have every requested skill and a free slot in the window, best first:
 * the earliest slot, the lightest week (missions in the 7 days around the slot) and the
 * shortest trip — from the site of their previous mission when it ends shortly before the slot
 * and its place is known (`siteOf`), else from their base — with what the dispatcher reads as
 * the reason (i18n/planning.ts). The others are left out.
 */
export function rankTechnicians(
	request: PlanningRequest,
	technicians: readonly UserDoc[],
	missions: readonly MissionDoc[],
	calendar: readonly CalendarDoc[],
	siteOf: (mission: MissionDoc) => LatLng | undefined = () => undefined
): Candidate[] {
	const catalog = request.catalog ?? [];
	const candidates: Candidate[] = [];
	for (const tech of technicians) {
		if (!tech.roles.includes('technician') || tech.disabled) continue;
		if (!request.skills.every((s) => hasSkill(catalog, tech.skills, s))) continue;
		const slot = firstFreeSlot(busyOf(tech._id, missions, calendar), request);
		if (!slot) continue;
		const from = Date.parse(slot.start);
		const weekLoadMinutes = missions
			.filter((m) => m.technicianId === tech._id && m.status !== 'cancelled')
			.filter(
				(m) => Date.parse(m.start) >= from - WEEK_MS / 2 && Date.parse(m.start) < from + WEEK_MS / 2
			)
			.reduce((sum, m) => sum + (Date.parse(m.end) - Date.parse(m.start)) / MS, 0);
		const base =
			tech.base?.lat !== undefined && tech.base.lng !== undefined
				? { lat: tech.base.lat, lng: tech.base.lng }
				: null;
		const previous = previousMission(tech._id, from, missions);
		const previousPlace = previous ? siteOf(previous) : undefined;
		const origin: { place: LatLng; from: TravelFrom } | null = previousPlace
			? { place: previousPlace, from: 'previous_mission' }
			: base
				? { place: base, from: 'base' }
				: null;
		const km =
			request.site && origin ? Math.round(distanceKm(origin.place, request.site) * 10) / 10 : null;
		// Earlier slots first, then load, then travel.
		const hoursToSlot = (from - Date.parse(request.window.start)) / 3_600_000;
		const score = hoursToSlot * 30 + weekLoadMinutes + (km ?? 0) * LOAD_PER_KM;
		candidates.push({
			technicianId: tech._id,
			name: tech.displayName,
			slot,
			weekLoadMinutes,
			distanceKm: km,
			travelFrom: km === null ? null : (origin?.from ?? null),
			score,
			skills: request.skills
		});
	}
	return candidates.sort(
		(a, b) => a.score - b.score || a.technicianId.localeCompare(b.technicianId)
	);
}

/** The technician's mission that ends last before `at`, within PREVIOUS_WITHIN_MS. */
function previousMission(
	technicianId: string,
	at: number,
	missions: readonly MissionDoc[]
): MissionDoc | undefined {
	let best: MissionDoc | undefined;
	for (const m of missions) {
		if (m.technicianId !== technicianId || m.status === 'cancelled') continue;
		const end = Date.parse(m.end);
		if (end > at || at - end > PREVIOUS_WITHIN_MS) continue;
		if (!best || end > Date.parse(best.end)) best = m;
	}
	return best;
}
