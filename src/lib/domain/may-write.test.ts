import { describe, expect, it } from 'vitest';
import { mayWrite, type Deletion } from './access.ts';
import { REFUSAL_KEYS, type Refusal } from './refusals.ts';
import type { Doc, MissionDoc } from './schemas.ts';
import { touch } from './stamps.ts';
import {
	aBillingItem,
	aCalendarEntry,
	aClient,
	aConfig,
	aGrant,
	aMission,
	anEvent,
	aReport,
	aSignedReport,
	aSurvey,
	aTechfile,
	aTicket,
	aUser,
	actor,
	at,
	people,
	qualify,
	ticketThrough
} from './testing/factories.ts';

const dina = people.dispatcher();
const eric = people.expert(['network']);
const theo = people.technician('theo');
const tom = people.technician('tom');
const bea = people.billing();
const ada = people.admin();

/** The English message of a refusal, which must also carry a key the screens put in words. */
function reason(result: ReturnType<typeof mayWrite>): string {
	if (result.ok) return 'accepted';
	expect(REFUSAL_KEYS).toContain(result.error.key);
	return result.error.message;
}

function why(result: ReturnType<typeof mayWrite>): Omit<Refusal, 'message'> | 'accepted' {
	if (result.ok) return 'accepted';
	const { message: _message, ...coded } = result.error;
	return coded;
}
const del = (doc: Doc): Deletion => ({ _id: doc._id, _rev: '1-a', _deleted: true });

const planned = () =>
	ticketThrough([
		[qualify, actor(dina)],
		[{ type: 'plan', technicianId: 'user:theo' }, actor(dina)]
	]);

describe('mayWrite: the rules named in the issue', () => {
	it('a technician cannot touch billing fields or contracts', () => {
		const c = aClient();
		const contract = touch(c, { ...c, contract: { ...c.contract, hoursUsed: 0 } }, at(5), theo._id);
		expect(reason(mayWrite(theo, c, contract))).toBe(
			'a technician or an expert may not change contract'
		);
		const status = touch(c, { ...c, commercialStatus: 'terminated' }, at(5), eric._id);
		expect(reason(mayWrite(eric, c, status))).toBe(
			'a technician or an expert may not change commercialStatus'
		);
		const contact = touch(
			c,
			{ ...c, contacts: [...c.contacts, { id: 'k2', name: 'Paul' }] },
			at(5),
			theo._id
		);
		expect(reason(mayWrite(theo, c, contact))).toBe('accepted');
	});

	it('nobody edits a signed report, not even an admin', () => {
		const signed = aSignedReport();
		expect(reason(mayWrite(theo, signed, { ...signed, remarks: 'oubli' }))).toMatch(
			/^This report is signed by the technician and the client: it can no longer be changed \(remarks\)/
		);
		expect(reason(mayWrite(ada, signed, { ...signed, remarks: 'oubli' }))).toMatch(
			/can no longer be changed/
		);
		expect(reason(mayWrite(ada, signed, del(signed)))).toBe(
			'a signed report can no longer be changed or deleted'
		);
		expect(reason(mayWrite(theo, signed, { ...signed, access: ['role:admin'] }))).toBe(
			'access: is worked out by the server, never written by a device'
		);
	});

	it('a technician cannot close a ticket they are not assigned', () => {
		const t = planned();
		const closed = {
			...t,
			status: 'closed' as const,
			closure: { by: tom._id, how: 'level2' as const, at: at(99), solution: 'x' }
		};
		expect(reason(mayWrite(tom, t, touch(t, closed, at(99), tom._id)))).toBe(
			'you are not working on this ticket'
		);
		const byTheo = {
			...t,
			status: 'closed' as const,
			closure: {
				by: theo._id,
				how: 'level2' as const,
				at: at(99),
				solution: 'x',
				reportId: 'report:R1'
			}
		};
		expect(reason(mayWrite(theo, t, touch(t, byTheo, at(99), theo._id)))).toBe('accepted');
	});

	it('nobody edits or deletes an event', () => {
		const e = anEvent();
		expect(reason(mayWrite(ada, e, { ...e, body: 'corrigé' }))).toBe(
			'events are never edited: add a follow-up instead'
		);
		expect(reason(mayWrite(ada, e, del(e)))).toBe(
			'events are never deleted: add a follow-up instead'
		);
	});

	it('billing items are the server’s', () => {
		expect(reason(mayWrite(bea, null, aBillingItem()))).toBe(
			'billing items are written by the server only'
		);
		expect(reason(mayWrite(ada, aBillingItem(), del(aBillingItem())))).toBe(
			'billing items are written by the server only'
		);
	});

	it('satisfaction answers are the requester’s, through the server: no device writes one', () => {
		const said = 'satisfaction answers are written by the server only, from the requester’s page';
		for (const user of [dina, ada, eric, theo]) {
			expect(reason(mayWrite(user, null, aSurvey()))).toBe(said);
			expect(reason(mayWrite(user, aSurvey(), aSurvey({ rating: 5 })))).toBe(said);
			expect(reason(mayWrite(user, aSurvey(), del(aSurvey())))).toBe(said);
		}
	});
});

describe('mayWrite: tickets', () => {
	it('staff open tickets in their own name; the number is the server’s', () => {
		expect(reason(mayWrite(dina, null, aTicket()))).toBe('accepted');
		expect(reason(mayWrite(theo, null, aTicket()))).toBe('ticket.createdBy: must be you');
		expect(reason(mayWrite(theo, null, aTicket({ createdBy: theo._id })))).toBe('accepted');
		expect(reason(mayWrite(theo, null, planned()))).toBe('ticket.createdBy: must be you');
		expect(reason(mayWrite(theo, null, { ...planned(), createdBy: theo._id }))).toBe(
			'a technician opens a ticket as new'
		);
		expect(reason(mayWrite(dina, null, aTicket({ number: 1 })))).toBe(
			'ticket.number: is given by the server'
		);
		expect(reason(mayWrite(bea, null, aTicket({ createdBy: bea._id })))).toBe(
			'only staff may open a ticket this way (requesters use the form)'
		);
		const t = aTicket();
		expect(reason(mayWrite(ada, t, { ...t, number: 7 }))).toBe(
			'ticket.number: is given by the server'
		);
		expect(reason(mayWrite(ada, t, { ...t, createdBy: ada._id }))).toBe(
			'ticket.createdAt and createdBy never change'
		);
	});

	it('an assignee works the ticket but does not reclassify it', () => {
		const t = planned();
		const retitled = touch(t, { ...t, title: 'Autre', priority: 'P1' }, at(50), theo._id);
		expect(reason(mayWrite(theo, t, retitled))).toBe(
			'a person assigned to the ticket may not change priority, title'
		);
		expect(reason(mayWrite(eric, t, retitled))).toBe('accepted');
	});

	it('status changes follow the life cycle, outcomes are signed by their author', () => {
		const t = planned();
		const skipped = touch(t, { ...t, status: 'new' }, at(50), dina._id);
		expect(reason(mayWrite(dina, t, skipped))).toBe('a ticket cannot go from planned to new');
		const forged = touch(
			t,
			{
				...t,
				status: 'closed',
				closure: { by: 'user:eric', how: 'level2', at: at(50), solution: 'x' }
			},
			at(50),
			theo._id
		);
		expect(reason(mayWrite(theo, t, forged))).toBe('ticket.closure.by: must be you');
		expect(
			reason(mayWrite(theo, t, touch(t, { ...t, status: 'qualified' }, at(50), theo._id)))
		).toBe('a ticket cannot go from planned to qualified');
		const a = ticketThrough(
			[[{ type: 'assign', assignees: ['user:theo'] }, actor(dina)]],
			ticketThrough([[qualify, actor(dina)]])
		);
		expect(
			reason(mayWrite(theo, a, touch(a, { ...a, status: 'qualified' }, at(50), theo._id)))
		).toBe("only a dispatcher or an expert of the ticket's group may route this ticket now");
		const unstamped = { ...t, description: 'plus de détails' };
		expect(reason(mayWrite(theo, t, unstamped))).toBe(
			'ticket.description: changed without a newer stamp (save through touch())'
		);
	});

	it('an assignee escalates one level, and to another group only unassigned', () => {
		const t = planned();
		const up = touch(t, { ...t, level: 2 }, at(50), theo._id);
		expect(reason(mayWrite(theo, t, up))).toBe('accepted');
		expect(reason(mayWrite(theo, t, touch(t, { ...t, level: 3 }, at(50), theo._id)))).toBe(
			'a person assigned to the ticket may not change level'
		);
		const moved = touch(
			t,
			{ ...t, level: 2, group: 'security', status: 'qualified', assignees: [] },
			at(50),
			theo._id
		);
		expect(reason(mayWrite(theo, t, moved))).toBe('accepted');
		expect(reason(mayWrite(theo, t, { ...moved, assignees: ['user:tom'] }))).toBe(
			'a ticket escalated to another group waits in its queue, unassigned'
		);
		const top = { ...t, level: 3 as const };
		expect(
			reason(mayWrite(theo, top, touch(top, { ...top, level: 4 as never }, at(50), theo._id)))
		).toBe('the ticket is already at level 3');
	});

	it('documents keep their type and id', () => {
		expect(reason(mayWrite(ada, aTicket(), aClient() as Doc))).toBe(
			'a document never changes type'
		);
		expect(reason(mayWrite(ada, aTicket(), aTicket({ _id: 'ticket:OTHER' })))).toBe(
			'a document never changes id'
		);
		expect(reason(mayWrite(ada, null, del(aTicket())))).toBe('there is nothing to delete');
		expect(reason(mayWrite(ada, aTicket(), del(aTicket())))).toBe(
			'tickets are never deleted: cancel the ticket instead'
		);
		expect(
			reason(mayWrite(aUser('old', ['admin'], { disabled: true }), null, aConfig('access')))
		).toBe('this account is disabled');
	});
});

describe('mayWrite: the other documents', () => {
	it('missions: planned by the desk; the technician moves only the status of their own', () => {
		const m = aMission();
		expect(reason(mayWrite(dina, null, m))).toBe('accepted');
		expect(reason(mayWrite(theo, null, m))).toBe(
			'only a dispatcher or an expert may plan a mission'
		);
		expect(
			reason(mayWrite(theo, m, touch(m, { ...m, status: 'in_progress' }, at(5), theo._id)))
		).toBe('accepted');
		expect(
			reason(mayWrite(theo, m, touch(m, { ...m, estimatedMinutes: 10 }, at(5), theo._id)))
		).toBe('the technician may not change estimatedMinutes');
		expect(
			reason(mayWrite(theo, m, touch(m, { ...m, status: 'cancelled' }, at(5), theo._id)))
		).toBe('only a dispatcher may cancel a mission');
		expect(reason(mayWrite(tom, m, touch(m, { ...m, status: 'done' }, at(5), tom._id)))).toBe(
			'this mission is not yours'
		);
		expect(reason(mayWrite(theo, m, del(m)))).toBe(
			'only a dispatcher may delete a mission (or cancel it)'
		);
		expect(reason(mayWrite(dina, m, del(m)))).toBe('accepted');
	});

	it('reports: written by their technician or the desk until signed', () => {
		const r = aReport();
		expect(reason(mayWrite(theo, null, r))).toBe('accepted');
		expect(reason(mayWrite(tom, null, r))).toBe(
			'only the technician of the mission or a dispatcher may write this report'
		);
		expect(reason(mayWrite(dina, r, { ...r, remarks: 'x' }))).toBe('accepted');
		const signedNoHash = { ...aSignedReport(), hash: undefined };
		expect(reason(mayWrite(theo, r, signedNoHash))).toBe(
			'A report signed by both parties must be saved with its integrity hash'
		);
		expect(reason(mayWrite(theo, r, del(r)))).toBe('accepted');
		expect(reason(mayWrite(tom, r, del(r)))).toBe(
			'only its technician or a dispatcher may delete this report'
		);
	});

	it('clients: the desk and billing', () => {
		const c = aClient();
		expect(reason(mayWrite(bea, null, c))).toBe('accepted');
		expect(reason(mayWrite(theo, null, c))).toBe(
			'only a dispatcher, billing or an admin may add a client'
		);
		expect(
			reason(
				mayWrite(
					bea,
					c,
					touch(c, { ...c, contract: { ...c.contract, hourBank: 80 } }, at(5), bea._id)
				)
			)
		).toBe('accepted');
		expect(reason(mayWrite(bea, c, touch(c, { ...c, name: 'Autre' }, at(5), bea._id)))).toBe(
			'billing may not change name'
		);
		expect(reason(mayWrite(dina, c, touch(c, { ...c, name: 'Autre' }, at(5), dina._id)))).toBe(
			'accepted'
		);
		expect(reason(mayWrite(aUser('x', []), c, c))).toBe('you may not change clients');
		expect(reason(mayWrite(dina, c, del(c)))).toBe('only an admin may delete a client');
		expect(reason(mayWrite(ada, c, del(c)))).toBe('accepted');
	});

	it('technical files: support staff, stamped', () => {
		const f = aTechfile();
		expect(reason(mayWrite(theo, f, touch(f, { ...f, notes: 'x' }, at(5), theo._id)))).toBe(
			'accepted'
		);
		expect(reason(mayWrite(bea, f, touch(f, { ...f, notes: 'x' }, at(5), bea._id)))).toBe(
			'only support staff may change a technical file'
		);
	});

	it('events: in one’s own name; server kinds and merges', () => {
		expect(reason(mayWrite(eric, null, anEvent()))).toBe('accepted');
		expect(reason(mayWrite(theo, null, anEvent()))).toBe('event.author: must be you');
		expect(reason(mayWrite(theo, null, anEvent({ kind: 'notice_sent', author: theo._id })))).toBe(
			'notice_sent events are written by the server only'
		);
		expect(
			reason(mayWrite(eric, null, anEvent({ kind: 'ticket_numbered', author: eric._id })))
		).toBe('ticket_numbered events are written by the server only');
		// The server alone writes as "system"; a device records its own merges in its user's name.
		expect(
			reason(mayWrite(theo, null, anEvent({ kind: 'merge_set_aside', author: 'system' })))
		).toBe('event.author: must be you');
		expect(
			reason(mayWrite(theo, null, anEvent({ kind: 'merge_set_aside', author: theo._id })))
		).toBe('accepted');
	});

	it('users: admins manage accounts; people edit their own details only', () => {
		expect(reason(mayWrite(ada, null, tom))).toBe('accepted');
		expect(reason(mayWrite(theo, theo, { ...theo, displayName: 'Théo' }))).toBe('accepted');
		expect(reason(mayWrite(theo, theo, { ...theo, roles: ['admin'] }))).toBe(
			'you may not change roles'
		);
		expect(reason(mayWrite(theo, tom, { ...tom, displayName: 'x' }))).toBe(
			'only an admin may manage other accounts'
		);
		expect(reason(mayWrite(ada, tom, del(tom)))).toBe('accepted');
	});

	it('grants: technicians ask for themselves, admins decide in their own name', () => {
		const g = aGrant();
		expect(reason(mayWrite(theo, null, g))).toBe('accepted');
		expect(reason(mayWrite(tom, null, g))).toBe('you may only request access for yourself');
		const approved = {
			...g,
			status: 'approved' as const,
			decidedBy: ada._id,
			decidedAt: at(5),
			expiresAt: at(600)
		};
		expect(reason(mayWrite(theo, g, approved))).toBe('only an admin decides on an access request');
		expect(reason(mayWrite(ada, g, approved))).toBe('accepted');
		expect(reason(mayWrite(ada, g, { ...approved, decidedBy: 'user:other' }))).toBe(
			'grant.decidedBy: must be you'
		);
	});

	it('calendars: one’s own, or the desk', () => {
		const c = aCalendarEntry();
		expect(reason(mayWrite(theo, null, c))).toBe('accepted');
		expect(reason(mayWrite(tom, null, c))).toBe('you may only change your own calendar');
		expect(reason(mayWrite(dina, c, { ...c, label: 'Formation' }))).toBe('accepted');
		expect(reason(mayWrite(theo, c, del(c)))).toBe('accepted');
		expect(reason(mayWrite(tom, c, del(c)))).toBe(
			'only its technician or a dispatcher may delete this calendar entry'
		);
	});

	it('config: admins only', () => {
		expect(reason(mayWrite(dina, null, aConfig('taxonomy')))).toBe(
			'only an admin may change the referentials'
		);
		expect(reason(mayWrite(ada, null, aConfig('taxonomy')))).toBe('accepted');
	});
});

describe('mayWrite with what the server knows (issue #11)', () => {
	const ticket = (overrides = {}) => ({ ...aTicket(), group: 'network', ...overrides });
	const other = ticket({ _id: 'ticket:K9', clientId: 'client:C9', group: 'desktop' });

	it('only a planner plans: a dispatcher, or an expert of the ticket’s group', () => {
		const m = aMission();
		expect(reason(mayWrite(dina, null, m, { ticket: ticket() }))).toBe('accepted');
		expect(reason(mayWrite(eric, null, m, { ticket: ticket() }))).toBe('accepted');
		const outside = aMission({
			ticketId: other._id,
			clientId: 'client:C9',
			technicianId: eric._id
		});
		expect(reason(mayWrite(eric, null, outside, { ticket: other }))).toBe(
			"only a dispatcher or an expert of the ticket's group may plan it"
		);
		expect(reason(mayWrite(theo, null, m, { ticket: ticket() }))).toBe(
			'only a dispatcher or an expert may plan a mission'
		);
		// Moving a mission of his group to a ticket outside it is planning that ticket too.
		const moved = touch(m, { ...m, ticketId: other._id, clientId: 'client:C9' }, at(5), eric._id);
		expect(reason(mayWrite(eric, m, moved, { ticket: other, ticketBefore: ticket() }))).toBe(
			"only a dispatcher or an expert of the ticket's group may plan it"
		);
		// Without the server's context (the device's own check) the expert is trusted.
		expect(reason(mayWrite(eric, null, outside))).toBe('accepted');
	});

	it('a mission is at its ticket’s client, on a ticket that exists', () => {
		const elsewhere = aMission({ clientId: 'client:C9' });
		expect(reason(mayWrite(dina, null, elsewhere, { ticket: ticket() }))).toBe(
			"mission.clientId: must be the client of the mission's ticket"
		);
		expect(reason(mayWrite(dina, null, aMission(), { ticket: null }))).toBe(
			'mission.ticketId: there is no such ticket'
		);
	});

	it('a technician changes neither who goes nor where, and never revives a cancelled mission', () => {
		const m = aMission();
		const ctx = { ticket: ticket() };
		const himself = touch(m, { ...m, technicianId: tom._id }, at(5), theo._id);
		expect(reason(mayWrite(theo, m, himself, ctx))).toBe(
			'only a dispatcher may change who goes, for which ticket and client'
		);
		const cancelled: MissionDoc = { ...m, status: 'cancelled' };
		const revived = touch(cancelled, { ...cancelled, status: 'planned' }, at(5), theo._id);
		expect(reason(mayWrite(theo, cancelled, revived, ctx))).toBe(
			'only a dispatcher may change who goes, for which ticket and client'
		);
		const done = touch(m, { ...m, status: 'done' }, at(5), theo._id);
		expect(reason(mayWrite(theo, m, done, ctx))).toBe('accepted');
	});

	it('a report belongs to its mission: same ticket, client and technician', () => {
		const r = aReport();
		expect(reason(mayWrite(theo, null, r, { mission: aMission() }))).toBe('accepted');
		expect(reason(mayWrite(theo, null, r, { mission: null }))).toBe(
			'report.missionId: there is no such mission'
		);
		expect(reason(mayWrite(theo, null, r, { mission: aMission({ technicianId: tom._id }) }))).toBe(
			"report.technicianId: must be the mission's technician"
		);
		expect(
			reason(mayWrite(theo, null, { ...r, ticketId: other._id }, { mission: aMission() }))
		).toBe("report.ticketId and clientId: must be the mission's");
	});

	it('an event shows in its subject’s timeline, under its author’s own name', () => {
		const e = anEvent();
		const ctx = { subject: ticket(), ticket: ticket(), profile: { displayName: 'Eric' } };
		expect(reason(mayWrite(eric, null, e, ctx))).toBe('accepted');
		expect(
			reason(mayWrite(eric, null, { ...e, ticketId: other._id }, { ...ctx, ticket: other }))
		).toBe('event.ticketId: must be its subject');
		expect(reason(mayWrite(eric, null, { ...e, authorName: 'Claire Dubois (hotline)' }, ctx))).toBe(
			'event.authorName: must be your name as in your profile'
		);
		expect(reason(mayWrite(eric, null, e, { ...ctx, subject: null }))).toBe(
			'event.subjectId: there is no such document'
		);
		const onMission = { ...e, subjectId: 'mission:M1', ticketId: other._id };
		expect(reason(mayWrite(eric, null, onMission, { ...ctx, subject: aMission() }))).toBe(
			"event.ticketId: must be its subject's ticket"
		);
		const reveal = {
			...e,
			kind: 'credential_reveal' as const,
			subjectId: 'techfile:C1',
			ticketId: other._id
		};
		expect(
			reason(mayWrite(eric, null, reveal, { ...ctx, subject: aTechfile(), ticket: other }))
		).toBe("event.ticketId: must be a ticket of its subject's client");
		expect(
			reason(
				mayWrite(eric, null, { ...reveal, ticketId: 'ticket:K1' }, { ...ctx, subject: aTechfile() })
			)
		).toBe('accepted');
		expect(reason(mayWrite(eric, null, { ...reveal, subjectId: 'ticket:K1' }, ctx))).toBe(
			'event.subjectId: a credential reveal or a technical-file change is about a technical file'
		);
		// A desk edit's history line (issue #15): about a technical file, by its support staff.
		const change = {
			...e,
			kind: 'techfile_change' as const,
			subjectId: 'techfile:C1',
			ticketId: undefined,
			data: { changes: [{ section: 'equipment', action: 'added', summary: 'Switch' }] }
		};
		expect(reason(mayWrite(eric, null, change, { ...ctx, subject: aTechfile() }))).toBe('accepted');
		expect(reason(mayWrite(eric, null, { ...change, subjectId: 'ticket:K1' }, ctx))).toBe(
			'event.subjectId: a credential reveal or a technical-file change is about a technical file'
		);
		expect(
			reason(mayWrite(bea, null, { ...change, author: bea._id }, { ...ctx, subject: aTechfile() }))
		).toBe('only support staff may change a technical file');
	});
});

describe('mayWrite refuses with codes the device puts in words (issue #13)', () => {
	it('names the fields a person may not change, and who they are', () => {
		const t = planned();
		const retitled = touch(t, { ...t, title: 'Autre', priority: 'P1' }, at(50), theo._id);
		expect(why(mayWrite(theo, t, retitled))).toEqual({
			code: 'role',
			key: 'fields_assignee',
			params: { fields: ['priority', 'title'] }
		});
		const m = aMission();
		expect(
			why(mayWrite(theo, m, touch(m, { ...m, estimatedMinutes: 10 }, at(5), theo._id)))
		).toEqual({ code: 'role', key: 'fields_mission', params: { fields: ['estimatedMinutes'] } });
		const c = aClient();
		expect(why(mayWrite(bea, c, touch(c, { ...c, name: 'Autre' }, at(5), bea._id)))).toEqual({
			code: 'role',
			key: 'fields_billing',
			params: { fields: ['name'] }
		});
		const status = touch(c, { ...c, commercialStatus: 'terminated' }, at(5), eric._id);
		expect(why(mayWrite(eric, c, status))).toMatchObject({
			key: 'fields_staff',
			params: { fields: ['commercialStatus'] }
		});
		expect(why(mayWrite(theo, theo, { ...theo, roles: ['admin'] }))).toMatchObject({
			key: 'fields_profile',
			params: { fields: ['roles'] }
		});
	});

	it('a team (working set) is the desk’s and the admin’s to set, and must be a group', () => {
		const groups = [{ id: 'agence-lyon' }];
		const c = aClient();
		const moved = touch(c, { ...c, team: 'agence-lyon' }, at(5), dina._id);
		expect(mayWrite(dina, c, moved, { groups }).ok).toBe(true);
		const forged = touch(c, { ...c, team: 'agence-nulle-part' }, at(5), dina._id);
		expect(why(mayWrite(dina, c, forged, { groups }))).toMatchObject({
			code: 'params',
			key: 'unknown_group'
		});
		const byTech = touch(c, { ...c, team: 'agence-lyon' }, at(5), theo._id);
		expect(why(mayWrite(theo, c, byTech, { groups }))).toMatchObject({
			key: 'fields_staff',
			params: { fields: ['team'] }
		});
		const byBilling = touch(c, { ...c, team: 'agence-lyon' }, at(5), bea._id);
		expect(why(mayWrite(bea, c, byBilling, { groups }))).toMatchObject({ key: 'fields_billing' });
		// A person's team: the admin's, never their own.
		expect(why(mayWrite(theo, theo, { ...theo, team: 'agence-lyon' }, { groups }))).toMatchObject({
			key: 'fields_profile',
			params: { fields: ['team'] }
		});
		expect(mayWrite(ada, theo, { ...theo, team: 'agence-lyon' }, { groups }).ok).toBe(true);
		expect(why(mayWrite(ada, theo, { ...theo, team: 'x' }, { groups }))).toMatchObject({
			key: 'unknown_group'
		});
	});

	it('passes on the ticket rules’ own refusals, with their parameters', () => {
		const t = planned();
		const skipped = touch(t, { ...t, status: 'new' }, at(50), dina._id);
		expect(why(mayWrite(dina, t, skipped))).toEqual({
			code: 'status',
			key: 'status_path',
			params: { from: 'planned', to: 'new' }
		});
		const top = { ...t, level: 3 as const };
		expect(
			why(mayWrite(theo, top, touch(top, { ...top, level: 4 as never }, at(50), theo._id)))
		).toMatchObject({ key: 'level_max' });
	});

	it('says whose name, which event kind, which document type', () => {
		expect(why(mayWrite(theo, null, anEvent()))).toEqual({
			code: 'role',
			key: 'not_you',
			params: { field: 'event.author' }
		});
		expect(why(mayWrite(theo, null, anEvent({ kind: 'notice_sent', author: theo._id })))).toEqual({
			code: 'role',
			key: 'event_server',
			params: { kind: 'notice_sent' }
		});
		expect(why(mayWrite(dina, aClient(), del(aClient())))).toEqual({
			code: 'role',
			key: 'admin_delete',
			params: { doc: 'client' }
		});
		const signed = aSignedReport();
		expect(why(mayWrite(theo, signed, { ...signed, remarks: 'oubli' }))).toEqual({
			code: 'rule',
			key: 'report_sealed',
			params: { fields: ['remarks'] }
		});
		expect(why(mayWrite(ada, aTicket(), aClient() as Doc))).toEqual({
			code: 'rule',
			key: 'type_fixed'
		});
	});
});
