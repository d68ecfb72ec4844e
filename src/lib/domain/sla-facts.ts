/**
 * What the server's SLA jobs decide about a ticket, as facts in documents of their own: an
 * escalation on a missed deadline, an "at risk" warning, a closure by timeout. The server
 * never edits a ticket a device may be editing; it writes an event with a fixed id
 * (`event:sla:<ticketId>:…`), created once whatever the number of instances, and every device
 * folds those events into the ticket it shows (`withSlaFacts`), the way it folds the numbers
 * of `event:number:…` (numbering.ts).
 *
 * The job and the device decide with the same functions (`escalationDue`, `nextEscalation`,
 * `timeoutDue`), so the desk shows "escalade à 14:30" before the job does it.
 *
 * Only events the server wrote count: author `system` under the `event:sla:` prefix. A device
 * can write neither (may-write.ts refuses the prefix and the `system` author).
 */
import { addBusinessDays, type BusinessHours, type Instant, toMs } from './business-hours.ts';
import type { EventDoc } from './schemas/event.ts';
import type { TicketDoc } from './schemas/ticket.ts';
import {
	escalationDue,
	slaState,
	type EscalationDecision,
	type SlaDeadline,
	type SlaInput,
	type SlaPolicy,
	type SupportLevel
} from './sla.ts';
import { transition } from './ticket.ts';

export const SLA_FACT_PREFIX = 'event:sla:';

/** The escalation of a ticket for one missed deadline: one per deadline, ever. */
export const escalationFactId = (ticketId: string, deadline: SlaDeadline): string =>
	`${SLA_FACT_PREFIX}${ticketId}:escalated:${deadline}`;

/** The "at risk" warning of one clock: one per clock. */
export const atRiskFactId = (ticketId: string, deadline: SlaDeadline): string =>
	`${SLA_FACT_PREFIX}${ticketId}:at_risk:${deadline}`;

/**
 * The closure by timeout of one resolution (the resolution's instant names it): a ticket
 * reopened and resolved again waits anew.
 */
export const timeoutFactId = (ticketId: string, resolvedAt: string): string =>
	`${SLA_FACT_PREFIX}${ticketId}:timeout:${resolvedAt}`;

/** An event the server's SLA jobs wrote (not one a device could have forged). */
export function isSlaFact(e: Pick<EventDoc, '_id' | 'author'>): boolean {
	return e._id.startsWith(SLA_FACT_PREFIX) && e.author === 'system';
}

export interface SlaFacts {
	/** Deadlines already escalated. */
	readonly escalatedFor: readonly SlaDeadline[];
	/** The highest level an escalation sent the ticket to (0 when none). */
	readonly level: number;
	/** The group of the highest-level escalation that named one (config:escalation's step). */
	readonly group?: string | undefined;
	/** Clocks already warned "at risk". */
	readonly warnedFor: readonly SlaDeadline[];
	/** The resolutions closed by timeout, by the resolution's instant, with the closure's. */
	readonly timeouts: ReadonlyMap<string, string>;
}

const deadlineOf = (e: EventDoc): SlaDeadline | null => {
	const d = e.data?.deadline ?? e.data?.clock;
	return d === 'response' || d === 'resolution' ? d : null;
};

/** The SLA facts among a ticket's events. */
export function slaFactsOf(events: readonly EventDoc[], ticketId: string): SlaFacts {
	const escalatedFor = new Set<SlaDeadline>();
	const warnedFor = new Set<SlaDeadline>();
	const timeouts = new Map<string, string>();
	let level = 0;
	let group: { level: number; id: string } | undefined;
	for (const e of events) {
		if (e.ticketId !== ticketId || !isSlaFact(e)) continue;
		const deadline = deadlineOf(e);
		if (e.kind === 'escalated' && deadline) {
			escalatedFor.add(deadline);
			const to = e.data?.to;
			if (typeof to === 'number') level = Math.max(level, to);
			const g = e.data?.group;
			if (
				typeof to === 'number' &&
				typeof g === 'string' &&
				g !== '' &&
				(!group || to > group.level)
			)
				group = { level: to, id: g };
		} else if (e.kind === 'sla_warning' && deadline) warnedFor.add(deadline);
		else if (e.kind === 'status_change' && e.data?.how === 'timeout') {
			const resolvedAt = e.data.resolvedAt;
			if (typeof resolvedAt === 'string') timeouts.set(resolvedAt, e.at);
		}
	}
	return {
		escalatedFor: [...escalatedFor],
		level,
		...(group ? { group: group.id } : {}),
		warnedFor: [...warnedFor],
		timeouts
	};
}

/**
 * The ticket as the facts make it, for showing (never saved: a device's own writes start from
 * the stored ticket): at least the level an escalation reached, and closed by timeout when the
 * resolution the timeout closed is still the ticket's.
 */
export function withSlaFacts(ticket: TicketDoc, facts: SlaFacts): TicketDoc {
	let shown = ticket;
	if (facts.level > shown.level) shown = { ...shown, level: facts.level as SupportLevel };
	// Routed to the step's group (its experts now read the ticket: access.ts `escalatedTo`).
	if (facts.group !== undefined && facts.group !== shown.group)
		shown = { ...shown, group: facts.group };
	const resolvedAt = shown.status === 'resolved' ? shown.resolution?.at : undefined;
	const closedAt = resolvedAt === undefined ? undefined : facts.timeouts.get(resolvedAt);
	if (closedAt !== undefined) {
		const closed = transition(shown, { type: 'close' }, { kind: 'system' }, closedAt);
		if (closed.ok) shown = closed.value;
	}
	return shown;
}

/** What the SLA clocks need, read off the ticket: responded once it left "new". */
export function ticketSlaInput(t: TicketDoc): SlaInput {
	const resolvedAt = t.resolution?.at ?? t.closure?.at ?? t.cancellation?.at;
	const respondedAt =
		t.status === 'new' ? undefined : (firstStampAfter(t) ?? resolvedAt ?? t.updatedAt);
	return {
		priority: t.priority,
		createdAt: t.createdAt,
		respondedAt,
		resolvedAt,
		pauses: t.pending ? [{ from: t.pending.since }] : []
	};
}

function firstStampAfter(t: TicketDoc): string | undefined {
	let first: string | undefined;
	for (const stamp of Object.values(t.stamps ?? {})) {
		for (let s: { at: string; prev?: unknown } | undefined = stamp; s; s = s.prev as typeof s) {
			if (s.at > t.createdAt && (!first || s.at < first)) first = s.at;
		}
	}
	return first;
}

/** Whether the job should escalate the ticket now (the domain's rule, with the facts). */
export function ticketEscalation(
	ticket: TicketDoc,
	facts: SlaFacts,
	policy: SlaPolicy,
	hours: BusinessHours,
	now: Instant
): EscalationDecision {
	if (ticket.status === 'closed' || ticket.status === 'cancelled')
		return { escalate: false, reason: 'resolved' };
	const level = Math.max(ticket.level, facts.level) as SupportLevel;
	return escalationDue(
		{ ...ticketSlaInput(ticket), level, escalatedFor: facts.escalatedFor },
		policy,
		hours,
		now
	);
}

export interface NextEscalation {
	readonly deadline: SlaDeadline;
	/** When the job escalates, unless the ticket is answered, solved or paused before. */
	readonly at: string;
	readonly to: SupportLevel;
}

/**
 * The next escalation the job will make if nothing happens: the first running deadline not
 * escalated yet. Null when the ticket is solved, paused or at the top level. At or after `at`,
 * `ticketEscalation` says escalate (the same clocks).
 */
export function nextEscalation(
	ticket: TicketDoc,
	facts: SlaFacts,
	policy: SlaPolicy,
	hours: BusinessHours,
	now: Instant
): NextEscalation | null {
	if (ticket.status === 'closed' || ticket.status === 'cancelled') return null;
	const input = ticketSlaInput(ticket);
	const level = Math.max(ticket.level, facts.level);
	if (input.resolvedAt !== undefined || level >= 3) return null;
	const state = slaState(input, policy, hours, now);
	if (state.paused) return null;
	const to = (level + 1) as SupportLevel;
	for (const deadline of ['response', 'resolution'] as const) {
		const c = state[deadline];
		if (c.stoppedAt === undefined && !facts.escalatedFor.includes(deadline))
			return { deadline, at: c.dueAt, to };
	}
	return null;
}

/** Clocks at risk (share of the target elapsed ≥ the policy's) not warned yet. */
export function atRiskDue(
	ticket: TicketDoc,
	facts: SlaFacts,
	policy: SlaPolicy,
	hours: BusinessHours,
	now: Instant
): Array<{ deadline: SlaDeadline; dueAt: string }> {
	if (ticket.status === 'closed' || ticket.status === 'cancelled') return [];
	const state = slaState(ticketSlaInput(ticket), policy, hours, now);
	if (state.paused) return [];
	return (['response', 'resolution'] as const)
		.filter((d) => state[d].state === 'at_risk' && !facts.warnedFor.includes(d))
		.map((d) => ({ deadline: d, dueAt: state[d].dueAt }));
}

/** Business days a resolved ticket waits for the requester before it closes by timeout. */
export const DEFAULT_CLOSE_AFTER_DAYS = 5;

/**
 * When a resolved ticket closes by timeout: at the end of the `days`-th business day after its
 * resolution's day. Null when it is not resolved, or when `days` is 0 (never).
 */
export function timeoutAt(ticket: TicketDoc, days: number, hours: BusinessHours): string | null {
	if (ticket.status !== 'resolved' || ticket.resolution === undefined || days <= 0) return null;
	return addBusinessDays(ticket.resolution.at, days, hours).toISOString();
}

/** Whether the job should close the resolved ticket by timeout now. */
export function timeoutDue(
	ticket: TicketDoc,
	facts: SlaFacts,
	days: number,
	hours: BusinessHours,
	now: Instant
): boolean {
	const at = timeoutAt(ticket, days, hours);
	if (at === null || ticket.resolution === undefined) return false;
	return !facts.timeouts.has(ticket.resolution.at) && toMs(now) >= toMs(at);
}
