// Technicians' time: calendar entries (absences, training, on-call duty) and the mission
// slots already booked, so no technician is in two places at once or sent on a day off.
import type { CalendarDoc } from '../../src/lib/domain/schemas.ts';
import type { Skill } from './catalogue.ts';
import type { DemoContext } from './context.ts';
import type { Staff } from './people.ts';
import type { Rng } from './rng.ts';
import { SLOTS, iso, isBusinessDay, isoWeekday, wallTime } from './time.ts';
import type { Slot } from './time.ts';

const HISTORY_DAYS = 92;
const FUTURE_DAYS = 30;

export class Planner {
	#busy = new Map<string, Set<number>>();
	#off = new Map<string, Set<number>>();
	#bySkill = new Map<string, Staff[]>();
	readonly technicians: readonly Staff[];

	constructor(technicians: readonly Staff[]) {
		this.technicians = technicians;
		for (const tech of technicians) {
			for (const skill of tech.skills) {
				const list = this.#bySkill.get(skill) ?? [];
				list.push(tech);
				this.#bySkill.set(skill, list);
			}
		}
	}

	markOff(techId: string, day: number): void {
		const days = this.#off.get(techId) ?? new Set<number>();
		days.add(day);
		this.#off.set(techId, days);
	}

	isOff(techId: string, day: number): boolean {
		return this.#off.get(techId)?.has(day) ?? false;
	}

	isFree(techId: string, day: number, slot: Slot): boolean {
		return (
			!this.isOff(techId, day) &&
			!(this.#busy.get(techId)?.has(day * SLOTS.length + slot.index) ?? false)
		);
	}

	book(techId: string, day: number, slot: Slot): void {
		const set = this.#busy.get(techId) ?? new Set<number>();
		set.add(day * SLOTS.length + slot.index);
		this.#busy.set(techId, set);
	}

	withSkill(skill: Skill): readonly Staff[] {
		return this.#bySkill.get(skill) ?? [];
	}

	/** A technician with `skill` free on `day` in one of `slots`, booked at once; null if none. */
	findAndBook(
		rng: Rng,
		skill: Skill,
		day: number,
		slots: readonly Slot[]
	): { tech: Staff; slot: Slot } | null {
		const candidates = this.withSkill(skill);
		const order =
			candidates.length > 12
				? rng.sample(candidates, 12)
				: rng.sample(candidates, candidates.length);
		for (const slot of rng.sample(slots, slots.length)) {
			for (const tech of order) {
				if (this.isFree(tech.id, day, slot)) {
					this.book(tech.id, day, slot);
					return { tech, slot };
				}
			}
		}
		return null;
	}
}

// prettier-ignore
const ABSENCES = ['Congés payés', 'RTT', 'Congés payés', 'Arrêt maladie'] as const;
// prettier-ignore
const TRAININGS = ['Formation Fortinet NSE 4', 'Formation Microsoft 365 et Intune', 'Habilitation électrique BR', 'Formation Veeam Backup', 'Certification Aruba ACMA'] as const;

interface CalendarEntry {
	technicianId: string;
	kind: CalendarDoc['kind'];
	start: number;
	end: number;
	label: string;
}

/** A few business days in a row, never today: the technician screens are never empty. */
function absenceDays(rng: Rng, today: number, length: number): number[] {
	for (let attempt = 0; attempt < 20; attempt++) {
		const first = today + rng.int(-HISTORY_DAYS + 5, FUTURE_DAYS);
		const days: number[] = [];
		for (let d = first; days.length < length; d++) if (isBusinessDay(d)) days.push(d);
		if (!days.includes(today)) return days;
	}
	return [];
}

function entries(ctx: DemoContext, planner: Planner, rng: Rng): CalendarEntry[] {
	const out: CalendarEntry[] = [];
	for (const tech of planner.technicians) {
		const absences = rng.int(1, 2);
		for (let i = 0; i < absences; i++) {
			const days = absenceDays(rng, ctx.today, rng.weighted([1, 2, 3, 5], [3, 2, 2, 1]));
			const first = days[0];
			const last = days.at(-1);
			if (first === undefined || last === undefined || days.some((d) => planner.isOff(tech.id, d)))
				continue;
			for (const d of days) planner.markOff(tech.id, d);
			out.push({
				technicianId: tech.id,
				kind: 'absence',
				start: wallTime(first, 0),
				end: wallTime(last + 1, 0),
				label: rng.pick(ABSENCES)
			});
		}
		if (rng.chance(0.6)) {
			const [day] = absenceDays(rng, ctx.today, 1);
			if (day !== undefined && !planner.isOff(tech.id, day)) {
				planner.markOff(tech.id, day);
				out.push({
					technicianId: tech.id,
					kind: 'training',
					start: wallTime(day, 9 * 60),
					end: wallTime(day, 17 * 60),
					label: rng.pick(TRAININGS)
				});
			}
		}
	}
	// On-call duty: one technician per team of ten each week, Monday 18:00 to next Monday 08:00.
	const teams = Math.ceil(planner.technicians.length / 10);
	const firstMonday = ctx.today - HISTORY_DAYS - (isoWeekday(ctx.today - HISTORY_DAYS) - 1);
	for (let monday = firstMonday, week = 0; monday <= ctx.today + FUTURE_DAYS; monday += 7, week++) {
		for (let team = 0; team < teams; team++) {
			const members = planner.technicians.slice(team * 10, team * 10 + 10);
			const tech = members[(week + team) % members.length];
			if (tech === undefined) continue;
			out.push({
				technicianId: tech.id,
				kind: 'on_call',
				start: wallTime(monday, 18 * 60),
				end: wallTime(monday + 7, 8 * 60),
				label: 'Astreinte semaine (soirs et week-end)'
			});
		}
	}
	return out;
}

/** Calendar documents; marks the days off in the planner as it goes. */
export function buildCalendar(ctx: DemoContext, planner: Planner): CalendarDoc[] {
	const rng = ctx.stream('calendar');
	return entries(ctx, planner, rng).map((e) => ({
		_id: ctx.id('calendar', e.start),
		type: 'calendar',
		technicianId: e.technicianId,
		kind: e.kind,
		start: iso(e.start),
		end: iso(e.end),
		label: e.label
	}));
}
