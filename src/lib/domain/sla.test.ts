import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as v from 'valibot';
import {
	addBusinessMinutes,
	BusinessHoursSchema,
	businessMinutesBetween,
	DEFAULT_BUSINESS_HOURS
} from './business-hours.ts';
import {
	DEFAULT_SLA_POLICY,
	DEFAULT_SLA_TARGETS,
	escalationDue,
	SLA_PRIORITIES,
	SlaPolicySchema,
	slaState
} from './sla.ts';
import type { SlaInput, SlaPause, SlaPriority } from './sla.ts';

const H = DEFAULT_BUSINESS_HOURS;
const P = DEFAULT_SLA_POLICY;
const lunch = v.parse(BusinessHoursSchema, {
	week: Object.fromEntries(
		['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [
			d,
			[
				{ from: '08:30', to: '12:00' },
				{ from: '13:30', to: '17:30' }
			]
		])
	)
});

// Monday 2025-06-16, 10:00 in Paris (CEST).
const MON_10 = '2025-06-16T10:00:00+02:00';

describe('SlaPolicySchema', () => {
	it('defaults', () => {
		expect(P.atRiskRatio).toBe(0.75);
		expect(P.targets).toEqual(DEFAULT_SLA_TARGETS);
		for (const p of SLA_PRIORITIES) {
			expect(P.targets[p].responseMinutes).toBeLessThanOrEqual(P.targets[p].resolutionMinutes);
		}
	});

	it('fills missing priorities and keeps the given ones', () => {
		const p = v.parse(SlaPolicySchema, {
			targets: { P1: { responseMinutes: 15, resolutionMinutes: 120 } }
		});
		expect(p.targets.P1).toEqual({ responseMinutes: 15, resolutionMinutes: 120 });
		expect(p.targets.P2).toEqual(DEFAULT_SLA_TARGETS.P2);
	});

	it('explains bad policies', () => {
		const msg = (input: unknown) => {
			const r = v.safeParse(SlaPolicySchema, input);
			return r.success ? '' : (r.issues[0]?.message ?? '');
		};
		expect(msg({ targets: { P1: { responseMinutes: 300, resolutionMinutes: 240 } } })).toMatch(
			/response target cannot be longer/
		);
		expect(msg({ targets: { P2: { responseMinutes: 0, resolutionMinutes: 240 } } })).toMatch(
			/at least 1/
		);
		expect(msg({ targets: { P2: { responseMinutes: 1.5, resolutionMinutes: 240 } } })).toMatch(
			/whole/
		);
		expect(msg({ atRiskRatio: 1 })).toMatch(/less than 100/);
		expect(msg({ atRiskRatio: 0 })).toMatch(/more than 0/);
	});
});

describe('slaState', () => {
	it('P1 created Monday 10:00: response due 10:30, resolution 14:00', () => {
		const s = slaState({ priority: 'P1', createdAt: MON_10 }, P, H, '2025-06-16T10:10:00+02:00');
		expect(s.response).toMatchObject({
			targetMinutes: 30,
			dueAt: '2025-06-16T08:30:00.000Z',
			elapsedMinutes: 10,
			state: 'ok'
		});
		expect(s.response.ratio).toBeCloseTo(1 / 3);
		expect(s.resolution).toMatchObject({ dueAt: '2025-06-16T12:00:00.000Z', state: 'ok' });
		expect(s.paused).toBe(false);
	});

	it('at risk from 75 % of the target', () => {
		const s = slaState({ priority: 'P1', createdAt: MON_10 }, P, H, '2025-06-16T10:22:30+02:00');
		expect(s.response.state).toBe('at_risk');
		expect(
			slaState({ priority: 'P1', createdAt: MON_10 }, P, H, '2025-06-16T10:22:29+02:00').response
				.state
		).toBe('ok');
	});

	it('breached once the deadline instant has passed, even after closing time', () => {
		const late = slaState(
			{ priority: 'P1', createdAt: '2025-06-16T16:10:00+02:00' },
			P,
			H,
			'2025-06-16T18:00:00+02:00'
		);
		// Response due Tuesday 08:30 + 10 → not yet breached at 18:00 Monday.
		expect(late.response).toMatchObject({
			dueAt: '2025-06-17T06:40:00.000Z',
			state: 'ok',
			elapsedMinutes: 20
		});
		const s = slaState({ priority: 'P1', createdAt: MON_10 }, P, H, '2025-06-16T20:00:00+02:00');
		expect(s.response.state).toBe('breached');
		expect(s.resolution.state).toBe('breached');
		expect(s.resolution.elapsedMinutes).toBe(390);
	});

	it('met or breached once the clock stopped', () => {
		const input: SlaInput = {
			priority: 'P1',
			createdAt: MON_10,
			respondedAt: '2025-06-16T10:25:00+02:00',
			resolvedAt: '2025-06-16T15:00:00+02:00'
		};
		const s = slaState(input, P, H, '2025-06-20T12:00:00+02:00');
		expect(s.response).toMatchObject({
			state: 'met',
			elapsedMinutes: 25,
			stoppedAt: '2025-06-16T08:25:00.000Z'
		});
		expect(s.resolution).toMatchObject({ state: 'breached', elapsedMinutes: 300 });
		expect(s.paused).toBe(false);
	});

	it('a ticket solved at once stops the response clock too', () => {
		const s = slaState(
			{ priority: 'P3', createdAt: MON_10, resolvedAt: '2025-06-16T10:05:00+02:00' },
			P,
			H,
			'2025-06-30T00:00:00Z'
		);
		expect(s.response.state).toBe('met');
		expect(s.resolution.state).toBe('met');
	});

	it('counts across a weekend', () => {
		// P2 (480 min) Friday 15:00: 90 min Friday + 390 Monday → Monday 15:00.
		const s = slaState(
			{ priority: 'P2', createdAt: '2025-06-13T15:00:00+02:00' },
			P,
			H,
			'2025-06-14T12:00:00+02:00'
		);
		expect(s.resolution.dueAt).toBe('2025-06-16T13:00:00.000Z');
		expect(s.resolution.elapsedMinutes).toBe(90);
	});

	it('counts across a holiday and the DST change', () => {
		// Wed 30 April 15:00, P2: May 1 is closed → Friday 2 May 15:00.
		expect(
			slaState(
				{ priority: 'P2', createdAt: '2025-04-30T15:00:00+02:00' },
				P,
				H,
				'2025-04-30T15:00:00+02:00'
			).resolution.dueAt
		).toBe('2025-05-02T13:00:00.000Z');
		// Friday 28 March 16:00 CET, P1 response (30) → Monday 31 March 08:30 CEST.
		expect(
			slaState(
				{ priority: 'P1', createdAt: '2025-03-28T16:00:00+01:00' },
				P,
				H,
				'2025-03-28T16:00:00+01:00'
			).response.dueAt
		).toBe('2025-03-28T15:30:00.000Z');
		expect(
			slaState(
				{ priority: 'P1', createdAt: '2025-03-28T16:10:00+01:00' },
				P,
				H,
				'2025-03-28T16:10:00+01:00'
			).response.dueAt
		).toBe('2025-03-31T06:40:00.000Z');
	});

	it('counts around the lunch break', () => {
		const s = slaState(
			{ priority: 'P2', createdAt: '2025-06-16T11:00:00+02:00' },
			P,
			lunch,
			'2025-06-16T14:00:00+02:00'
		);
		expect(s.response.dueAt).toBe('2025-06-16T10:00:00.000Z'); // 11:00 + 60 → 12:00, before the break
		expect(s.response.elapsedMinutes).toBe(90);
		expect(s.response.state).toBe('breached');
	});
});

describe('pauses', () => {
	it('a closed pause pushes the deadline back by its business time', () => {
		const pauses: SlaPause[] = [
			{ from: '2025-06-16T11:00:00+02:00', to: '2025-06-16T13:00:00+02:00' }
		];
		const s = slaState(
			{ priority: 'P1', createdAt: MON_10, pauses },
			P,
			H,
			'2025-06-16T13:30:00+02:00'
		);
		expect(s.resolution.dueAt).toBe('2025-06-16T14:00:00.000Z'); // 14:00 + 2 h
		expect(s.resolution.elapsedMinutes).toBe(90);
		expect(s.response.dueAt).toBe('2025-06-16T08:30:00.000Z'); // before the pause
	});

	it('an open pause stops the clock until now', () => {
		const pauses: SlaPause[] = [{ from: '2025-06-16T11:00:00+02:00' }];
		const s = slaState(
			{ priority: 'P1', createdAt: MON_10, respondedAt: '2025-06-16T10:05:00+02:00', pauses },
			P,
			H,
			'2025-06-17T10:00:00+02:00'
		);
		expect(s.paused).toBe(true);
		expect(s.resolution.elapsedMinutes).toBe(60);
		expect(s.resolution.state).toBe('ok');
		// If resumed now (Tue 10:00), 180 minutes remain → Tue 13:00.
		expect(s.resolution.dueAt).toBe('2025-06-17T11:00:00.000Z');
	});

	it('a pause in the future of now, or over closed hours, changes nothing', () => {
		const base = slaState({ priority: 'P1', createdAt: MON_10 }, P, H, MON_10);
		const night = slaState(
			{
				priority: 'P1',
				createdAt: MON_10,
				pauses: [{ from: '2025-06-16T17:00:00+02:00', to: '2025-06-17T08:00:00+02:00' }]
			},
			P,
			H,
			MON_10
		);
		expect(night.resolution.dueAt).toBe(base.resolution.dueAt);
		const future = slaState(
			{ priority: 'P1', createdAt: MON_10, pauses: [{ from: '2025-06-16T12:00:00+02:00' }] },
			P,
			H,
			'2025-06-16T11:00:00+02:00'
		);
		expect(future.paused).toBe(false);
		expect(future.resolution.dueAt).toBe(base.resolution.dueAt);
	});

	it('overlapping pauses count once; a pause before creation is clipped', () => {
		const pauses: SlaPause[] = [
			{ from: '2025-06-16T09:00:00+02:00', to: '2025-06-16T10:30:00+02:00' },
			{ from: '2025-06-16T11:00:00+02:00', to: '2025-06-16T12:00:00+02:00' },
			{ from: '2025-06-16T11:30:00+02:00', to: '2025-06-16T12:30:00+02:00' }
		];
		const s = slaState(
			{ priority: 'P1', createdAt: MON_10, pauses },
			P,
			H,
			'2025-06-16T13:00:00+02:00'
		);
		expect(s.resolution.elapsedMinutes).toBe(180 - 30 - 90);
		expect(s.resolution.dueAt).toBe('2025-06-16T14:00:00.000Z'); // 14:00 + 2 h
	});

	it('a pause after a breach does not undo it', () => {
		const s = slaState(
			{ priority: 'P1', createdAt: MON_10, pauses: [{ from: '2025-06-16T11:00:00+02:00' }] },
			P,
			H,
			'2025-06-16T12:00:00+02:00'
		);
		expect(s.response.state).toBe('breached');
		expect(s.paused).toBe(true);
	});
});

describe('escalationDue', () => {
	const now = '2025-06-16T11:00:00+02:00';
	it('escalates a missed response from level 1 to 2', () => {
		expect(escalationDue({ priority: 'P1', createdAt: MON_10, level: 1 }, P, H, now)).toEqual({
			escalate: true,
			from: 1,
			to: 2,
			deadline: 'response',
			dueAt: '2025-06-16T08:30:00.000Z'
		});
	});

	it('escalates each deadline once, then the resolution deadline to level 3', () => {
		const input = {
			priority: 'P1' as SlaPriority,
			createdAt: MON_10,
			level: 2 as const,
			escalatedFor: ['response' as const]
		};
		expect(escalationDue(input, P, H, now)).toEqual({ escalate: false, reason: 'not_due' });
		expect(escalationDue(input, P, H, '2025-06-16T14:01:00+02:00')).toMatchObject({
			escalate: true,
			from: 2,
			to: 3,
			deadline: 'resolution'
		});
		expect(
			escalationDue(
				{ ...input, escalatedFor: ['response', 'resolution'] },
				P,
				H,
				'2025-06-17T14:01:00+02:00'
			)
		).toEqual({ escalate: false, reason: 'not_due' });
	});

	it('a responded ticket escalates only on resolution', () => {
		const input = {
			priority: 'P1' as SlaPriority,
			createdAt: MON_10,
			respondedAt: '2025-06-16T11:00:00+02:00',
			level: 1 as const
		};
		expect(escalationDue(input, P, H, '2025-06-16T12:00:00+02:00')).toEqual({
			escalate: false,
			reason: 'not_due'
		});
		expect(escalationDue(input, P, H, '2025-06-16T15:00:00+02:00')).toMatchObject({
			escalate: true,
			deadline: 'resolution',
			to: 2
		});
	});

	it('never from level 3, a resolved or a pending ticket', () => {
		expect(escalationDue({ priority: 'P1', createdAt: MON_10, level: 3 }, P, H, now)).toEqual({
			escalate: false,
			reason: 'top_level'
		});
		expect(
			escalationDue(
				{ priority: 'P1', createdAt: MON_10, resolvedAt: '2025-06-16T10:50:00+02:00', level: 1 },
				P,
				H,
				now
			)
		).toEqual({ escalate: false, reason: 'resolved' });
		expect(
			escalationDue(
				{
					priority: 'P1',
					createdAt: MON_10,
					pauses: [{ from: '2025-06-16T10:40:00+02:00' }],
					level: 1
				},
				P,
				H,
				now
			)
		).toEqual({ escalate: false, reason: 'paused' });
	});
});

describe('properties', () => {
	const instant = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) });
	const priority = fc.constantFrom<SlaPriority>(...SLA_PRIORITIES);
	const pausesArb = (start: number) =>
		fc.array(
			fc
				.tuple(
					fc.integer({ min: 0, max: 20 * 86_400_000 }),
					fc.integer({ min: 1, max: 3 * 86_400_000 })
				)
				.map(([off, len]): SlaPause => ({
					from: new Date(start + off).toISOString(),
					to: new Date(start + off + len).toISOString()
				})),
			{ maxLength: 4 }
		);
	const ticket = instant.chain((created) =>
		fc.record({ created: fc.constant(created), priority, pauses: pausesArb(created) })
	);

	it('at the due instant exactly the target has elapsed, pauses excluded', () => {
		fc.assert(
			fc.property(ticket, ({ created, priority: p, pauses }) => {
				const input: SlaInput = { priority: p, createdAt: new Date(created).toISOString(), pauses };
				const far = created + 400 * 86_400_000;
				const { resolution } = slaState(input, P, H, far);
				const at = slaState(input, P, H, resolution.dueAt).resolution;
				expect(at.elapsedMinutes).toBeCloseTo(P.targets[p].resolutionMinutes, 6);
				expect(at.state).toBe('at_risk');
				expect(slaState(input, P, H, Date.parse(resolution.dueAt) + 1).resolution.state).toBe(
					'breached'
				);
			}),
			{ numRuns: 200 }
		);
	});

	it('without pauses the deadline is plain business-time addition', () => {
		fc.assert(
			fc.property(instant, priority, (created, p) => {
				const s = slaState(
					{ priority: p, createdAt: new Date(created).toISOString() },
					P,
					H,
					created
				);
				expect(s.response.dueAt).toBe(
					addBusinessMinutes(created, P.targets[p].responseMinutes, H).toISOString()
				);
				expect(businessMinutesBetween(created, s.resolution.dueAt, H)).toBe(
					P.targets[p].resolutionMinutes
				);
			}),
			{ numRuns: 200 }
		);
	});

	it('pauses never bring a deadline forward', () => {
		fc.assert(
			fc.property(ticket, ({ created, priority: p, pauses }) => {
				const createdAt = new Date(created).toISOString();
				const now = created + 60 * 86_400_000;
				const plain = slaState({ priority: p, createdAt }, P, H, now);
				const paused = slaState({ priority: p, createdAt, pauses }, P, H, now);
				expect(Date.parse(paused.resolution.dueAt)).toBeGreaterThanOrEqual(
					Date.parse(plain.resolution.dueAt)
				);
				expect(paused.resolution.elapsedMinutes).toBeLessThanOrEqual(
					plain.resolution.elapsedMinutes
				);
			}),
			{ numRuns: 200 }
		);
	});
});

describe('performance', () => {
	it('computes the SLA of 10,000 tickets quickly', () => {
		const rnd = fc.sample(
			fc.record({
				created: fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2025, 11, 1) }),
				priority: fc.constantFrom<SlaPriority>(...SLA_PRIORITIES),
				pause: fc.boolean()
			}),
			{ numRuns: 10_000, seed: 42 }
		);
		const tickets: SlaInput[] = rnd.map((r) => ({
			priority: r.priority,
			createdAt: new Date(r.created).toISOString(),
			pauses: r.pause
				? [
						{
							from: new Date(r.created + 3_600_000).toISOString(),
							to: new Date(r.created + 90_000_000).toISOString()
						}
					]
				: []
		}));
		const now = Date.UTC(2025, 11, 15);
		const t0 = performance.now();
		let breached = 0;
		for (const t of tickets) if (slaState(t, P, H, now).resolution.state === 'breached') breached++;
		const ms = performance.now() - t0;
		console.info(`SLA of 10,000 tickets: ${ms.toFixed(0)} ms`);
		expect(breached).toBeGreaterThan(0);
		expect(ms).toBeLessThan(5000);
	});
});
