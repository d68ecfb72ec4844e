// SLA clocks in business hours: response and resolution targets per priority, the
// clock stopped while the ticket is pending (waiting on the requester or a third
// party), "at risk" and "breached" states, and escalation to the next level.
// Pure: the caller passes `now`, so the same answer comes out on a phone offline,
// on the server and in tests.
import * as v from 'valibot';
import { addBusinessMinutes, businessMinutesBetween, toMs } from './business-hours.ts';
import type { BusinessHours, Instant } from './business-hours.ts';

export type SlaPriority = 'P1' | 'P2' | 'P3' | 'P4' | 'P5';
export const SLA_PRIORITIES: readonly SlaPriority[] = ['P1', 'P2', 'P3', 'P4', 'P5'];

const MinutesSchema = v.pipe(
	v.number('A target must be a number of business minutes'),
	v.integer('A target must be a whole number of business minutes'),
	v.minValue(1, 'A target must be at least 1 business minute')
);

const TargetSchema = v.pipe(
	v.object({ responseMinutes: MinutesSchema, resolutionMinutes: MinutesSchema }),
	v.check(
		(t) => t.responseMinutes <= t.resolutionMinutes,
		'The response target cannot be longer than the resolution target'
	)
);

/**
 * Default targets, in business minutes (a default business day is 8 h = 480 min).
 * Seed 004 (§ glossary "Évènement"): every arriving event is taken in charge within
 * the business hour; resolution ranges from minutes (level 1) to one business day
 * (level 2). ITIL-like ladder built on that:
 *
 * | priority | response | resolution            |
 * |----------|----------|-----------------------|
 * | P1       | 30 min   | 4 h (240)             |
 * | P2       | 1 h      | 1 day (480)           |
 * | P3       | 1 h      | 3 days (1440)         |
 * | P4       | 4 h      | 5 days (2400)         |
 * | P5       | 1 day    | 10 days (4800)        |
 */
export const DEFAULT_SLA_TARGETS = {
	P1: { responseMinutes: 30, resolutionMinutes: 240 },
	P2: { responseMinutes: 60, resolutionMinutes: 480 },
	P3: { responseMinutes: 60, resolutionMinutes: 1440 },
	P4: { responseMinutes: 240, resolutionMinutes: 2400 },
	P5: { responseMinutes: 480, resolutionMinutes: 4800 }
} as const satisfies Record<SlaPriority, { responseMinutes: number; resolutionMinutes: number }>;

export const SlaPolicySchema = v.object({
	targets: v.optional(
		v.object({
			P1: v.optional(TargetSchema, () => ({ ...DEFAULT_SLA_TARGETS.P1 })),
			P2: v.optional(TargetSchema, () => ({ ...DEFAULT_SLA_TARGETS.P2 })),
			P3: v.optional(TargetSchema, () => ({ ...DEFAULT_SLA_TARGETS.P3 })),
			P4: v.optional(TargetSchema, () => ({ ...DEFAULT_SLA_TARGETS.P4 })),
			P5: v.optional(TargetSchema, () => ({ ...DEFAULT_SLA_TARGETS.P5 }))
		}),
		() => ({})
	),
	/** Share of the target elapsed from which a running clock is "at risk". */
	atRiskRatio: v.optional(
		v.pipe(
			v.number('The at-risk threshold must be a number'),
			v.gtValue(0, 'The at-risk threshold must be more than 0 %'),
			v.ltValue(1, 'The at-risk threshold must be less than 100 %')
		),
		0.75
	)
});

export type SlaPolicy = v.InferOutput<typeof SlaPolicySchema>;
export type SlaPolicyInput = v.InferInput<typeof SlaPolicySchema>;

export const DEFAULT_SLA_POLICY: SlaPolicy = v.parse(SlaPolicySchema, {});

/** A period in status pending; `to` absent while the ticket is still pending. */
export interface SlaPause {
	from: string;
	to?: string | undefined;
}

/** What the SLA needs from a ticket (structural: the ticket document satisfies it). */
export interface SlaInput {
	priority: SlaPriority;
	createdAt: string;
	/** First response (qualification / taking in charge). */
	respondedAt?: string | undefined;
	resolvedAt?: string | undefined;
	pauses?: readonly SlaPause[] | undefined;
}

export type SlaClockState = 'ok' | 'at_risk' | 'breached' | 'met';

export interface SlaClock {
	targetMinutes: number;
	/** Deadline, pushed back by the business time spent pending. While a pause is open,
	 * it is the deadline if the ticket resumed at `now`. */
	dueAt: string;
	/** Business minutes counted (pauses excluded) until the clock stopped or `now`. */
	elapsedMinutes: number;
	ratio: number;
	state: SlaClockState;
	/** When the clock stopped (response or resolution), if it did. */
	stoppedAt?: string | undefined;
}

export interface SlaState {
	response: SlaClock;
	resolution: SlaClock;
	/** The clock is currently stopped by an open pause. */
	paused: boolean;
}

type Span = readonly [number, number];

/** Pauses clipped to [start, now], with open pauses running to `now`, sorted and merged. */
function normalisePauses(pauses: readonly SlaPause[], start: number, now: number): Span[] {
	const spans: Span[] = [];
	for (const p of pauses) {
		const from = Math.max(toMs(p.from), start);
		const to = p.to === undefined ? Math.max(now, from) : toMs(p.to);
		if (to > from) spans.push([from, to]);
	}
	spans.sort((a, b) => a[0] - b[0]);
	const merged: Array<[number, number]> = [];
	for (const [from, to] of spans) {
		const last = merged[merged.length - 1];
		if (last && from <= last[1]) last[1] = Math.max(last[1], to);
		else merged.push([from, to]);
	}
	return merged;
}

/** Business minutes from `start` to `end` with the paused spans taken out. */
function activeMinutes(
	start: number,
	end: number,
	pauses: readonly Span[],
	hours: BusinessHours
): number {
	if (end <= start) return 0;
	let total = businessMinutesBetween(start, end, hours);
	for (const [from, to] of pauses) {
		if (from >= end) break;
		total -= businessMinutesBetween(from, Math.min(to, end), hours);
	}
	return total;
}

/** The instant at which `target` active business minutes have elapsed since `start`. */
function dueWithPauses(
	start: number,
	target: number,
	pauses: readonly Span[],
	hours: BusinessHours
): number {
	let cursor = start;
	let remaining = target;
	for (const [from, to] of pauses) {
		if (from > cursor) {
			const available = businessMinutesBetween(cursor, from, hours);
			if (remaining <= available) return addBusinessMinutes(cursor, remaining, hours).getTime();
			remaining -= available;
		}
		cursor = Math.max(cursor, to);
	}
	return addBusinessMinutes(cursor, remaining, hours).getTime();
}

function clock(
	start: number,
	target: number,
	stop: number | undefined,
	now: number,
	pauses: readonly Span[],
	policy: SlaPolicy,
	hours: BusinessHours
): SlaClock {
	const due = dueWithPauses(start, target, pauses, hours);
	const end = stop ?? now;
	const elapsedMinutes = activeMinutes(start, end, pauses, hours);
	const ratio = elapsedMinutes / target;
	// Breach is decided on instants, not on the ratio: after closing time the elapsed
	// minutes stop growing, yet a deadline of 16:30 is still missed at 18:00.
	let state: SlaClockState;
	if (stop !== undefined) state = stop <= due ? 'met' : 'breached';
	else if (now > due) state = 'breached';
	else state = ratio >= policy.atRiskRatio ? 'at_risk' : 'ok';
	return {
		targetMinutes: target,
		dueAt: new Date(due).toISOString(),
		elapsedMinutes,
		ratio,
		state,
		...(stop === undefined ? {} : { stoppedAt: new Date(stop).toISOString() })
	};
}

/**
 * Response and resolution clocks of a ticket at `now`. The response clock stops at
 * `respondedAt` (or at `resolvedAt` when a ticket is solved at once without a separate
 * response); the resolution clock stops at `resolvedAt`. Pauses stop both clocks.
 */
export function slaState(
	input: SlaInput,
	policy: SlaPolicy,
	hours: BusinessHours,
	now: Instant
): SlaState {
	const start = toMs(input.createdAt);
	const nowMs = toMs(now);
	const target = policy.targets[input.priority];
	const resolved = input.resolvedAt === undefined ? undefined : toMs(input.resolvedAt);
	const responded = input.respondedAt === undefined ? resolved : toMs(input.respondedAt);
	const pauses = normalisePauses(input.pauses ?? [], start, nowMs);
	const paused =
		resolved === undefined &&
		(input.pauses ?? []).some((p) => p.to === undefined && toMs(p.from) <= nowMs);
	return {
		response: clock(start, target.responseMinutes, responded, nowMs, pauses, policy, hours),
		resolution: clock(start, target.resolutionMinutes, resolved, nowMs, pauses, policy, hours),
		paused
	};
}

export type SupportLevel = 1 | 2 | 3;
export type SlaDeadline = 'response' | 'resolution';

export interface EscalationInput extends SlaInput {
	level: SupportLevel;
	/** Deadlines that already caused an escalation: each deadline escalates once. */
	escalatedFor?: readonly SlaDeadline[] | undefined;
}

export type EscalationDecision =
	| {
			escalate: true;
			from: SupportLevel;
			to: SupportLevel;
			deadline: SlaDeadline;
			dueAt: string;
	  }
	| { escalate: false; reason: 'resolved' | 'top_level' | 'paused' | 'not_due' };

/**
 * Whether a passed deadline should send the ticket to the next level (1→2→3).
 * A breached response deadline escalates first, then a breached resolution deadline;
 * each at most once (`escalatedFor`), so a job polling every minute never escalates
 * twice for the same miss. A pending ticket waits on someone else, so it does not
 * escalate until its clock runs again.
 */
export function escalationDue(
	input: EscalationInput,
	policy: SlaPolicy,
	hours: BusinessHours,
	now: Instant
): EscalationDecision {
	if (input.resolvedAt !== undefined) return { escalate: false, reason: 'resolved' };
	if (input.level >= 3) return { escalate: false, reason: 'top_level' };
	const state = slaState(input, policy, hours, now);
	if (state.paused) return { escalate: false, reason: 'paused' };
	const done = input.escalatedFor ?? [];
	const to: SupportLevel = input.level === 1 ? 2 : 3;
	for (const deadline of ['response', 'resolution'] as const) {
		const c = state[deadline];
		if (c.state === 'breached' && c.stoppedAt === undefined && !done.includes(deadline)) {
			return { escalate: true, from: input.level, to, deadline, dueAt: c.dueAt };
		}
	}
	return { escalate: false, reason: 'not_due' };
}
