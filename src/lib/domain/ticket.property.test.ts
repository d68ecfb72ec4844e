import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mayWrite } from './access.ts';
import { parseTicket, TICKET_STATUSES, type TicketDoc, type UserDoc } from './schemas.ts';
import { aTicket, aUser, at, people, taxonomy } from './testing/factories.ts';
import {
	actorFromUser,
	availableActions,
	mayPerform,
	openTicket,
	statusChangeAllowed,
	transition,
	type Actor,
	type TicketAction
} from './ticket.ts';

const users: UserDoc[] = [
	people.dispatcher(),
	people.expert(['network']),
	aUser('sam', ['expert'], { groups: ['security', 'desktop'] }),
	people.technician('theo'),
	people.technician('tom'),
	people.billing(),
	people.admin(),
	aUser('mixed', ['expert', 'technician'], { groups: ['network'] })
];
type Who = { actor: Actor; user?: UserDoc };
const pool: Who[] = [
	...users.map((user) => ({ actor: actorFromUser(user), user })),
	{ actor: { kind: 'requester', email: 'marie@client.fr' } },
	{ actor: { kind: 'requester', email: 'intrus@client.fr' } },
	{ actor: { kind: 'system' } }
];

const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const userIds = fc.constantFrom('user:theo', 'user:tom', 'user:eric', 'theo');
const ticketIds = fc.constantFrom('ticket:K1', 'ticket:K2', 'ticket:K3');
const link = fc.record({
	kind: fc.constantFrom('duplicate_of', 'parent', 'child', 'related' as const),
	ticketId: ticketIds
});
const text = fc.constantFrom('', '  ', 'Redémarrage du service', 'ok');

// Weighted so that runs go deep into the life cycle instead of ending in a cancel.
const action: fc.Arbitrary<TicketAction> = fc.oneof(
	{
		weight: 4,
		arbitrary: fc.record({
			type: fc.constant('qualify' as const),
			category: fc.constantFrom('network', 'workstation', 'bogus', ''),
			subcategory: opt(fc.constantFrom('wifi', 'vpn', 'printer')),
			impact: fc.constantFrom(1, 2, 3 as const),
			urgency: fc.constantFrom(1, 2, 3 as const),
			kind: opt(fc.constantFrom('incident', 'request', 'problem' as const)),
			clientId: opt(fc.constant('client:C1')),
			group: opt(fc.constantFrom('network', 'desktop', ''))
		})
	},
	{
		weight: 1,
		arbitrary: fc.record({
			type: fc.constant('route' as const),
			group: fc.constantFrom('network', 'security', '')
		})
	},
	{
		weight: 4,
		arbitrary: fc.record({
			type: fc.constant('assign' as const),
			assignees: fc.array(userIds, { maxLength: 3 })
		})
	},
	{
		weight: 3,
		arbitrary: fc.record({ type: fc.constant('plan' as const), technicianId: userIds })
	},
	{ weight: 4, arbitrary: fc.constant({ type: 'start' as const }) },
	{
		weight: 3,
		arbitrary: fc.record({
			type: fc.constant('wait' as const),
			reason: fc.constantFrom('requester', 'third_party' as const)
		})
	},
	{ weight: 3, arbitrary: fc.constant({ type: 'resume' as const }) },
	{ weight: 3, arbitrary: fc.record({ type: fc.constant('resolve' as const), solution: text }) },
	{ weight: 2, arbitrary: fc.record({ type: fc.constant('close' as const), solution: opt(text) }) },
	{
		weight: 2,
		arbitrary: fc.record({
			type: fc.constant('reopen' as const),
			to: opt(fc.constantFrom('qualified', 'assigned' as const))
		})
	},
	{
		weight: 1,
		arbitrary: fc.record({
			type: fc.constant('cancel' as const),
			reason: text,
			duplicateOf: opt(ticketIds)
		})
	},
	{
		weight: 2,
		arbitrary: fc.record({
			type: fc.constant('escalate' as const),
			group: opt(fc.constantFrom('network', 'security', 'desktop'))
		})
	},
	{ weight: 1, arbitrary: fc.record({ type: fc.constant('link' as const), link }) },
	{ weight: 1, arbitrary: fc.record({ type: fc.constant('unlink' as const), link }) }
);

const start = fc.constantFrom<TicketDoc>(
	aTicket(),
	openTicket(
		{
			id: 'ticket:K1',
			kind: 'request',
			title: 'Formulaire',
			requester: { name: 'Marie', email: 'marie@client.fr' },
			source: 'form'
		},
		'requester',
		at(0)
	)
);

/** An action, an index into the actors, and whether to pick among those allowed to act:
 * random actors alone rarely fit (only an assignee starts work), so three steps in four are biased. */
const steps = fc.array(
	fc.tuple(
		action,
		fc.nat(),
		fc.nat(3).map((n) => n > 0)
	),
	{
		minLength: 10, // fast-check's default sizes make short runs that rarely leave `new`
		maxLength: 40
	}
);

describe('the ticket life cycle (property)', () => {
	it('no sequence of allowed transitions reaches a state the schema refuses, and the server accepts each save', () => {
		const reached = new Set<string>();
		fc.assert(
			fc.property(start, steps, (initial, sequence) => {
				let ticket = initial;
				sequence.forEach(([act, index, biased], i) => {
					const fitting = pool.filter((w) => mayPerform(ticket, act.type, w.actor).ok);
					const candidates = biased && fitting.length > 0 ? fitting : pool;
					const { actor, user } = candidates[index % candidates.length]!;
					const allowed = mayPerform(ticket, act.type, actor);
					const offered = availableActions(ticket, actor).find((a) => a.action === act.type);
					expect(offered?.allowed).toBe(allowed.ok);
					const result = transition(ticket, act, actor, at(10 * (i + 1)), { taxonomy });
					if (!allowed.ok) {
						expect(result).toEqual({ ok: false, error: allowed.error });
						return;
					}
					if (!result.ok) {
						expect(result.error.code).toBe('params'); // never 'invalid': rules and schema agree
						return;
					}
					const next = result.value;
					const parsed = parseTicket(next);
					expect(parsed.ok ? 'valid' : parsed.error).toBe('valid');
					expect(statusChangeAllowed(ticket, next, actor).ok).toBe(true);
					if (user !== undefined) {
						const verdict = mayWrite(user, ticket, next);
						expect(verdict.ok ? 'accepted' : verdict.error.message).toBe('accepted');
					}
					reached.add(next.status);
					ticket = next;
				});
			}),
			{ numRuns: 300 }
		);
		// The generator must actually reach every status, or the property proves little.
		for (const status of TICKET_STATUSES) expect(reached, status).toContain(status);
	});
});
