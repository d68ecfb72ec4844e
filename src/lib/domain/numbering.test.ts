import { describe, expect, it } from 'vitest';
import { numberEventId, numberFromEvent, ticketNumber } from './numbering.ts';

const given = (ticketId: string, number: unknown) => ({
	_id: numberEventId(ticketId),
	type: 'event',
	kind: 'ticket_numbered',
	ticketId,
	data: { number }
});

describe('ticket numbers given by the server', () => {
	it('reads the number off a ticket_numbered event only', () => {
		expect(numberFromEvent(given('ticket:A', 10_421))).toEqual({
			ticketId: 'ticket:A',
			number: 10_421
		});
		expect(numberFromEvent({ ...given('ticket:A', 10_421), kind: 'follow_up' })).toBeUndefined();
		expect(numberFromEvent(given('ticket:A', '10421'))).toBeUndefined();
		expect(numberFromEvent(given('ticket:A', 0))).toBeUndefined();
		expect(numberFromEvent(null)).toBeUndefined();
	});

	it('prefers the ticket’s own number, then its event, else null (provisional)', () => {
		const events = [given('ticket:B', 10_500), given('ticket:A', 10_421)];
		expect(ticketNumber({ _id: 'ticket:A', number: 7 }, events)).toBe(7);
		expect(ticketNumber({ _id: 'ticket:A' }, events)).toBe(10_421);
		expect(ticketNumber({ _id: 'ticket:C' }, events)).toBeNull();
	});
});
