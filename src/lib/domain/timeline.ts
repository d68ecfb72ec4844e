/**
 * The order of a timeline. Devices write events with ids from one monotonic factory per device
 * (data/events.ts): the id's time part, then its sequence, keep a burst written within one
 * millisecond in the order it was written, whatever the clock said. Ids that carry no time
 * (the server's `event:number:…`) fall back to the event's `at`.
 */
import { timeOf } from './ids.ts';
import type { EventDoc } from './schemas.ts';

function timeKey(e: Pick<EventDoc, '_id' | 'at'>): number {
	return timeOf(e._id) ?? Date.parse(e.at);
}

export function timelineOrder(
	a: Pick<EventDoc, '_id' | 'at'>,
	b: Pick<EventDoc, '_id' | 'at'>
): number {
	return timeKey(a) - timeKey(b) || (a._id < b._id ? -1 : a._id > b._id ? 1 : 0);
}

/** The events of one ticket's timeline, oldest first. */
export function timelineOf(events: readonly EventDoc[], ticketId: string): EventDoc[] {
	return events
		.filter((e) => e.ticketId === ticketId || e.subjectId === ticketId)
		.sort(timelineOrder);
}
