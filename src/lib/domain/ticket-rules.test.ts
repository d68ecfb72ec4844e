// A device pushes only the last revision of a ticket: several steps taken before a push reach
// the server as one change. The server accepts it when the same person could have pushed each
// step on its own, and refuses every status this person could not have reached step by step.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mayWrite } from './access.ts';
import type { TicketDoc } from './schemas.ts';
import { touch } from './stamps.ts';
import {
	actor,
	aTicket,
	at,
	people,
	qualify,
	taxonomy,
	ticketThrough
} from './testing/factories.ts';
import { statusChangeAllowed, transition, type TicketAction } from './ticket.ts';

const dina = people.dispatcher();
const eric = people.expert(['network']);
const sam = people.expert(['security']);
const theo = people.technician('theo');

function reason(result: ReturnType<typeof statusChangeAllowed>): string {
	return result.ok ? 'accepted' : result.error.message;
}

describe('status changes pushed as one revision', () => {
	it('a dispatcher’s qualify then plan, pushed together, is accepted by the server’s rule', () => {
		const fresh = aTicket();
		const planned = ticketThrough(
			[
				[qualify, actor(dina)],
				[{ type: 'plan', technicianId: theo._id }, actor(dina)]
			],
			fresh
		);
		expect(planned.status).toBe('planned');
		expect(reason(statusChangeAllowed(fresh, planned, actor(dina)))).toBe('accepted');
		const verdict = mayWrite(dina, fresh, touch(fresh, planned, at(30), dina._id));
		expect(verdict.ok ? 'accepted' : verdict.error).toBe('accepted');
	});

	it('an expert qualifies into any group, then works only tickets of his own', () => {
		const fresh = aTicket();
		// The taxonomy routes "network" to the network group: Eric's, not Sam's.
		expect(
			reason(
				statusChangeAllowed(fresh, { ...fresh, status: 'planned', group: 'network' }, actor(eric))
			)
		).toBe('accepted');
		expect(
			reason(
				statusChangeAllowed(fresh, { ...fresh, status: 'planned', group: 'network' }, actor(sam))
			)
		).toBe('a ticket cannot go from new to planned');
	});

	it('nobody skips a step they could not take on its own', () => {
		const fresh = aTicket();
		expect(reason(statusChangeAllowed(fresh, { ...fresh, status: 'planned' }, actor(theo)))).toBe(
			'a ticket cannot go from new to planned'
		);
		const planned = ticketThrough([
			[qualify, actor(dina)],
			[{ type: 'plan', technicianId: theo._id }, actor(dina)]
		]);
		// Assigned: Théo works it, waits, resolves, closes; back to the queue or to new, never.
		for (const to of ['in_progress', 'pending', 'resolved', 'closed'] as const)
			expect(reason(statusChangeAllowed(planned, { ...planned, status: to }, actor(theo)))).toBe(
				'accepted'
			);
		for (const to of ['new', 'qualified', 'assigned', 'cancelled'] as const)
			expect(
				reason(statusChangeAllowed(planned, { ...planned, status: to }, actor(theo))),
				to
			).not.toBe('accepted');
		// A wait resumes where it came from, not to the queue.
		const waiting = ticketThrough([[{ type: 'wait', reason: 'requester' }, actor(theo)]], planned);
		expect(
			reason(statusChangeAllowed(waiting, { ...waiting, status: 'qualified' }, actor(theo)))
		).not.toBe('accepted');
	});

	it('the reason of a refused direct step is kept', () => {
		const planned = ticketThrough([
			[qualify, actor(dina)],
			[{ type: 'plan', technicianId: theo._id }, actor(dina)]
		]);
		const other = people.technician('tom');
		expect(
			reason(statusChangeAllowed(planned, { ...planned, status: 'in_progress' }, actor(other)))
		).toBe('only a person assigned to the ticket may start this ticket now');
	});

	it('any run of a dispatcher’s steps, pushed at the end, is accepted', () => {
		const steps: fc.Arbitrary<TicketAction> = fc.constantFrom<TicketAction>(
			qualify,
			{ type: 'assign', assignees: [theo._id] },
			{ type: 'plan', technicianId: theo._id },
			{ type: 'wait', reason: 'requester' },
			{ type: 'resume' },
			{ type: 'resolve', solution: 'Câble remplacé' },
			{ type: 'close', solution: 'Câble remplacé' },
			{ type: 'reopen' },
			{ type: 'route', group: 'desktop' },
			{ type: 'cancel', reason: 'doublon' }
		);
		fc.assert(
			fc.property(fc.array(steps, { maxLength: 12 }), (actions) => {
				const first = aTicket();
				let ticket: TicketDoc = first;
				actions.forEach((action, i) => {
					const next = transition(ticket, action, actor(dina), at(10 * (i + 1)), { taxonomy });
					if (next.ok) ticket = next.value;
				});
				expect(reason(statusChangeAllowed(first, ticket, actor(dina)))).toBe('accepted');
			})
		);
	});
});
