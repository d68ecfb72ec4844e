import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { principalsFor, type AccessContext } from '#lib/domain/access.ts';
import { isHoldMark } from '#lib/domain/working-set.ts';
import { toMillis } from '#lib/domain/ids.ts';
import {
	aClient,
	aMission,
	aReport,
	aSurvey,
	aTechfile,
	aTicket,
	anApprovedGrant,
	anEvent,
	at
} from '#lib/domain/testing/factories.ts';
import { aclFor, principalsAt, type AclEntry } from './acl.ts';
import { AccessModel } from './model.ts';

const DAY = 24 * 60;

function world(closedAfterMin: number | null, grantMin: number, windowDays: number) {
	const ticket =
		closedAfterMin === null
			? aTicket({ assignees: ['user:theo'], status: 'assigned', group: 'network' })
			: aTicket({
					assignees: ['user:theo'],
					status: 'closed',
					group: 'network',
					closure: { by: 'user:theo', at: at(closedAfterMin), how: 'level2', solution: 'ok' }
				});
	const missions = [
		aMission({ technicianId: 'user:theo' }),
		aMission({ _id: 'mission:M2', technicianId: 'user:lea', status: 'cancelled' })
	];
	const grant = anApprovedGrant(at(grantMin), { technicianId: 'user:max' });
	const facts = new AccessModel(windowDays);
	facts.noteFacts(ticket._id, ticket);
	for (const m of missions) facts.noteFacts(m._id, m);
	facts.noteFacts(grant._id, grant);
	return { ticket, missions, grant, facts };
}

describe('aclFor', () => {
	it('gives, at every instant, exactly what principalsFor gives', () => {
		fc.assert(
			fc.property(
				fc.option(fc.integer({ min: 0, max: 30 * DAY }), { nil: null }),
				fc.integer({ min: 10, max: 30 * DAY }),
				fc.integer({ min: 0, max: 10 }),
				fc.array(fc.integer({ min: -DAY, max: 60 * DAY }), { minLength: 1, maxLength: 8 }),
				(closedAfter, grantMin, windowDays, probes) => {
					const { ticket, missions, grant, facts } = world(closedAfter, grantMin, windowDays);
					const ended = ticket.closure?.at;
					const missionFacts = missions.map((m) => ({
						technicianId: m.technicianId,
						status: m.status,
						ticketEndedAt: ended
					}));
					const docs = [
						{ doc: ticket, ctx: { missions: missionFacts } },
						{ doc: aClient(), ctx: { missions: missionFacts, grants: [grant] } },
						{ doc: aTechfile(), ctx: { missions: missionFacts, grants: [grant] } },
						{ doc: missions[0]!, ctx: { ticket: { group: ticket.group, endedAt: ended } } },
						{ doc: aReport(), ctx: { ticket: { group: ticket.group, endedAt: ended } } }
					];
					const withSubject = new AccessModel(windowDays);
					withSubject.set(ticket._id, { rev: '1-a', acl: aclFor(ticket, facts) });
					const event = anEvent();
					for (const minutes of probes) {
						const now = toMillis(at(minutes));
						for (const { doc, ctx } of docs) {
							const context: AccessContext = { now, windowDays, ...ctx };
							expect(readersAt(aclFor(doc, facts).entries, now)).toEqual(
								principalsFor(doc, context)
							);
						}
						const subjectPrincipals = principalsFor(ticket, {
							now,
							windowDays,
							missions: missionFacts
						});
						expect(readersAt(aclFor(event, withSubject).entries, now)).toEqual(
							principalsFor(event, { now, subjectPrincipals })
						);
					}
				}
			)
		);
	});

	it('names the documents the readers were derived from', () => {
		const { ticket, facts } = world(null, 60, 7);
		// …and its escalation facts, written or not yet: their arrival may bring a group in.
		expect(aclFor(ticket, facts).sources).toEqual([
			`event:sla:${ticket._id}:escalated:resolution`,
			`event:sla:${ticket._id}:escalated:response`,
			'mission:M1',
			'mission:M2'
		]);
		expect(aclFor(aClient(), facts).sources).toEqual([
			'grant:G1',
			'mission:M1',
			'mission:M2',
			'ticket:K1'
		]);
		expect(aclFor(aMission(), facts).sources).toEqual([
			`event:sla:${ticket._id}:escalated:resolution`,
			`event:sla:${ticket._id}:escalated:response`,
			'ticket:K1'
		]);
		expect(aclFor(anEvent(), facts).sources).toEqual(['ticket:K1']);
	});

	it('brings in the group an escalation of the server routed the ticket to, and no other', () => {
		const { ticket, facts } = world(null, 60, 7);
		const readers = () => aclFor(ticket, facts).entries.map((e) => e[0]);
		const escalation = (id: string, author: string, group: string) =>
			({
				...anEvent({ ticketId: ticket._id, subjectId: ticket._id }),
				_id: id,
				author,
				kind: 'escalated',
				visibility: 'internal',
				data: { deadline: 'response', from: 1, to: 2, group, told: [] }
			}) as unknown as Parameters<typeof facts.noteFacts>[1];
		expect(readers()).not.toContain('group:security');
		// Not the server's (another author, another id): ignored.
		facts.noteFacts('event:forged', escalation('event:forged', 'system', 'security'));
		const byDevice = `event:sla:${ticket._id}:escalated:response`;
		facts.noteFacts(byDevice, escalation(byDevice, 'user:theo', 'security'));
		expect(readers()).not.toContain('group:security');
		facts.noteFacts(byDevice, escalation(byDevice, 'system', 'security'));
		expect(readers()).toContain('group:security');
		expect(readers()).toContain('group:network');
		// The group works the ticket: it reads its missions, reports and survey too.
		const work = [
			aMission({ ticketId: ticket._id }),
			aReport({ ticketId: ticket._id }),
			aSurvey({ ticketId: ticket._id })
		];
		for (const doc of work)
			expect(
				aclFor(doc as Parameters<typeof aclFor>[0], facts).entries.map((e) => e[0]),
				doc._id
			).toContain('group:security');
		facts.noteFacts(byDevice, null);
		expect(readers()).not.toContain('group:security');
		for (const doc of work)
			expect(
				aclFor(doc as Parameters<typeof aclFor>[0], facts).entries.map((e) => e[0])
			).not.toContain('group:security');
	});

	it('ends a technician’s access to a closed ticket’s mission when the window passes', () => {
		const { missions, facts } = world(60, 60, 7);
		const entries: AclEntry[] = aclFor(missions[0]!, facts).entries;
		const end = toMillis(at(60)) + 7 * DAY * 60_000;
		expect(entries).toContainEqual(['user:theo', null, end]);
		expect(entries).toContainEqual(['role:admin', null, null]);
	});
});

function sorted(list: string[]): string[] {
	return [...list].sort();
}

/** The readers among the entries at `now` (the working-set marks are not readers). */
function readersAt(entries: readonly AclEntry[], now: number): string[] {
	return sorted(principalsAt(entries, now).filter((p) => !isHoldMark(p)));
}
