import { describe, expect, it } from 'vitest';
import { changeParties, partiesChangeAllowed } from './parties.ts';
import { transition } from './ticket.ts';
import {
	aClient,
	aTicket,
	actor,
	at,
	people,
	qualify,
	taxonomy,
	ticketThrough
} from './testing/factories.ts';

const dina = actor(people.dispatcher());
const eric = actor(people.expert(['network']));
const theo = actor(people.technician('theo'));
const other = aClient({
	_id: 'client:C2',
	name: 'Boulangerie Roux',
	sites: [{ id: 'b1', label: 'Fournil', address: '3 rue Haute', city: 'Lyon', postcode: '69001' }],
	contacts: [{ id: 'r1', name: 'Paul Roux', email: 'paul@roux.fr' }]
});
/** A web-form pre-ticket: no client, the requester as typed. */
const preTicket = () => {
	const { clientId: _c, ...rest } = aTicket({ preTicket: true, source: 'form' });
	return rest;
};
const refusalKey = (r: { ok: boolean; error?: { key: string } }) => (r.ok ? 'ok' : r.error?.key);

describe('who the ticket is for (parties)', () => {
	it('a dispatcher identifies the client of a pre-ticket, which can then be qualified', () => {
		const pre = preTicket();
		expect(refusalKey(transition(pre, qualify, dina, at(1), { taxonomy }))).toBe('need_client');
		const set = changeParties(
			pre,
			{ field: 'client', clientId: other._id, siteId: 'b1' },
			dina,
			other
		);
		if (!set.ok) throw new Error(set.error.message);
		expect(set.value).toMatchObject({ clientId: 'client:C2', siteId: 'b1', preTicket: true });
		const qualified = transition(set.value, qualify, dina, at(2), { taxonomy });
		expect(qualified.ok && qualified.value).toMatchObject({
			status: 'qualified',
			preTicket: false
		});
	});

	it('refuses a site of another client, an unknown client, and a change that changes nothing', () => {
		const ticket = aTicket();
		const client = aClient();
		expect(refusalKey(changeParties(ticket, { field: 'site', siteId: 'b1' }, dina, client))).toBe(
			'unknown_site'
		);
		expect(
			refusalKey(changeParties(ticket, { field: 'client', clientId: 'client:X' }, dina, null))
		).toBe('unknown_client');
		expect(
			refusalKey(changeParties(ticket, { field: 'client', clientId: client._id }, dina, client))
		).toBe('party_unchanged');
		const site = changeParties(ticket, { field: 'site', siteId: 's1' }, dina, client);
		expect(site.ok && site.value.siteId).toBe('s1');
	});

	it('another client drops the old client’s site', () => {
		const ticket = { ...aTicket(), siteId: 's1' };
		const moved = changeParties(ticket, { field: 'client', clientId: other._id }, dina, other);
		expect(moved.ok && moved.value).toMatchObject({ clientId: 'client:C2' });
		expect(moved.ok && 'siteId' in moved.value).toBe(false);
	});

	it('sets the requester from the client’s contacts, refusing a contact of another client', () => {
		const ticket = aTicket();
		const paul = { name: 'Paul Roux', email: 'paul@roux.fr', contactId: 'r1' };
		expect(
			refusalKey(changeParties(ticket, { field: 'requester', requester: paul }, dina, aClient()))
		).toBe('unknown_contact');
		const set = changeParties(ticket, { field: 'requester', requester: paul }, dina, other);
		expect(set.ok && set.value.requester).toEqual(paul);
		expect(
			refusalKey(
				changeParties(ticket, { field: 'requester', requester: { name: ' ' } }, dina, aClient())
			)
		).toBe('need_requester');
	});

	it('only a dispatcher, or an expert on a new ticket; never a technician', () => {
		const change = { field: 'client', clientId: other._id } as const;
		expect(refusalKey(changeParties(aTicket(), change, theo, other))).toBe('parties_who');
		expect(refusalKey(changeParties(aTicket(), change, eric, other))).toBe('ok');
		const qualified = ticketThrough([[qualify, dina]]);
		expect(refusalKey(changeParties(qualified, change, eric, other))).toBe('parties_who');
		expect(refusalKey(changeParties(qualified, change, dina, other))).toBe('ok');
	});

	it('the client stays once a mission is planned, and on a closed ticket nothing changes', () => {
		const planned = ticketThrough([
			[qualify, dina],
			[{ type: 'plan', technicianId: 'user:theo' }, dina]
		]);
		const change = { field: 'client', clientId: other._id } as const;
		expect(refusalKey(changeParties(planned, change, dina, other))).toBe('client_after_planning');
		const requester = { field: 'requester', requester: { name: 'Paul Roux' } } as const;
		expect(refusalKey(changeParties(planned, requester, dina, other))).toBe('ok');
		const closed = ticketThrough([
			[qualify, dina],
			[{ type: 'resolve', solution: 'Redémarré' }, dina],
			[{ type: 'close' }, dina]
		]);
		expect(refusalKey(changeParties(closed, requester, dina, other))).toBe('parties_over');
	});

	it('judges a pushed version the same way: who, when, and what it names', () => {
		const before = aTicket();
		const after = { ...before, clientId: other._id };
		expect(refusalKey(partiesChangeAllowed(before, after, theo, other))).toBe('parties_who');
		expect(refusalKey(partiesChangeAllowed(before, after, dina, null))).toBe('unknown_client');
		expect(refusalKey(partiesChangeAllowed(before, { ...after, siteId: 's1' }, dina, other))).toBe(
			'unknown_site'
		);
		expect(refusalKey(partiesChangeAllowed(before, after, dina, other))).toBe('ok');
		expect(refusalKey(partiesChangeAllowed(before, { ...before }, theo))).toBe('ok');
	});
});

describe('assignees and groups are real ones', () => {
	const qualified = ticketThrough([[qualify, dina]]);
	const groups = [{ id: 'network' }, { id: 'security' }];

	it('refuses an assignee who is not an active user', () => {
		const rules = { taxonomy, assignable: new Set(['user:theo']) };
		const romain = transition(
			qualified,
			{ type: 'assign', assignees: ['user:romain'] },
			dina,
			at(5),
			rules
		);
		expect(refusalKey(romain)).toBe('unknown_user');
		const ok = transition(
			qualified,
			{ type: 'assign', assignees: ['user:theo'] },
			dina,
			at(5),
			rules
		);
		expect(ok.ok && ok.value.assignees).toEqual(['user:theo']);
	});

	it('refuses a group the referential does not know, for routing, escalation and qualification', () => {
		const rules = { taxonomy, groups };
		expect(
			refusalKey(transition(qualified, { type: 'route', group: 'support-n9' }, dina, at(5), rules))
		).toBe('unknown_group');
		expect(
			refusalKey(transition(qualified, { type: 'route', group: 'security' }, dina, at(5), rules))
		).toBe('ok');
		expect(
			refusalKey(transition(qualified, { type: 'escalate', group: 'nowhere' }, dina, at(5), rules))
		).toBe('unknown_group');
		// The demo taxonomy routes workstation problems to "desktop", which this referential lacks.
		const printer = { ...qualify, category: 'workstation', subcategory: 'printer' };
		expect(refusalKey(transition(aTicket(), printer, dina, at(5), rules))).toBe('unknown_group');
	});
});
