import { describe, expect, it } from 'vitest';
import { expiredIds } from './revoke.ts';

const DAY = 24 * 60 * 60_000;
const now = Date.parse('2025-03-20T12:00:00Z');

const ticket = (id: string, closedDaysAgo: number | null) => ({
	_id: id,
	type: 'ticket',
	...(closedDaysAgo === null
		? {}
		: { closure: { at: new Date(now - closedDaysAgo * DAY).toISOString() } })
});

describe('expiredIds', () => {
	const tickets = new Map(
		[ticket('ticket:old', 8), ticket('ticket:recent', 2), ticket('ticket:open', null)].map((t) => [
			t._id,
			t
		])
	);
	const missions = [
		{ _id: 'mission:old', ticketId: 'ticket:old' },
		{ _id: 'mission:recent', ticketId: 'ticket:recent' },
		{ _id: 'mission:open', ticketId: 'ticket:open' }
	];
	const reports = [
		{ _id: 'report:old', ticketId: 'ticket:old' },
		{ _id: 'report:open', ticketId: 'ticket:open' }
	];
	const events = [
		{ _id: 'event:old', ticketId: 'ticket:old' },
		{ _id: 'event:recent', ticketId: 'ticket:recent' }
	];

	it('lets go of the missions whose ticket ended more than the window ago, with their papers', () => {
		expect(expiredIds({ missions, tickets, reports, events, now })).toEqual([
			'event:old',
			'mission:old',
			'report:old',
			'ticket:old'
		]);
	});

	it('follows the configured window', () => {
		const ids = expiredIds({ missions, tickets, reports, events, now, windowDays: 1 });
		expect(ids).toContain('mission:recent');
		expect(ids).not.toContain('mission:open');
		expect(expiredIds({ missions, tickets, reports, events, now, windowDays: 30 })).toEqual([]);
	});
});
