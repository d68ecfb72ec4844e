import { describe, expect, it } from 'vitest';
import { addBusinessDays, DEFAULT_BUSINESS_HOURS } from './business-hours.ts';
import type { EventDoc, TicketDoc } from './schemas.ts';
import { DEFAULT_SLA_POLICY } from './sla.ts';
import {
	atRiskDue,
	escalationFactId,
	nextEscalation,
	slaFactsOf,
	ticketEscalation,
	timeoutAt,
	timeoutDue,
	timeoutFactId,
	withSlaFacts
} from './sla-facts.ts';
import { anEvent, aTicket } from './testing/factories.ts';

const H = DEFAULT_BUSINESS_HOURS;
const P = DEFAULT_SLA_POLICY;
// Tuesday 10 November 2026, 16:00 in Paris; the 11th is a public holiday.
const CREATED = '2026-11-10T15:00:00.000Z';
const ticket = (overrides: Partial<TicketDoc> = {}): TicketDoc =>
	aTicket({ priority: 'P2', createdAt: CREATED, updatedAt: CREATED, ...overrides });

const escalated = (deadline: 'response' | 'resolution', to: number, author = 'system'): EventDoc =>
	anEvent({
		_id: escalationFactId('ticket:K1', deadline),
		kind: 'escalated',
		author,
		data: { deadline, dueAt: CREATED, from: to - 1, to }
	});

describe('escalation: the job and the desk decide alike', () => {
	it('a P2 ticket left new escalates at its response deadline, past the holiday', () => {
		const none = slaFactsOf([], 'ticket:K1');
		const next = nextEscalation(ticket(), none, P, H, CREATED);
		expect(next).toEqual({ deadline: 'response', at: '2026-11-12T08:00:00.000Z', to: 2 });
		const before = ticketEscalation(ticket(), none, P, H, '2026-11-12T07:59:00.000Z');
		expect(before.escalate).toBe(false);
		const after = ticketEscalation(ticket(), none, P, H, '2026-11-12T08:00:01.000Z');
		expect(after).toMatchObject({ escalate: true, deadline: 'response', from: 1, to: 2 });
	});

	it('an escalated deadline does not escalate again; the next one goes one level up', () => {
		const facts = slaFactsOf([escalated('response', 2)], 'ticket:K1');
		expect(facts.level).toBe(2);
		const later = ticketEscalation(ticket(), facts, P, H, '2026-11-12T09:00:00.000Z');
		expect(later.escalate).toBe(false);
		const next = nextEscalation(ticket(), facts, P, H, '2026-11-12T09:00:00.000Z');
		expect(next).toEqual({ deadline: 'resolution', at: '2026-11-12T15:00:00.000Z', to: 3 });
	});

	it('a forged escalation (not the system’s) is no fact', () => {
		const facts = slaFactsOf([escalated('response', 2, 'user:dina')], 'ticket:K1');
		expect(facts).toMatchObject({ level: 0, escalatedFor: [] });
		const elsewhere = { ...escalated('response', 2), _id: 'event:E9' };
		expect(slaFactsOf([elsewhere], 'ticket:K1').level).toBe(0);
	});

	it('the ticket shown has the level the facts reached, never a lower one', () => {
		const facts = slaFactsOf([escalated('response', 2)], 'ticket:K1');
		expect(withSlaFacts(ticket(), facts).level).toBe(2);
		expect(withSlaFacts(ticket({ level: 3 }), facts).level).toBe(3);
	});

	it('the ticket shown is in the group of the highest escalation that named one', () => {
		const withGroup = (deadline: 'response' | 'resolution', to: number, group: string) => {
			const e = escalated(deadline, to);
			return { ...e, data: { ...e.data, group } };
		};
		expect(withSlaFacts(ticket({ group: 'network' }), slaFactsOf([], 'ticket:K1')).group).toBe(
			'network'
		);
		const two = slaFactsOf([withGroup('response', 2, 'security')], 'ticket:K1');
		expect(withSlaFacts(ticket({ group: 'network' }), two).group).toBe('security');
		const three = slaFactsOf(
			[withGroup('resolution', 3, 'backoffice'), withGroup('response', 2, 'security')],
			'ticket:K1'
		);
		expect(withSlaFacts(ticket({ group: 'network' }), three).group).toBe('backoffice');
		// A step with no group keeps the ticket's.
		const none = slaFactsOf([escalated('response', 2)], 'ticket:K1');
		expect(withSlaFacts(ticket({ group: 'network' }), none).group).toBe('network');
	});

	it('a paused ticket does not escalate, and no escalation is announced', () => {
		const pending = ticket({
			status: 'pending',
			category: 'network',
			group: 'network',
			pending: { reason: 'requester', since: CREATED, from: 'qualified' }
		});
		const none = slaFactsOf([], 'ticket:K1');
		expect(nextEscalation(pending, none, P, H, '2026-11-20T08:00:00.000Z')).toBeNull();
		expect(ticketEscalation(pending, none, P, H, '2026-11-20T08:00:00.000Z').escalate).toBe(false);
	});

	it('at risk past the policy’s share of the target, once per clock', () => {
		const none = slaFactsOf([], 'ticket:K1');
		// 30 of 60 minutes gone: not yet; 50 of 60: at risk.
		expect(atRiskDue(ticket(), none, P, H, '2026-11-10T15:30:00.000Z')).toEqual([]);
		expect(atRiskDue(ticket(), none, P, H, '2026-11-12T07:50:00.000Z')).toEqual([
			{ deadline: 'response', dueAt: '2026-11-12T08:00:00.000Z' }
		]);
		const warned = anEvent({
			_id: 'event:sla:ticket:K1:at_risk:response',
			kind: 'sla_warning',
			author: 'system',
			data: { clock: 'response', state: 'at_risk' }
		});
		const facts = slaFactsOf([warned], 'ticket:K1');
		expect(atRiskDue(ticket(), facts, P, H, '2026-11-12T07:50:00.000Z')).toEqual([]);
	});
});

describe('closure by timeout', () => {
	const resolvedAt = '2026-11-13T09:00:00.000Z'; // Friday 10:00 in Paris
	const resolved = ticket({
		status: 'resolved',
		category: 'network',
		group: 'network',
		resolution: { by: 'user:dina', at: resolvedAt, solution: 'Boîte archivée.' }
	});

	it('N business days: the end of the N-th open day after the resolution’s', () => {
		expect(timeoutAt(resolved, 2, H)).toBe('2026-11-17T15:30:00.000Z'); // Tue 16:30
		expect(timeoutAt(resolved, 0, H)).toBeNull();
		expect(timeoutAt(ticket(), 2, H)).toBeNull();
		// Over the holiday: Tuesday 10th → Thursday 12th is one business day.
		expect(addBusinessDays('2026-11-10T09:00:00.000Z', 1, H).toISOString()).toBe(
			'2026-11-12T15:30:00.000Z'
		);
	});

	it('due once the time is past and no timeout was recorded for this resolution', () => {
		const none = slaFactsOf([], 'ticket:K1');
		expect(timeoutDue(resolved, none, 2, H, '2026-11-17T15:29:00.000Z')).toBe(false);
		expect(timeoutDue(resolved, none, 2, H, '2026-11-17T15:31:00.000Z')).toBe(true);
		const closed = anEvent({
			_id: timeoutFactId('ticket:K1', resolvedAt),
			kind: 'status_change',
			author: 'system',
			at: '2026-11-17T15:31:00.000Z',
			data: { action: 'close', how: 'timeout', from: 'resolved', to: 'closed', resolvedAt }
		});
		const facts = slaFactsOf([closed], 'ticket:K1');
		expect(timeoutDue(resolved, facts, 2, H, '2026-11-18T08:00:00.000Z')).toBe(false);
		const shown = withSlaFacts(resolved, facts);
		expect(shown.status).toBe('closed');
		expect(shown.closure).toMatchObject({
			how: 'timeout',
			by: 'system',
			solution: 'Boîte archivée.'
		});
		// Reopened and resolved again: that resolution waits anew; the old timeout no longer applies.
		const again = {
			...resolved,
			resolution: { ...resolved.resolution!, at: '2026-11-20T09:00:00.000Z' }
		};
		expect(withSlaFacts(again, facts).status).toBe('resolved');
		expect(timeoutDue(again, facts, 2, H, '2026-11-24T15:31:00.000Z')).toBe(true);
	});
});
