// What happens to each demo ticket, decided before any of it is told: its client,
// category, how it came in, how far it gets in the life cycle, and whether a technician
// goes on site (and when). The technicians' day is planned first, so that every one of
// them has missions today and in the coming days.
import type { Contact, Site, TicketDoc } from '../../src/lib/domain/schemas.ts';
import type { Scale3, TicketSource } from '../../src/lib/domain/schemas/ticket.ts';
import type { CategorySpec, TicketTemplate } from './catalogue.ts';
import { CATEGORIES } from './categories.ts';
import type { DemoClient } from './clients.ts';
import type { DemoContext } from './context.ts';
import type { Staff, StaffRoster } from './people.ts';
import type { Rng } from './rng.ts';
import type { Planner } from './schedule.ts';
import {
	DAY,
	MINUTE,
	SLOTS,
	businessDayAfter,
	isBusinessDay,
	isBusinessTime,
	localDay,
	wallTime,
	type Slot
} from './time.ts';

export const TICKETS_PER_SCALE = 300;

export type Target = TicketDoc['status'];
export type Path = 'desk' | 'field';

export interface Visit {
	readonly technician: Staff;
	readonly start: number;
	readonly end: number;
	readonly estimatedMinutes: number;
}

export interface TicketPlan {
	readonly key: string;
	readonly target: Target;
	readonly path: Path;
	readonly createdAt: number;
	readonly client: DemoClient;
	readonly site: Site;
	readonly contact: Contact;
	readonly category: CategorySpec;
	readonly template: TicketTemplate;
	readonly source: TicketSource;
	readonly impact: Scale3;
	readonly urgency: Scale3;
	readonly dispatcher: Staff;
	readonly expert: Staff;
	/** The technician sent, or to be sent, on site (field path). */
	readonly technician?: Staff;
	/** The on-site slot, when one was booked. */
	readonly visit?: Visit;
}

// Share of each status among the tickets not made by the technicians' schedule.
// prettier-ignore
const TARGET_WEIGHTS: ReadonlyArray<readonly [Target, number]> = [
	['new', 5], ['qualified', 4], ['assigned', 5], ['planned', 4], ['in_progress', 3],
	['pending', 5], ['resolved', 5], ['closed', 64], ['cancelled', 5]
];

/** How long ago (in days) a ticket that ends in each status was opened. */
// prettier-ignore
const AGE_DAYS: Readonly<Record<Target, readonly [number, number]>> = {
	new: [0, 1.5], qualified: [0.2, 4], assigned: [0.5, 6], planned: [0.5, 5], in_progress: [0.5, 6],
	pending: [2, 25], resolved: [1, 5], closed: [2, 90], cancelled: [1, 90]
};

const DURATIONS = [45, 60, 75, 90, 120] as const;

/** What decides a plan; the rest (client, site, requester, template…) is drawn. */
interface Draft {
	target: Target;
	path: Path;
	createdAt: number;
	category: CategorySpec;
	source: TicketSource;
	technician?: Staff;
	visit?: Visit;
}

/** A mission of today: done, under way or to come, depending on the time of day. */
function todayTarget(visit: Visit, now: number, rng: Rng): Target {
	if (visit.end <= now) return rng.chance(0.75) ? 'closed' : 'resolved';
	return visit.start <= now ? 'in_progress' : 'planned';
}

/** Picks by cumulative weight with a binary search: thousands of clients at scale 100. */
function weightedPicker<T>(items: readonly T[], weight: (item: T) => number): (rng: Rng) => T {
	const cumulative: number[] = [];
	let total = 0;
	for (const item of items) cumulative.push((total += weight(item)));
	return (rng) => {
		const r = rng.next() * total;
		let lo = 0;
		let hi = cumulative.length - 1;
		while (lo < hi) {
			const mid = (lo + hi) >> 1;
			if ((cumulative[mid] ?? 0) > r) hi = mid;
			else lo = mid + 1;
		}
		return items[lo] as T;
	};
}

const pickCategory = weightedPicker(CATEGORIES, (c) => c.weight);
const scale3 = (rng: Rng): Scale3 => rng.weighted([1, 2, 3] as const, [15, 45, 40]);

export class PlanMaker {
	readonly #ctx: DemoContext;
	readonly #staff: StaffRoster;
	readonly #planner: Planner;
	readonly #rng: Rng;
	readonly #pickClient: (rng: Rng) => DemoClient;
	#count = 0;

	constructor(
		ctx: DemoContext,
		staff: StaffRoster,
		clients: readonly DemoClient[],
		planner: Planner
	) {
		this.#ctx = ctx;
		this.#staff = staff;
		this.#planner = planner;
		this.#rng = ctx.stream('plans');
		this.#pickClient = weightedPicker(clients, (c) => c.weight);
	}

	/** A business instant in [from, to], or null when there is none to be found. */
	#businessInstant(from: number, to: number): number | null {
		for (let i = 0; i < 30; i++) {
			const t = from + Math.floor(this.#rng.next() * Math.max(1, to - from));
			if (isBusinessTime(t)) return t;
		}
		return null;
	}

	#visit(technician: Staff, day: number, slot: Slot): Visit {
		const estimatedMinutes = this.#rng.pick(DURATIONS.filter((d) => d <= slot.to - slot.from));
		const start = wallTime(day, slot.from);
		return { technician, start, end: start + estimatedMinutes * MINUTE, estimatedMinutes };
	}

	#make({ target, path, createdAt, category, source, ...extra }: Draft): TicketPlan {
		const rng = this.#rng;
		const client = this.#pickClient(rng);
		const template = rng.pick(category.templates);
		return {
			key: `plan-${this.#count++}`,
			target,
			path,
			createdAt: Math.floor(createdAt / 1000) * 1000,
			client,
			site: rng.pick(client.doc.sites),
			contact: rng.pick(client.doc.contacts),
			category,
			template,
			source,
			impact: template.request ? rng.weighted([2, 3] as const, [1, 2]) : scale3(rng),
			urgency: template.request ? rng.weighted([2, 3] as const, [1, 3]) : scale3(rng),
			dispatcher: rng.pick(this.#staff.dispatchers),
			expert: rng.pick(this.#staff.experts),
			...extra
		};
	}

	#source(target: Target): TicketSource {
		if (target === 'new') return this.#rng.weighted(['form', 'email', 'phone'] as const, [6, 3, 1]);
		return this.#rng.weighted(['phone', 'email', 'form', 'walk_in'] as const, [50, 20, 25, 5]);
	}

	/** When the ticket was opened: phone and walk-in only while the desk is open. */
	#openedAt(target: Target, source: TicketSource): { at: number; source: TicketSource } {
		const [min, max] = AGE_DAYS[target];
		const from = this.#ctx.now - max * DAY;
		const to = this.#ctx.now - min * DAY - 10 * MINUTE;
		if (source === 'form' || source === 'email')
			return { at: from + Math.floor(this.#rng.next() * (to - from)), source };
		const at = this.#businessInstant(from, to);
		// Nothing open in the window (a Monday morning looking back over a weekend): the form.
		return at === null
			? { at: from + Math.floor(this.#rng.next() * (to - from)), source: 'form' }
			: { at, source };
	}

	/** Opened during the desk's hours on one of the `back` business days before `day`. */
	#openedBefore(day: number, back: number): number {
		let d = day;
		for (let left = back; left > 0;) if (isBusinessDay(--d)) left--;
		return wallTime(d, 8 * 60 + 30 + this.#rng.int(0, 420));
	}

	#categoryFor(tech: Staff): CategorySpec {
		const fits = CATEGORIES.filter((c) => tech.skills.includes(c.skill));
		return this.#rng.weighted(
			fits,
			fits.map((c) => c.weight)
		);
	}

	/** Today's missions (2 to 4 for every technician) and one or two in the coming days. */
	schedule(): TicketPlan[] {
		const rng = this.#rng;
		const { today, now } = this.#ctx;
		const plans: TicketPlan[] = [];
		for (const tech of this.#planner.technicians) {
			const slots = rng
				.sample(SLOTS, rng.weighted([2, 3, 4], [3, 4, 2]))
				.sort((a, b) => a.index - b.index);
			for (const slot of slots) {
				this.#planner.book(tech.id, today, slot);
				const visit = this.#visit(tech, today, slot);
				plans.push(
					this.#make({
						target: todayTarget(visit, now, rng),
						path: 'field',
						createdAt: this.#openedBefore(today, rng.int(1, 3)),
						category: this.#categoryFor(tech),
						source: 'phone',
						technician: tech,
						visit
					})
				);
			}
			const upcoming = rng.int(1, 2);
			for (let i = 0, k = rng.int(0, 3); i < upcoming && k < 15; k++) {
				// Skips the technician's days off.
				const day = businessDayAfter(today + 1, k);
				const slot = SLOTS.find((s) => this.#planner.isFree(tech.id, day, s));
				if (slot === undefined) continue;
				i++;
				this.#planner.book(tech.id, day, slot);
				plans.push(
					this.#make({
						target: 'planned',
						path: 'field',
						createdAt: this.#businessInstant(now - 3 * DAY, now - 30 * MINUTE) ?? now - 2 * DAY,
						category: this.#categoryFor(tech),
						source: rng.pick(['phone', 'email'] as const),
						technician: tech,
						visit: this.#visit(tech, day, slot)
					})
				);
			}
		}
		return plans;
	}

	/** A past slot for a visit after `createdAt`, booked; null when nobody is free. */
	#pastVisit(
		category: CategorySpec,
		createdAt: number
	): { technician: Staff; visit: Visit } | null {
		const { now } = this.#ctx;
		const day = businessDayAfter(localDay(createdAt) + 1, this.#rng.int(0, 3));
		const slots = SLOTS.filter((s) => wallTime(day, s.to) + 60 * MINUTE < now);
		if (slots.length === 0) return null;
		const found = this.#planner.findAndBook(this.#rng, category.skill, day, slots);
		return found === null
			? null
			: { technician: found.tech, visit: this.#visit(found.tech, day, found.slot) };
	}

	#futureVisit(category: CategorySpec): { technician: Staff; visit: Visit } | null {
		const day = businessDayAfter(this.#ctx.today + 1, this.#rng.int(0, 6));
		const found = this.#planner.findAndBook(this.#rng, category.skill, day, SLOTS);
		return found === null
			? null
			: { technician: found.tech, visit: this.#visit(found.tech, day, found.slot) };
	}

	#path(target: Target, category: CategorySpec): Path {
		const rng = this.#rng;
		switch (target) {
			case 'planned':
				return 'field';
			case 'assigned':
				return rng.chance(0.3) ? 'field' : 'desk';
			case 'pending':
				return rng.chance(0.35) ? 'field' : 'desk';
			case 'resolved':
			case 'closed':
				return rng.chance(category.onSiteRate) ? 'field' : 'desk';
			case 'cancelled':
				return rng.chance(0.2) ? 'field' : 'desk';
			default:
				return 'desk';
		}
	}

	/** One ticket drawn from the overall mix; a field ticket nobody can take goes remote. */
	generic(): TicketPlan {
		const rng = this.#rng;
		const target = rng.weighted(
			TARGET_WEIGHTS.map(([t]) => t),
			TARGET_WEIGHTS.map(([, w]) => w)
		);
		const category = pickCategory(rng);
		const opened = this.#openedAt(target, this.#source(target));
		const draft = {
			target,
			path: this.#path(target, category),
			createdAt: opened.at,
			category,
			source: opened.source
		};
		if (draft.path === 'desk') return this.#make(draft);
		const technician = rng.pick(this.#planner.withSkill(category.skill));
		if (target === 'assigned') return this.#make({ ...draft, technician });
		if (target === 'cancelled') {
			// Called off before the day, so it books nothing.
			const day = businessDayAfter(localDay(opened.at) + 1, rng.int(0, 2));
			return this.#make({
				...draft,
				technician,
				visit: this.#visit(technician, day, rng.pick(SLOTS))
			});
		}
		const booked =
			target === 'planned' ? this.#futureVisit(category) : this.#pastVisit(category, opened.at);
		if (booked === null)
			return this.#make({
				...draft,
				target: target === 'planned' ? 'assigned' : target,
				path: 'desk'
			});
		return this.#make({ ...draft, ...booked });
	}
}

/** Every ticket of the demo: the schedule first, then the mix up to 300 × scale. */
export function planTickets(
	ctx: DemoContext,
	staff: StaffRoster,
	clients: readonly DemoClient[],
	planner: Planner
): TicketPlan[] {
	const maker = new PlanMaker(ctx, staff, clients, planner);
	const plans = maker.schedule();
	const total = TICKETS_PER_SCALE * ctx.scale;
	while (plans.length < total) plans.push(maker.generic());
	return plans.sort((a, b) => a.createdAt - b.createdAt);
}
