import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
	RequesterSurveyInput,
	reopenDaysOf,
	reopenUntil,
	requesterActor,
	requesterChoices
} from './requester.ts';
import { mayPerform } from './ticket.ts';
import { actor, at, aTicket, people, qualify, ticketThrough } from './testing/factories.ts';

const dina = people.dispatcher();
const DAY = 24 * 60;
const resolved = () =>
	ticketThrough([
		[qualify, actor(dina)],
		[{ type: 'resolve', solution: 'Pilote réinstallé' }, actor(dina)]
	]);
const closed = () =>
	ticketThrough([
		[qualify, actor(dina)],
		[{ type: 'resolve', solution: 'Pilote réinstallé' }, actor(dina)],
		[{ type: 'close' }, actor(dina)]
	]);

describe('what the requester may do from their page', () => {
	it('confirms a resolved ticket only, and may do so as the domain’s requester', () => {
		const ticket = resolved();
		expect(requesterChoices(ticket, at(40), 14, false)).toMatchObject({
			confirm: true,
			reopen: true,
			survey: false
		});
		expect(mayPerform(ticket, 'close', requesterActor(ticket)).ok).toBe(true);
		expect(requesterChoices(aTicket(), at(40), 14, false)).toMatchObject({
			confirm: false,
			reopen: false
		});
	});

	it('reopens within N days of the resolution or closure, not after', () => {
		const ticket = closed();
		const closedAt = Date.parse(ticket.closure!.at);
		expect(reopenUntil(ticket, 14)).toBe(new Date(closedAt + 14 * DAY * 60_000).toISOString());
		expect(requesterChoices(ticket, at(30 + 13 * DAY), 14, false).reopen).toBe(true);
		expect(requesterChoices(ticket, at(30 + 15 * DAY), 14, false).reopen).toBe(false);
		expect(requesterChoices(ticket, at(30 + 15 * DAY), 30, false).reopen).toBe(true);
		expect(requesterChoices(ticket, at(31), 0, false).reopen).toBe(false);
	});

	it('answers the survey once, after closure', () => {
		expect(requesterChoices(closed(), at(40), 14, false).survey).toBe(true);
		expect(requesterChoices(closed(), at(40), 14, true).survey).toBe(false);
		expect(requesterChoices(resolved(), at(40), 14, false).survey).toBe(false);
	});

	it('reads the days from the referential, with a default', () => {
		expect(reopenDaysOf(null)).toBe(14);
		expect(reopenDaysOf({ reopenDays: 30 })).toBe(30);
		expect(reopenDaysOf({ reopenDays: -1 })).toBe(14);
		expect(reopenDaysOf({ reopenDays: '3' })).toBe(14);
	});

	it('takes a whole rating from 1 to 5 and says so in French otherwise', () => {
		expect(v.parse(RequesterSurveyInput, { rating: 5 })).toEqual({ rating: 5, comment: '' });
		for (const rating of [0, 6, 2.5, '3']) {
			const result = v.safeParse(RequesterSurveyInput, { rating });
			expect(result.success).toBe(false);
			expect(result.issues?.[0]?.message).toBe('Note : choisissez une note de 1 à 5');
		}
	});
});
