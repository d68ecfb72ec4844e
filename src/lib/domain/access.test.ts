import fc from 'fast-check';
import { NUMBER_EVENT_PREFIX } from './numbering.ts';
import { describe, expect, it } from 'vitest';
import {
	grantActive,
	missionFact,
	principalsFor,
	userPrincipals,
	visibleTo,
	withinWindow,
	type AccessContext,
	type MissionFact
} from './access.ts';
import {
	aBillingItem,
	aCalendarEntry,
	aClient,
	aConfig,
	aGrant,
	aMission,
	anApprovedGrant,
	anEvent,
	aReport,
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

const DAY = 24 * 60;
const now = at(0);
const theo = people.technician('theo');
const tom = people.technician('tom');
const eric = people.expert(['network']);
const dina = people.dispatcher();

const closedTicket = () =>
	ticketThrough([
		[qualify, actor(dina)],
		[{ type: 'plan', technicianId: 'user:theo' }, actor(dina)],
		[{ type: 'close', solution: 'fait', reportId: 'report:R1' }, actor(theo)]
	]);

describe('userPrincipals', () => {
	it('gives a user their id, their roles and, for experts, their groups', () => {
		expect(userPrincipals(theo)).toEqual(['role:everyone', 'role:technician', 'user:theo']);
		expect(userPrincipals(eric)).toEqual([
			'group:network',
			'role:everyone',
			'role:expert',
			'user:eric'
		]);
		expect(userPrincipals(aUser('t2', ['technician'], { groups: ['network'] }))).not.toContain(
			'group:network'
		);
		expect(userPrincipals(aUser('gone', ['admin'], { disabled: true }))).toEqual([]);
	});

	it('visibleTo matches any principal', () => {
		expect(visibleTo(['role:admin', 'user:theo'], theo)).toBe(true);
		expect(visibleTo(['role:admin', 'group:network'], eric)).toBe(true);
		expect(visibleTo(['role:admin', 'group:network'], theo)).toBe(false);
	});
});

describe('principalsFor', () => {
	it('tickets: desk, group, assignees, creator and the technicians of its missions', () => {
		const t = ticketThrough([
			[qualify, actor(dina)],
			[{ type: 'assign', assignees: ['user:eric'] }, actor(dina)]
		]);
		const ctx: AccessContext = {
			now,
			missions: [
				{ technicianId: 'user:theo', status: 'planned' },
				{ technicianId: 'user:tom', status: 'cancelled' }
			]
		};
		expect(principalsFor(t, ctx)).toEqual([
			'group:network',
			'role:admin',
			'role:dispatcher',
			'user:dina',
			'user:eric',
			'user:theo'
		]);
		expect(principalsFor(aTicket(), { now })).toEqual([
			'role:admin',
			'role:dispatcher',
			'user:dina'
		]);
	});

	it('a technician keeps a closed ticket for the access window, then loses it', () => {
		const t = closedTicket();
		const closedAt = t.closure?.at ?? '';
		const ctx = (minutes: number, windowDays?: number): AccessContext => ({
			now: Date.parse(closedAt) + minutes * 60_000,
			windowDays,
			missions: [{ technicianId: 'user:theo', status: 'done' }]
		});
		expect(principalsFor(t, ctx(7 * DAY - 1))).toContain('user:theo');
		expect(principalsFor(t, ctx(7 * DAY))).not.toContain('user:theo');
		expect(principalsFor(t, ctx(2 * DAY, 1))).not.toContain('user:theo');
		expect(principalsFor(t, ctx(7 * DAY))).toContain('group:network'); // the desk keeps it
	});

	it('clients and technical files: through live missions and approved, unexpired grants', () => {
		const ctx: AccessContext = {
			now,
			missions: [
				{ technicianId: 'user:theo', status: 'planned' },
				{ technicianId: 'user:tom', status: 'done', ticketEndedAt: at(-8 * DAY) },
				{ technicianId: 'user:zoe', status: 'cancelled' }
			],
			grants: [
				{ technicianId: 'user:ana', status: 'approved', expiresAt: at(60) },
				{ technicianId: 'user:bob', status: 'approved', expiresAt: at(-1) },
				{ technicianId: 'user:cyd', status: 'requested' },
				{ technicianId: 'user:dan', status: 'refused' }
			]
		};
		expect(principalsFor(aClient(), ctx)).toEqual([
			'role:admin',
			'role:billing',
			'role:dispatcher',
			'role:expert',
			'user:ana',
			'user:theo'
		]);
		expect(principalsFor(aTechfile(), ctx)).toEqual([
			'role:admin',
			'role:dispatcher',
			'role:expert',
			'user:ana',
			'user:theo'
		]);
		expect(principalsFor(aTechfile(), { now })).toEqual([
			'role:admin',
			'role:dispatcher',
			'role:expert'
		]);
	});

	it('missions and reports: their technician while the ticket is in the window, and its group', () => {
		expect(principalsFor(aMission(), { now, ticket: { group: 'network' } })).toEqual([
			'group:network',
			'role:admin',
			'role:dispatcher',
			'user:theo'
		]);
		expect(principalsFor(aMission({ status: 'cancelled' }), { now })).toEqual([
			'role:admin',
			'role:dispatcher'
		]);
		expect(principalsFor(aMission(), { now, ticket: { endedAt: at(-8 * DAY) } })).not.toContain(
			'user:theo'
		);
		expect(principalsFor(aReport(), { now })).toEqual([
			'role:admin',
			'role:billing',
			'role:dispatcher',
			'user:theo'
		]);
		expect(principalsFor(aReport(), { now, ticket: { endedAt: at(-8 * DAY) } })).not.toContain(
			'user:theo'
		);
	});

	it('events follow their subject, except credential reveals', () => {
		expect(
			principalsFor(anEvent(), { now, subjectPrincipals: ['role:dispatcher', 'user:theo'] })
		).toEqual(['role:admin', 'role:dispatcher', 'user:theo']);
		expect(principalsFor(anEvent(), { now })).toEqual(['role:admin']);
		expect(
			principalsFor(anEvent({ kind: 'credential_reveal', author: 'user:theo' }), {
				now,
				subjectPrincipals: ['role:expert']
			})
		).toEqual(['role:admin', 'user:theo']);
	});

	it('the rest', () => {
		expect(principalsFor(aCalendarEntry(), { now })).toEqual([
			'role:admin',
			'role:dispatcher',
			'user:theo'
		]);
		expect(principalsFor(theo, { now })).toEqual([
			'role:admin',
			'role:dispatcher',
			'role:expert',
			'user:theo'
		]);
		expect(principalsFor(aGrant(), { now })).toEqual(['role:admin', 'user:theo']);
		expect(principalsFor(aConfig('taxonomy'), { now })).toEqual(['role:admin', 'role:everyone']);
		expect(principalsFor(aBillingItem(), { now })).toEqual(['role:admin', 'role:billing']);
	});

	it('admin reads everything; billing reads clients, reports and billing items but no technical file', () => {
		const admin = people.admin();
		const billing = people.billing();
		const docs = [
			aClient(),
			aTechfile(),
			aTicket(),
			anEvent(),
			aMission(),
			aReport(),
			aCalendarEntry(),
			theo,
			aGrant(),
			aConfig('sla'),
			aBillingItem()
		];
		for (const doc of docs)
			expect(visibleTo(principalsFor(doc, { now }), admin), doc._id).toBe(true);
		expect(
			docs.filter((d) => visibleTo(principalsFor(d, { now }), billing)).map((d) => d.type)
		).toEqual(['client', 'report', 'config', 'billing']);
		expect(visibleTo(principalsFor(aTechfile(), { now }), tom)).toBe(false);
	});
});

describe('the commercial service (billing)', () => {
	const billing = people.billing();
	const reads = (doc: Parameters<typeof principalsFor>[0], ctx: Partial<AccessContext> = {}) =>
		visibleTo(principalsFor(doc, { now, ...ctx }), billing);

	it('reads the tickets it bills from once resolved or closed, never while open or cancelled', () => {
		expect(reads(closedTicket())).toBe(true);
		expect(reads(aTicket({ status: 'resolved' }))).toBe(true);
		// Long after the closure: the access window is the technicians', not the billing's.
		expect(reads(closedTicket(), { now: Date.parse(at(0)) + 400 * DAY * 60_000 })).toBe(true);
		for (const status of [
			'new',
			'qualified',
			'assigned',
			'planned',
			'in_progress',
			'pending'
		] as const)
			expect(reads(aTicket({ status })), status).toBe(false);
		expect(reads(aTicket({ status: 'cancelled' }))).toBe(false);
	});

	it('reads a billed ticket’s number, not the rest of its timeline, never a credential reveal', () => {
		const subjectPrincipals = principalsFor(closedTicket(), { now });
		const number = anEvent({ _id: `${NUMBER_EVENT_PREFIX}ticket:K1` });
		expect(reads(number, { subjectPrincipals })).toBe(true);
		expect(reads(anEvent(), { subjectPrincipals })).toBe(false);
		const open = principalsFor(aTicket({ status: 'in_progress' }), { now });
		expect(reads(number, { subjectPrincipals: open })).toBe(false);
		expect(
			reads(anEvent({ kind: 'credential_reveal', author: 'user:dina' }), { subjectPrincipals })
		).toBe(false);
	});

	it('reads items, movements, reports, clients; no technical file, mission, calendar, grant, survey or other profile', () => {
		const movement = {
			_id: 'hourbank:H1',
			type: 'hourbank',
			clientId: 'client:C1',
			ticketId: 'ticket:K1',
			reportId: 'report:R1',
			billingId: 'billing:B1',
			move: 'debit',
			minutes: -60,
			closedAt: at(0),
			at: at(1),
			description: 'Switch remplacé'
		} as const;
		const ctx: Partial<AccessContext> = {
			ticket: { group: 'network', endedAt: at(0) },
			missions: [{ technicianId: 'user:theo', status: 'done' }]
		};
		for (const doc of [aBillingItem(), movement, aReport(), aClient(), aConfig('company')])
			expect(reads(doc, ctx), doc._id).toBe(true);
		for (const doc of [
			aTechfile(),
			aMission(),
			aCalendarEntry(),
			aGrant(),
			anApprovedGrant(at(60 * 24)),
			aSurvey(),
			theo
		])
			expect(reads(doc, ctx), doc._id).toBe(false);
	});
});

describe('satisfaction answers', () => {
	it('are read by the desk (dispatchers, admins, the ticket’s group), not by technicians', () => {
		const readers = principalsFor(aSurvey(), { now, ticket: { group: 'network' } });
		expect(readers).toEqual(['group:network', 'role:admin', 'role:dispatcher']);
		expect(visibleTo(readers, dina)).toBe(true);
		expect(visibleTo(readers, eric)).toBe(true);
		expect(visibleTo(readers, theo)).toBe(false);
		expect(visibleTo(readers, people.billing())).toBe(false);
	});
});

describe('access helpers', () => {
	it('builds mission facts from the documents', () => {
		expect(missionFact(aMission(), closedTicket())).toMatchObject({
			technicianId: 'user:theo',
			status: 'planned',
			ticketEndedAt: closedTicket().closure?.at
		});
		expect(missionFact(aMission())).toEqual({
			technicianId: 'user:theo',
			status: 'planned',
			ticketEndedAt: undefined
		});
		expect(grantActive(anApprovedGrant(at(10)), at(9))).toBe(true);
		expect(grantActive(anApprovedGrant(at(10)), at(10))).toBe(false);
		expect(withinWindow(undefined, { now })).toBe(true);
	});

	it('time only takes access away: readable later means readable earlier (property)', () => {
		const fact = fc.record({
			technicianId: fc.constantFrom('user:theo', 'user:tom'),
			status: fc.constantFrom('planned', 'in_progress', 'done', 'cancelled' as const),
			ticketEndedAt: fc.option(fc.integer({ min: -20 * DAY, max: 20 * DAY }).map(at), {
				nil: undefined
			})
		}) as fc.Arbitrary<MissionFact>;
		fc.assert(
			fc.property(
				fc.array(fact, { maxLength: 5 }),
				fc.integer({ min: -30 * DAY, max: 30 * DAY }),
				fc.integer({ min: 0, max: 30 * DAY }),
				fc.nat(10),
				(missions, t1, gap, days) => {
					const read = (t: number) =>
						principalsFor(aClient(), { now: at(t), windowDays: days, missions }).includes(
							'user:theo'
						);
					if (read(t1 + gap)) expect(read(t1)).toBe(true);
					const expected = missions.some(
						(m) =>
							m.technicianId === 'user:theo' &&
							m.status !== 'cancelled' &&
							(m.ticketEndedAt === undefined ||
								Date.parse(at(t1)) < Date.parse(m.ticketEndedAt) + days * DAY * 60_000)
					);
					expect(read(t1)).toBe(expected);
				}
			)
		);
	});
});
