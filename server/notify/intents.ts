/**
 * What a document change means to people: pure functions from the fields last notified to
 * the current ones. The notifier records the fields it acted on in each claim, so a change
 * is compared with what was last notified, not with whichever revision happened to precede.
 */
import type { NoticeKey } from '#lib/domain/schemas/config.ts';

export const PUSH_EVENTS = [
	'assigned',
	'rescheduled',
	'cancelled',
	'escalated',
	'reminder'
] as const;
export type PushEvent = (typeof PUSH_EVENTS)[number];

export interface MissionFields {
	readonly technicianId: string;
	readonly start: string;
	readonly status: string;
}

export interface TicketFields {
	readonly status: string;
	readonly level: number;
	readonly assignees: readonly string[];
}

export type Delivery =
	| {
			readonly channel: 'push';
			readonly to: string;
			readonly event: PushEvent;
			readonly withdrawn?: boolean;
	  }
	| { readonly channel: 'notice'; readonly key: NoticeKey };

export function missionFields(doc: Record<string, unknown>): MissionFields | null {
	const { technicianId, start, status } = doc;
	if (typeof technicianId !== 'string' || typeof start !== 'string' || typeof status !== 'string')
		return null;
	return { technicianId, start, status };
}

export function ticketFields(doc: Record<string, unknown>): TicketFields | null {
	const { status, level, assignees } = doc;
	if (typeof status !== 'string' || typeof level !== 'number' || !Array.isArray(assignees))
		return null;
	return { status, level, assignees: assignees.filter((a): a is string => typeof a === 'string') };
}

export function sameMission(a: MissionFields, b: MissionFields): boolean {
	return a.technicianId === b.technicianId && a.start === b.start && a.status === b.status;
}

export function sameTicket(a: TicketFields, b: TicketFields): boolean {
	return (
		a.status === b.status &&
		a.level === b.level &&
		a.assignees.length === b.assignees.length &&
		a.assignees.every((x, i) => x === b.assignees[i])
	);
}

/** The requester hears of the visit's date (annex C), through the mission, not the ticket. */
const PLANNED: Delivery = { channel: 'notice', key: 'mission_planned' };

/** Pushes (and the requester's notice) for a mission going from `before` (null: never notified) to `after`. */
export function missionDeliveries(before: MissionFields | null, after: MissionFields): Delivery[] {
	const live = after.status === 'planned' || after.status === 'in_progress';
	if (!before)
		return after.status === 'planned' ? [push(after.technicianId, 'assigned'), PLANNED] : [];
	const wasLive = before.status === 'planned' || before.status === 'in_progress';
	if (wasLive && after.status === 'cancelled') return [push(before.technicianId, 'cancelled')];
	if (!live) return [];
	if (before.technicianId !== after.technicianId) {
		return [
			push(after.technicianId, 'assigned'),
			...(wasLive ? [{ ...push(before.technicianId, 'cancelled'), withdrawn: true }] : [])
		];
	}
	if (!wasLive) return [push(after.technicianId, 'assigned'), PLANNED];
	if (before.start !== after.start) return [push(after.technicianId, 'rescheduled'), PLANNED];
	return [];
}

const OPEN = ['new', 'qualified', 'assigned', 'planned', 'in_progress', 'pending'];

/** Escalation pushes and the requester's notice for a ticket change. */
export function ticketDeliveries(before: TicketFields | null, after: TicketFields): Delivery[] {
	const out: Delivery[] = [];
	if (before && after.level > before.level) {
		for (const to of after.assignees) out.push(push(to, 'escalated'));
	}
	const key = noticeFor(before?.status ?? null, after.status);
	if (key) out.push({ channel: 'notice', key });
	return out;
}

/** Which annex C notice a status change sends to the requester, if any. */
export function noticeFor(before: string | null, after: string): NoticeKey | null {
	if (before === after) return null;
	if (before === null) return after === 'new' ? 'ticket_created' : statusNotice(after);
	if ((before === 'resolved' || before === 'closed') && OPEN.includes(after))
		return 'ticket_reopened';
	return statusNotice(after);
}

function statusNotice(status: string): NoticeKey | null {
	switch (status) {
		case 'qualified':
		case 'assigned':
			return 'ticket_acknowledged';
		// Planned: the mission's own notice gives the date and the technician.
		case 'in_progress':
		case 'cancelled':
			return 'ticket_updated';
		case 'pending':
			return 'ticket_pending';
		case 'resolved':
			return 'ticket_resolved';
		case 'closed':
			return 'ticket_closed';
		default:
			return null;
	}
}

function push(to: string, event: PushEvent): Extract<Delivery, { channel: 'push' }> {
	return { channel: 'push', to, event };
}

/** The generation of a revision (`3-abc` → 3): a newer edit of a document has a higher one. */
export function revGeneration(rev: unknown): number {
	return typeof rev === 'string' ? Number.parseInt(rev, 10) || 0 : 0;
}
