import { describe, expect, it } from 'vitest';
import { parseTicket } from './schemas.ts';
import {
	aTicket,
	actor,
	at,
	people,
	qualify,
	requesterActor,
	systemActor,
	taxonomy,
	ticketThrough,
	aUser
} from './testing/factories.ts';
import {
	availableActions,
	endedAt,
	isOpen,
	openTicket,
	transition,
	type Actor,
	type TicketAction
} from './ticket.ts';
import type { TicketDoc } from './schemas.ts';

const dina = actor(people.dispatcher());
const eric = actor(people.expert(['network']));
const sam = actor(aUser('sam', ['expert'], { groups: ['security'] }));
const theo = actor(people.technician());
const tom = actor(people.technician('tom'));

function run(ticket: TicketDoc, action: TicketAction, who: Actor, rules = { taxonomy }) {
	return transition(ticket, action, who, at(500), rules);
}

function refusal(ticket: TicketDoc, action: TicketAction, who: Actor, rules = { taxonomy }) {
	const result = run(ticket, action, who, rules);
	if (result.ok) throw new Error('expected a refusal');
	return result.error;
}

const assigned = () =>
	ticketThrough([
		[qualify, dina],
		[{ type: 'assign', assignees: ['user:theo'] }, eric]
	]);
const inProgress = () =>
	ticketThrough([
		[qualify, dina],
		[{ type: 'plan', technicianId: 'user:theo' }, dina],
		[{ type: 'start' }, theo]
	]);
const resolved = () =>
	ticketThrough([
		[qualify, dina],
		[{ type: 'assign', assignees: ['user:theo'] }, dina],
		[{ type: 'resolve', solution: 'Pilote réinstallé' }, theo]
	]);

describe('opening and qualifying', () => {
	it('a form submission is a pre-ticket until an operator qualifies it', () => {
		const pre = openTicket(
			{
				id: 'ticket:F1',
				kind: 'request',
				title: 'Accès VPN',
				requester: { name: 'Marie' },
				source: 'form'
			},
			'requester',
			at(0)
		);
		expect(pre).toMatchObject({ preTicket: true, status: 'new', level: 1, priority: 'P3' });
		expect(parseTicket(pre).ok).toBe(true);
		const done = run(
			pre,
			{
				type: 'qualify',
				category: 'network',
				subcategory: 'vpn',
				impact: 1,
				urgency: 2,
				clientId: 'client:C1'
			},
			sam
		);
		expect(done.ok && done.value).toMatchObject({
			preTicket: false,
			status: 'qualified',
			group: 'security',
			priority: 'P2',
			clientId: 'client:C1'
		});
	});

	it('routes through the taxonomy and computes the priority from the matrix', () => {
		const t = ticketThrough([[qualify, dina]]);
		expect(t).toMatchObject({
			status: 'qualified',
			category: 'network',
			subcategory: 'wifi',
			group: 'network',
			priority: 'P2'
		});
		const matrix = [
			['P1', 'P1', 'P1'],
			['P1', 'P1', 'P1'],
			['P1', 'P1', 'P1']
		] as const;
		const custom = transition(aTicket(), { ...qualify, group: 'desktop' }, dina, at(5), {
			matrix: matrix as never
		});
		expect(custom.ok && custom.value).toMatchObject({ group: 'desktop', priority: 'P1' });
	});

	it('refuses a qualification it cannot route, or without a client', () => {
		expect(refusal(aTicket(), { ...qualify, category: 'coffee' }, dina).message).toBe(
			'unknown category "coffee"'
		);
		expect(refusal(aTicket(), qualify, dina, {} as never).message).toBe(
			'no taxonomy to route by: choose a group'
		);
		expect(refusal(aTicket(), { ...qualify, category: ' ' }, dina).message).toBe(
			'choose a category'
		);
		expect(refusal(aTicket(), { ...qualify, impact: 4 as never }, dina).message).toBe(
			'impact and urgency must be 1, 2 or 3'
		);
		const { clientId: _c, ...anonymous } = aTicket();
		expect(refusal(anonymous, qualify, dina)).toEqual({
			code: 'params',
			key: 'need_client',
			message: 'identify the client first'
		});
	});

	it('drops a previous sub-category when requalified without one', () => {
		const t = run(
			aTicket({ category: 'network', subcategory: 'wifi' }),
			{ ...qualify, subcategory: undefined },
			dina
		);
		expect(t.ok && t.value.subcategory).toBeUndefined();
	});
});

describe('working the ticket', () => {
	it('follows assign → plan → start → close, recording who closed and how', () => {
		const t = inProgress();
		expect(t).toMatchObject({ status: 'in_progress', assignees: ['user:theo'] });
		// The field closes through the signed report, never with a solution alone.
		expect(refusal(t, { type: 'close', solution: 'Switch remplacé' }, theo).key).toBe(
			'need_report'
		);
		const closed = run(
			t,
			{ type: 'close', solution: 'Switch remplacé', reportId: 'report:R1' },
			theo
		);
		expect(closed.ok && closed.value.closure).toEqual({
			by: 'user:theo',
			how: 'level2',
			at: at(500),
			solution: 'Switch remplacé',
			reportId: 'report:R1'
		});
		expect(closed.ok && isOpen(closed.value)).toBe(false);
		expect(closed.ok && endedAt(closed.value)).toBe(at(500));
	});

	it('plans a ticket in progress again, after a mission ended without a report', () => {
		const again = run(inProgress(), { type: 'plan', technicianId: 'user:tom' }, dina);
		expect(again.ok && again.value).toMatchObject({
			status: 'planned',
			assignees: ['user:theo', 'user:tom']
		});
		// Planning stays the desk's: the technician cannot re-plan their own ticket.
		expect(refusal(inProgress(), { type: 'plan', technicianId: 'user:tom' }, theo).key).toBe(
			'who_only'
		);
	});

	it('lets level 1 close at once with the solution', () => {
		const t = run(
			ticketThrough([[qualify, dina]]),
			{ type: 'close', solution: 'Mot de passe réinitialisé' },
			dina
		);
		expect(t.ok && t.value.closure?.how).toBe('level1');
	});

	it('closes on timeout or by the requester after resolution, keeping the solution', () => {
		const byTimeout = run(resolved(), { type: 'close' }, systemActor);
		expect(byTimeout.ok && byTimeout.value.closure).toMatchObject({
			by: 'system',
			how: 'timeout',
			solution: 'Pilote réinstallé'
		});
		expect(byTimeout.ok && byTimeout.value.resolution?.solution).toBe('Pilote réinstallé');
		const byRequester = run(resolved(), { type: 'close' }, requesterActor);
		expect(byRequester.ok && byRequester.value.closure?.how).toBe('requester');
	});

	it('refuses to close without a solution', () => {
		expect(refusal(inProgress(), { type: 'close', solution: '  ' }, theo).message).toBe(
			'write the solution'
		);
		expect(refusal(inProgress(), { type: 'resolve', solution: '' }, theo).message).toBe(
			'write the solution'
		);
	});

	it('waits on the requester and resumes where it was', () => {
		const waiting = run(assigned(), { type: 'wait', reason: 'requester' }, theo);
		expect(waiting.ok && waiting.value.pending).toEqual({
			reason: 'requester',
			since: at(500),
			from: 'assigned'
		});
		if (!waiting.ok) return;
		const back = run(waiting.value, { type: 'resume' }, requesterActor);
		expect(back.ok && back.value.status).toBe('assigned');
		expect(back.ok && back.value.pending).toBeUndefined();
		expect(refusal(assigned(), { type: 'wait', reason: 'nobody' as never }, theo).code).toBe(
			'params'
		);
	});

	it('does not let the requester resume what waits on a third party', () => {
		const waiting = run(assigned(), { type: 'wait', reason: 'third_party' }, theo);
		if (!waiting.ok) throw new Error('wait refused');
		expect(refusal(waiting.value, { type: 'resume' }, requesterActor)).toEqual({
			code: 'rule',
			key: 'waits_third_party',
			message: 'the ticket waits on a third party, not on the requester'
		});
	});

	it('reopens to the people who had it, or to the queue', () => {
		const back = run(resolved(), { type: 'reopen' }, requesterActor);
		expect(back.ok && back.value).toMatchObject({ status: 'assigned', assignees: ['user:theo'] });
		expect(back.ok && back.value.resolution).toBeUndefined();
		const closed = ticketThrough([
			[qualify, dina],
			[{ type: 'close', solution: 'ok' }, dina]
		]);
		expect(refusal(closed, { type: 'reopen', to: 'assigned' }, dina).message).toBe(
			'nobody to reopen it to: reopen it as qualified'
		);
		const queued = run(closed, { type: 'reopen' }, dina);
		expect(queued.ok && queued.value.status).toBe('qualified');
	});

	it('cancels, marking a duplicate', () => {
		const t = run(
			aTicket({ links: [{ kind: 'related', ticketId: 'ticket:K9' }] }),
			{ type: 'cancel', reason: 'doublon', duplicateOf: 'ticket:K2' },
			dina
		);
		expect(t.ok && t.value).toMatchObject({
			status: 'cancelled',
			cancellation: { by: 'user:dina', reason: 'doublon' }
		});
		expect(t.ok && t.value.links).toContainEqual({ kind: 'duplicate_of', ticketId: 'ticket:K2' });
		expect(
			refusal(aTicket(), { type: 'cancel', reason: 'x', duplicateOf: 'ticket:K1' }, dina).message
		).toBe('name the ticket this one duplicates');
		expect(refusal(aTicket(), { type: 'cancel', reason: '' }, dina).message).toBe(
			'give the reason'
		);
		const again = run(
			aTicket({ links: [{ kind: 'duplicate_of', ticketId: 'ticket:K2' }] }),
			{ type: 'cancel', reason: 'x', duplicateOf: 'ticket:K2' },
			dina
		);
		expect(again.ok && again.value.links).toHaveLength(1);
	});

	it('escalates a level, and to another group through its queue', () => {
		const up = run(assigned(), { type: 'escalate' }, systemActor);
		expect(up.ok && up.value).toMatchObject({ level: 2, status: 'assigned' });
		const moved = run(assigned(), { type: 'escalate', group: 'security' }, eric);
		expect(moved.ok && moved.value).toMatchObject({
			level: 2,
			group: 'security',
			status: 'qualified',
			assignees: []
		});
		const waiting = ticketThrough([[{ type: 'wait', reason: 'third_party' }, theo]], assigned());
		const movedWaiting = run(waiting, { type: 'escalate', group: 'security' }, dina);
		expect(movedWaiting.ok && movedWaiting.value.pending?.from).toBe('qualified');
		const top = ticketThrough(
			[
				[{ type: 'escalate' }, dina],
				[{ type: 'escalate' }, dina]
			],
			assigned()
		);
		expect(refusal(top, { type: 'escalate' }, dina)).toEqual({
			code: 'rule',
			key: 'level_max',
			message: 'the ticket is already at level 3'
		});
		expect(refusal(assigned(), { type: 'escalate', group: ' ' }, dina).message).toBe(
			'choose a group'
		);
	});

	it('routes to another group, emptying the assignment', () => {
		const t = run(assigned(), { type: 'route', group: 'desktop' }, eric);
		expect(t.ok && t.value).toMatchObject({
			status: 'qualified',
			group: 'desktop',
			assignees: [],
			level: 2
		});
		expect(refusal(assigned(), { type: 'route', group: '' }, eric).message).toBe('choose a group');
	});

	it('checks assignees', () => {
		const q = ticketThrough([[qualify, dina]]);
		expect(refusal(q, { type: 'assign', assignees: [] }, dina).message).toBe(
			'choose at least one person'
		);
		expect(refusal(q, { type: 'assign', assignees: ['theo'] }, dina).message).toBe(
			'assignees must be user ids ("user:…")'
		);
		expect(refusal(q, { type: 'plan', technicianId: 'theo' }, dina).message).toBe(
			'the technician must be a user id ("user:…")'
		);
	});

	it('links tickets of a mass incident both ways', () => {
		const child = run(
			assigned(),
			{ type: 'link', link: { kind: 'parent', ticketId: 'ticket:P1' } },
			theo
		);
		expect(child.ok && child.value.links).toEqual([{ kind: 'parent', ticketId: 'ticket:P1' }]);
		if (!child.ok) return;
		expect(
			refusal(child.value, { type: 'link', link: { kind: 'parent', ticketId: 'ticket:P1' } }, theo)
				.message
		).toBe('these tickets are already linked so');
		expect(
			refusal(child.value, { type: 'link', link: { kind: 'parent', ticketId: 'ticket:K1' } }, theo)
				.message
		).toBe('a ticket links to another ticket');
		const unlinked = run(
			child.value,
			{ type: 'unlink', link: { kind: 'parent', ticketId: 'ticket:P1' } },
			dina
		);
		expect(unlinked.ok && unlinked.value.links).toEqual([]);
		expect(
			refusal(assigned(), { type: 'unlink', link: { kind: 'child', ticketId: 'ticket:P1' } }, dina)
				.message
		).toBe('there is no such link');
	});

	it('stamps what changed, and who changed it', () => {
		const before = assigned();
		const after = run(before, { type: 'start' }, theo);
		expect(after.ok && after.value).toMatchObject({ updatedBy: 'user:theo', updatedAt: at(500) });
		expect(after.ok && after.value.stamps?.state).toMatchObject({
			at: at(500),
			by: 'user:theo',
			prev: { by: 'user:eric' }
		});
		expect(after.ok && after.value.stamps?.title).toBeUndefined();
	});
});

describe('who may', () => {
	it('refuses with the status as reason', () => {
		expect(refusal(aTicket(), { type: 'start' }, theo)).toEqual({
			code: 'status',
			key: 'status_from',
			params: { action: 'start', status: 'new' },
			message: 'cannot start a ticket that is new'
		});
		expect(refusal(inProgress(), qualify, dina).message).toBe(
			'cannot qualify a ticket that is in progress'
		);
	});

	it('refuses a technician who is not assigned, naming who may', () => {
		expect(refusal(inProgress(), { type: 'close', solution: 'x' }, tom)).toEqual({
			code: 'role',
			key: 'who_only',
			params: { action: 'close', who: ['dispatcher', 'group_expert', 'assignee'] },
			message:
				"only a dispatcher, an expert of the ticket's group or a person assigned to the ticket may close this ticket now"
		});
	});

	it('lets an expert of the group act, but not one of another group', () => {
		expect(
			run(ticketThrough([[qualify, dina]]), { type: 'assign', assignees: ['user:theo'] }, eric).ok
		).toBe(true);
		expect(
			refusal(ticketThrough([[qualify, dina]]), { type: 'assign', assignees: ['user:theo'] }, sam)
				.code
		).toBe('role');
	});

	it('knows the requester by e-mail', () => {
		expect(
			refusal(resolved(), { type: 'close' }, { kind: 'requester', email: 'someone@else.fr' })
				.message
		).toBe('only the requester of this ticket may do this through the form');
		expect(
			run(resolved(), { type: 'close' }, { kind: 'requester', email: ' MARIE@client.fr ' }).ok
		).toBe(true);
	});

	it('a disabled account may do nothing', () => {
		const gone = actor(aUser('old', ['dispatcher'], { disabled: true }));
		expect(availableActions(aTicket(), gone).every((a) => !a.allowed)).toBe(true);
	});

	it('lists every action with its reason for the UI', () => {
		const list = availableActions(inProgress(), theo);
		expect(list.find((a) => a.action === 'close')).toEqual({ action: 'close', allowed: true });
		expect(list.find((a) => a.action === 'assign')).toMatchObject({
			action: 'assign',
			allowed: false,
			code: 'role',
			reason: "only a dispatcher or an expert of the ticket's group may assign this ticket now",
			refusal: { key: 'who_only', params: { who: ['dispatcher', 'group_expert'] } }
		});
		expect(list).toHaveLength(14);
	});
});
