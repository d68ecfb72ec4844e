import { describe, expect, it } from 'vitest';
import {
	aCalendarEntry,
	aClient,
	aMission,
	aReport,
	aTechfile,
	anEvent,
	aTicket,
	aUser,
	people,
	T0
} from './testing/factories.ts';
import {
	AGING,
	agingFrom,
	HOLD_ALL,
	HOLD_BILLED,
	HOLD_DIRECTORY,
	HOLD_EVERY_TICKET,
	HOLD_PLANNING,
	HOLD_QUEUE,
	holdMarksFor,
	holdTeam,
	inWorkingSet,
	ticketHoldMarks,
	userHolds,
	workingSetDaysFor
} from './working-set.ts';

const DAY = 86_400_000;
const now = Date.parse(T0);

describe('userHolds', () => {
	it('a technician’s device is not filtered; a disabled user holds nothing', () => {
		expect(userHolds(people.technician())).toBeNull();
		expect(userHolds({ ...people.dispatcher(), disabled: true })).toEqual([]);
	});

	it('a dispatcher in a group holds that group and the intake queue; in none, every ticket', () => {
		const grouped = userHolds(aUser('d', ['dispatcher'], { groups: ['hotline'] }))!;
		expect(grouped).toEqual(
			expect.arrayContaining([HOLD_ALL, HOLD_PLANNING, HOLD_QUEUE, 'hold:group:hotline'])
		);
		expect(grouped).not.toContain(HOLD_EVERY_TICKET);
		expect(userHolds(people.dispatcher())).toContain(HOLD_EVERY_TICKET);
	});

	it('an expert holds their groups (not the queue), billing the billed tickets', () => {
		const expert = userHolds(people.expert(['network']))!;
		expect(expert).toContain('hold:pool:network');
		expect(expert).not.toContain('hold:group:network');
		expect(expert).not.toContain(HOLD_QUEUE);
		expect(expert).not.toContain(HOLD_PLANNING);
		expect(userHolds(people.billing())).toContain(HOLD_BILLED);
		expect(userHolds(people.admin())).toEqual([
			HOLD_ALL,
			HOLD_DIRECTORY,
			HOLD_QUEUE,
			'hold:user:ada'
		]);
	});
});

describe('teams', () => {
	const team = {
		team: 'agence-lyon',
		clients: ['client:C1'],
		technicians: ['user:theo']
	};
	const dispatcher = aUser('d', ['dispatcher'], { groups: ['hotline'] });
	const held = (doc: Parameters<typeof holdMarksFor>[0], holds: string[], ticket?: string[]) =>
		holdMarksFor(doc, { now: T0, ...(ticket ? { ticket: { holds: ticket } } : {}) }).some((m) =>
			holds.includes(m)
		);

	it('a dispatcher in a team holds its clients’ tickets and the intake with no client, not others’', () => {
		const holds = userHolds(dispatcher, team)!;
		const mine = aTicket({ group: 'hotline', clientId: 'client:C1' });
		const other = aTicket({ group: 'hotline', clientId: 'client:C2' });
		const intake = aTicket({ clientId: undefined });
		expect(held(mine, holds)).toBe(true);
		expect(held(other, holds)).toBe(false);
		expect(held(intake, holds)).toBe(true);
		// The same dispatcher in no team holds both.
		const plain = userHolds(dispatcher)!;
		expect(held(other, plain)).toBe(true);
		// What hangs on a ticket follows it (its marks, through the ticket's facts).
		const report = aReport();
		expect(held(report, holds, ticketHoldMarks(other))).toBe(false);
		expect(held(report, holds, ticketHoldMarks(mine))).toBe(true);
	});

	it('the planning of the team’s technicians only', () => {
		const holds = userHolds(dispatcher, team)!;
		const start = new Date(now + DAY).toISOString();
		const end = new Date(now + DAY + 3_600_000).toISOString();
		const theirs = aMission({ technicianId: 'user:theo', start, end });
		const others = aMission({ technicianId: 'user:zoe', start, end });
		expect(held(theirs, holds, [])).toBe(true);
		expect(held(others, holds, [])).toBe(false);
		expect(held(aCalendarEntry({ technicianId: 'user:zoe', start, end }), holds)).toBe(false);
		expect(held(aCalendarEntry({ technicianId: 'user:theo', start, end }), holds)).toBe(true);
	});

	it('clients and people: their team’s and those in no team; in no team, all of them', () => {
		const holds = userHolds(dispatcher, team)!;
		const plain = userHolds(dispatcher)!;
		expect(holdMarksFor(aClient({ team: 'agence-lyon' }), { now: T0 })).toEqual([
			HOLD_DIRECTORY,
			holdTeam('agence-lyon')
		]);
		expect(held(aClient({ team: 'agence-lyon' }), holds)).toBe(true);
		expect(held(aClient({ _id: 'client:C2', team: 'agence-paris' }), holds)).toBe(false);
		expect(held(aClient(), holds)).toBe(true);
		const lyon = { ...people.technician(), team: 'agence-lyon' };
		const paris = { ...people.technician(), team: 'agence-paris' };
		expect(held(lyon, holds)).toBe(true);
		expect(held(paris, holds)).toBe(false);
		expect(held(people.technician(), holds)).toBe(true);
		expect(held(paris, plain)).toBe(true);
		expect(holds).not.toContain(HOLD_DIRECTORY);
		expect(holds).toContain(holdTeam('agence-lyon'));
	});
});

describe('hold marks', () => {
	it('a ticket: every-ticket, its group or the queue, its people, billed once resolved or closed', () => {
		const t = aTicket({ group: 'network', assignees: ['user:eric'] });
		expect(ticketHoldMarks(t).sort()).toEqual(
			[
				HOLD_EVERY_TICKET,
				'hold:group:network',
				'hold:user:eric',
				'hold:user:dina',
				// The same scopes narrowed to its client, for the client's team.
				`${HOLD_EVERY_TICKET}@client:C1`,
				'hold:group:network@client:C1'
			].sort()
		);
		// Nobody on it yet: in the group's pool too.
		expect(ticketHoldMarks({ ...t, assignees: [] })).toContain('hold:pool:network');
		expect(ticketHoldMarks(aTicket())).toContain(HOLD_QUEUE);
		expect(ticketHoldMarks({ ...t, status: 'resolved' })).toContain(HOLD_BILLED);
		// "requester" and "system" are not people with devices.
		expect(ticketHoldMarks({ ...t, createdBy: 'requester' })).not.toContain('hold:requester');
	});

	it('an escalation’s group holds the ticket and what hangs on it', () => {
		const escalated = holdMarksFor(aTicket({ assignees: ['user:eric'] }), {
			now,
			escalatedTo: ['n3']
		});
		// Its experts hold it though someone took it already.
		expect(escalated).toEqual(expect.arrayContaining(['hold:group:n3', 'hold:pool:n3']));
		const marks = holdMarksFor(aMission(), {
			now,
			ticket: { holds: ['hold:queue'] },
			escalatedTo: ['n3']
		});
		expect(marks).toEqual(expect.arrayContaining(['hold:queue', 'hold:group:n3', HOLD_PLANNING]));
	});

	it('an event takes its subject’s marks; a credential reveal only its author’s', () => {
		const subject = ['role:dispatcher', 'hold:group:network', AGING];
		expect(holdMarksFor(anEvent(), { now, subjectPrincipals: subject })).toEqual([
			'hold:group:network',
			AGING
		]);
		// A mission on the planning: its timeline is not (it comes with the ticket's marks).
		expect(
			holdMarksFor(anEvent(), { now, subjectPrincipals: [HOLD_PLANNING, 'hold:queue'] })
		).toEqual(['hold:queue']);
		const reveal = anEvent({ kind: 'credential_reveal', author: 'user:theo', data: {} });
		expect(holdMarksFor(reveal, { now, subjectPrincipals: subject })).toEqual(['hold:user:theo']);
	});

	it('referentials, clients and people: held by every desk user; technical files by none', () => {
		expect(holdMarksFor(people.admin(), { now })).toEqual([HOLD_ALL]);
		expect(holdMarksFor(aTechfile(), { now })).toEqual([]);
		// …but a technician who also works at the desk keeps those of their missions.
		const missions = [{ technicianId: 'user:theo', status: 'planned' as const }];
		expect(holdMarksFor(aTechfile(), { now, missions })).toEqual(['hold:user:theo']);
	});
});

describe('workingSetDaysFor', () => {
	it('billing keeps ended tickets a quarter; the others the referential’s days', () => {
		expect(workingSetDaysFor(people.billing(), 14)).toBe(92);
		expect(workingSetDaysFor(people.billing(), 120)).toBe(120);
		expect(workingSetDaysFor(people.dispatcher(), 14)).toBe(14);
	});
});

describe('planning', () => {
	it('a mission is on the planning from 14 days before it to 7 days after', () => {
		const mission = aMission();
		const start = Date.parse(mission.start);
		const end = Date.parse(mission.end);
		const marks = (t: number) => holdMarksFor(mission, { now: t });
		expect(marks(start - 15 * DAY)).not.toContain(HOLD_PLANNING);
		expect(marks(start - 13 * DAY)).toContain(HOLD_PLANNING);
		expect(marks(end + 6 * DAY)).toContain(HOLD_PLANNING);
		expect(marks(end + 8 * DAY)).not.toContain(HOLD_PLANNING);
		// Its technician keeps it whatever the date.
		expect(marks(end + 80 * DAY)).toContain(`hold:${mission.technicianId}`);
	});
});

describe('aging', () => {
	it('an ended ticket from its end, what hangs on it with it, a calendar entry from its end', () => {
		const closedAt = new Date(now - 3 * DAY).toISOString();
		expect(agingFrom(aTicket())).toBeUndefined();
		expect(
			agingFrom({
				...aTicket(),
				status: 'cancelled',
				cancellation: { by: 'user:dina', at: closedAt, reason: 'doublon' }
			})
		).toBe(closedAt);
		expect(agingFrom(aMission(), closedAt)).toBe(closedAt);
		const entry = aCalendarEntry();
		expect(agingFrom(entry)).toBe(entry.end);
	});

	it('inWorkingSet: a held mark valid now, and not aged past the days', () => {
		const holds = new Set(['hold:group:network']);
		const ended = now - 10 * DAY;
		const entries = [
			['role:dispatcher', null, null],
			['hold:group:network', null, null],
			[AGING, ended, null]
		] as const;
		expect(inWorkingSet(entries, holds, now, 14)).toBe(true);
		expect(inWorkingSet(entries, holds, now, 7)).toBe(false);
		expect(inWorkingSet(entries, new Set(['hold:group:other']), now, 14)).toBe(false);
		// A reader principal is not a mark: reading does not make it held.
		expect(inWorkingSet(entries, new Set(['role:dispatcher']), now, 14)).toBe(false);
		// A mark that ended (a ticket moved to another group) no longer holds.
		expect(inWorkingSet([['hold:group:network', null, now - 1]], holds, now)).toBe(false);
	});
});
