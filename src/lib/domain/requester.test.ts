import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
	isPublicEvent,
	RequesterSurveyInput,
	reopenDaysOf,
	reopenUntil,
	requesterActor,
	requesterChoices,
	requesterTicket
} from './requester.ts';
import { atRiskFactId, escalationFactId, timeoutFactId } from './sla-facts.ts';
import { mayPerform } from './ticket.ts';
import {
	actor,
	anEvent,
	at,
	aTicket,
	people,
	qualify,
	ticketThrough
} from './testing/factories.ts';

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

describe('the ticket the requester sees, with the server’s SLA facts', () => {
	const ticket = resolved();
	const resolvedAt = ticket.resolution!.at;
	const timeout = (author = 'system', on = resolvedAt) =>
		anEvent({
			_id: timeoutFactId(ticket._id, on),
			ticketId: ticket._id,
			subjectId: ticket._id,
			kind: 'status_change',
			visibility: 'requester',
			author,
			at: at(40),
			body: '',
			data: { action: 'close', how: 'timeout', from: 'resolved', to: 'closed', resolvedAt: on }
		});
	const escalated = anEvent({
		_id: escalationFactId(ticket._id, 'resolution'),
		kind: 'escalated',
		author: 'system',
		body: '',
		data: { deadline: 'resolution', dueAt: at(35), from: 1, to: 3, groups: ['network'] }
	});
	const warned = anEvent({
		_id: atRiskFactId(ticket._id, 'resolution'),
		kind: 'sla_warning',
		author: 'system',
		body: '',
		data: { clock: 'resolution', state: 'at_risk', dueAt: at(35) }
	});

	it('is closed by the timeout job’s fact, at its instant, and the survey is offered', () => {
		const shown = requesterTicket(ticket, [timeout()]);
		expect(shown.status).toBe('closed');
		expect(shown.closure).toMatchObject({ how: 'timeout', at: at(40) });
		expect(shown.closure?.solution).toBe('Pilote réinstallé');
		const choices = requesterChoices(shown, at(41), 14, false);
		expect(choices).toMatchObject({ confirm: false, survey: true, reopen: true });
		expect(choices.reopenUntil).toBe(reopenUntil(shown, 14));
		expect(requesterChoices(ticket, at(41), 14, false).survey).toBe(false);
	});

	it('is not closed by a forged fact, nor by the timeout of an earlier resolution', () => {
		expect(requesterTicket(ticket, [timeout('requester')]).status).toBe('resolved');
		expect(requesterTicket(ticket, [timeout('system', at(5))]).status).toBe('resolved');
		expect(requesterTicket(ticket, []).status).toBe('resolved');
	});

	it('keeps the escalation level the team’s: the level stays as stored', () => {
		const shown = requesterTicket(ticket, [escalated, warned]);
		expect(shown).toEqual(ticket);
		expect(requesterTicket(ticket, [escalated, timeout()]).level).toBe(ticket.level);
	});

	it('leaves escalations and at-risk warnings off the timeline, even marked for the requester', () => {
		expect(isPublicEvent(timeout())).toBe(true);
		expect(isPublicEvent(anEvent({ visibility: 'requester' }))).toBe(true);
		expect(isPublicEvent(anEvent({ visibility: 'internal' }))).toBe(false);
		expect(isPublicEvent({ ...escalated, visibility: 'requester' })).toBe(false);
		expect(isPublicEvent({ ...warned, visibility: 'requester' })).toBe(false);
	});
});
