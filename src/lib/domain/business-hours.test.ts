import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as v from 'valibot';
import {
	addBusinessMinutes,
	BusinessHoursSchema,
	businessMinutesBetween,
	DEFAULT_BUSINESS_HOURS,
	isOpen,
	nextOpening,
	parseHhmm,
	toMs
} from './business-hours.ts';
import type { BusinessHours, BusinessHoursInput } from './business-hours.ts';
import { holidayDates } from './holidays.ts';

const H = DEFAULT_BUSINESS_HOURS;
const parse = (input: BusinessHoursInput): BusinessHours => v.parse(BusinessHoursSchema, input);
const iso = (d: Date) => d.toISOString();

const lunch = parse({
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
const allWeek = [{ from: '00:00', to: '24:00' }];
const always = parse({
	week: {
		mon: allWeek,
		tue: allWeek,
		wed: allWeek,
		thu: allWeek,
		fri: allWeek,
		sat: allWeek,
		sun: allWeek
	},
	holidays: 'none'
});
const newYork = parse({ timeZone: 'America/New_York', holidays: 'none' });
const alsace = parse({ holidays: 'fr-alsace-moselle', closedDates: ['2025-12-24'] });

function messages(input: unknown): string[] {
	const r = v.safeParse(BusinessHoursSchema, input);
	return r.success ? [] : r.issues.map((i) => i.message);
}

describe('BusinessHoursSchema', () => {
	it('defaults to Mon–Fri 08:30–16:30 in Europe/Paris with French holidays', () => {
		expect(H).toEqual({
			timeZone: 'Europe/Paris',
			week: {
				mon: [{ from: '08:30', to: '16:30' }],
				tue: [{ from: '08:30', to: '16:30' }],
				wed: [{ from: '08:30', to: '16:30' }],
				thu: [{ from: '08:30', to: '16:30' }],
				fri: [{ from: '08:30', to: '16:30' }],
				sat: [],
				sun: []
			},
			holidays: 'fr',
			closedDates: []
		});
	});

	it('explains bad configurations in words', () => {
		expect(messages({ week: { mon: [{ from: '8h30', to: '16:30' }] } })[0]).toMatch(/HH:MM/);
		expect(messages({ week: { mon: [{ from: '16:30', to: '08:30' }] } })[0]).toMatch(
			/end after it starts/
		);
		expect(
			messages({
				week: {
					mon: [
						{ from: '08:30', to: '12:00' },
						{ from: '11:00', to: '16:30' }
					]
				}
			})[0]
		).toMatch(/must not overlap/);
		const closed = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
		expect(messages({ week: closed })[0]).toMatch(/At least one day/);
		expect(messages({ timeZone: 'Paris' })[0]).toMatch(/IANA/);
		expect(messages({ timeZone: 'Europe/Atlantis' })[0]).toMatch(/not known/);
		expect(messages({ holidays: 'de' })[0]).toMatch(/fr-alsace-moselle/);
		expect(messages({ closedDates: ['24/12/2025'] })[0]).toMatch(/YYYY-MM-DD/);
		expect(messages({ timeZone: 'UTC' })).toEqual([]);
	});

	it('parses HH:MM including 24:00', () => {
		expect(parseHhmm('00:00')).toBe(0);
		expect(parseHhmm('08:30')).toBe(510);
		expect(parseHhmm('24:00')).toBe(1440);
		expect(() => parseHhmm('24:30')).toThrow(RangeError);
	});

	it('refuses invalid instants', () => {
		expect(() => toMs('not a date')).toThrow(/Not a valid date/);
		expect(toMs(0)).toBe(0);
		expect(toMs(new Date(5))).toBe(5);
	});
});

describe('isOpen / nextOpening', () => {
	it('opening intervals are half-open', () => {
		expect(isOpen('2025-06-02T08:29:59+02:00', H)).toBe(false);
		expect(isOpen('2025-06-02T08:30:00+02:00', H)).toBe(true);
		expect(isOpen('2025-06-02T16:29:59+02:00', H)).toBe(true);
		expect(isOpen('2025-06-02T16:30:00+02:00')).toBe(false);
	});

	it('weekends, holidays and closed dates are closed', () => {
		expect(isOpen('2025-06-07T10:00:00+02:00', H)).toBe(false); // Saturday
		expect(isOpen('2025-05-01T10:00:00+02:00', H)).toBe(false); // Labour Day
		expect(isOpen('2025-12-26T10:00:00+01:00', H)).toBe(true);
		expect(isOpen('2025-12-26T10:00:00+01:00', alsace)).toBe(false);
		expect(isOpen('2025-12-24T10:00:00+01:00', alsace)).toBe(false);
		expect(isOpen('2025-05-01T16:00:00+02:00', newYork)).toBe(true);
	});

	it('lunch break closes the desk', () => {
		expect(isOpen('2025-06-02T12:30:00+02:00', lunch)).toBe(false);
		expect(iso(nextOpening('2025-06-02T12:30:00+02:00', lunch))).toBe('2025-06-02T11:30:00.000Z');
	});

	it('next opening skips nights, weekends and holidays', () => {
		expect(iso(nextOpening('2025-06-02T10:00:00+02:00', H))).toBe('2025-06-02T08:00:00.000Z');
		expect(iso(nextOpening('2025-06-13T17:00:00+02:00', H))).toBe('2025-06-16T06:30:00.000Z');
		// Whit Monday 2025-06-09 is a holiday: Friday evening → Tuesday.
		expect(iso(nextOpening('2025-06-06T17:00:00+02:00', H))).toBe('2025-06-10T06:30:00.000Z');
		// Easter weekend then Easter Monday 2025-04-21: opens Tuesday.
		expect(iso(nextOpening('2025-04-18T18:00:00+02:00'))).toBe('2025-04-22T06:30:00.000Z');
		// New York desk: 08:30 EDT.
		expect(iso(nextOpening('2025-03-10T05:00:00Z', newYork))).toBe('2025-03-10T12:30:00.000Z');
	});
});

describe('addBusinessMinutes', () => {
	it('lands at the end of the interval rather than the next morning', () => {
		expect(iso(addBusinessMinutes('2025-06-02T15:30:00+02:00', 60, H))).toBe(
			'2025-06-02T14:30:00.000Z'
		);
	});

	it('DST spring-forward: Friday 16:00 + 60 → Monday 09:00 CEST', () => {
		const due = addBusinessMinutes('2025-03-28T16:00:00+01:00', 60, H);
		expect(iso(due)).toBe('2025-03-31T07:00:00.000Z');
		expect(businessMinutesBetween('2025-03-28T16:00:00+01:00', due, H)).toBe(60);
		// 2026: the change is on March 29.
		expect(iso(addBusinessMinutes('2026-03-27T16:00:00+01:00', 60, H))).toBe(
			'2026-03-30T07:00:00.000Z'
		);
	});

	it('DST fall-back: Friday 16:00 + 60 → Monday 09:00 CET', () => {
		expect(iso(addBusinessMinutes('2025-10-24T16:00:00+02:00', 60, H))).toBe(
			'2025-10-27T08:00:00.000Z'
		);
	});

	it('skips holidays', () => {
		// Wed 30 April 16:00 + 60 → Fri 2 May 09:00 (May 1 closed).
		expect(iso(addBusinessMinutes('2025-04-30T16:00:00+02:00', 60, H))).toBe(
			'2025-05-02T07:00:00.000Z'
		);
		// Christmas week in Alsace with Dec 24 closed: Tue 23 16:00 + 60 → Mon 29 09:00.
		expect(iso(addBusinessMinutes('2025-12-23T16:00:00+01:00', 60, alsace))).toBe(
			'2025-12-29T08:00:00.000Z'
		);
	});

	it('skips the lunch break', () => {
		expect(iso(addBusinessMinutes('2025-06-02T11:30:00+02:00', 60, lunch))).toBe(
			'2025-06-02T12:00:00.000Z'
		);
		expect(iso(addBusinessMinutes('2025-06-02T12:15:00+02:00', 15, lunch))).toBe(
			'2025-06-02T11:45:00.000Z'
		);
	});

	it('starting outside hours counts from the next opening', () => {
		expect(iso(addBusinessMinutes('2025-06-14T23:00:00+02:00', 30, H))).toBe(
			'2025-06-16T07:00:00.000Z'
		);
	});

	it('zero minutes is the identity; negative or NaN minutes are refused', () => {
		expect(iso(addBusinessMinutes('2025-06-07T23:00:00+02:00', 0, H))).toBe(
			'2025-06-07T21:00:00.000Z'
		);
		expect(() => addBusinessMinutes('2025-06-02T10:00:00Z', -1, H)).toThrow(RangeError);
		expect(() => addBusinessMinutes('2025-06-02T10:00:00Z', Number.NaN, H)).toThrow(RangeError);
	});

	it('a long target spans weeks', () => {
		// 10 business days of 8 h from Monday 08:30 → Friday of the next week 16:30.
		expect(iso(addBusinessMinutes('2025-06-16T08:30:00+02:00', 4800, H))).toBe(
			'2025-06-27T14:30:00.000Z'
		);
	});

	it('a schedule that never opens is an error, not an endless loop', () => {
		const never = { ...H, week: { ...H.week, mon: [], tue: [], wed: [], thu: [], fri: [] } };
		expect(() => addBusinessMinutes('2025-06-02T10:00:00Z', 5, never)).toThrow(/never open/);
		expect(() => nextOpening('2025-06-02T10:00:00Z', never)).toThrow(/never open/);
	});
});

describe('real time-zone arithmetic', () => {
	it('a 24/7 desk has a 23-hour day in March and a 25-hour day in October', () => {
		expect(
			businessMinutesBetween('2025-03-30T00:00:00+01:00', '2025-03-31T00:00:00+02:00', always)
		).toBe(23 * 60);
		expect(
			businessMinutesBetween('2025-10-26T00:00:00+02:00', '2025-10-27T00:00:00+01:00', always)
		).toBe(25 * 60);
	});

	it('an opening time inside the spring gap is read after the change', () => {
		const sunday = parse({ week: { sun: [{ from: '02:00', to: '04:00' }] }, holidays: 'none' });
		// 02:00 does not exist on 2025-03-30: the desk opens at 03:00 CEST.
		expect(iso(nextOpening('2025-03-30T00:00:00+01:00', sunday))).toBe('2025-03-30T01:00:00.000Z');
		expect(businessMinutesBetween('2025-03-29T00:00:00Z', '2025-03-31T00:00:00Z', sunday)).toBe(60);
	});

	it('an interval across the autumn change lasts its real duration', () => {
		const sunday = parse({ week: { sun: [{ from: '01:30', to: '05:00' }] }, holidays: 'none' });
		// 01:30 CEST (23:30Z) to 05:00 CET (04:00Z): 4 h 30.
		expect(businessMinutesBetween('2025-10-25T12:00:00Z', '2025-10-26T12:00:00Z', sunday)).toBe(
			270
		);
	});

	it('New York changes on its own dates', () => {
		// US DST began 2025-03-09: Friday 16:00 EST + 60 → Monday 09:00 EDT.
		expect(iso(addBusinessMinutes('2025-03-07T16:00:00-05:00', 60, newYork))).toBe(
			'2025-03-10T13:00:00.000Z'
		);
	});
});

describe('businessMinutesBetween', () => {
	it('counts only opening hours', () => {
		expect(
			businessMinutesBetween('2025-06-13T15:00:00+02:00', '2025-06-16T09:30:00+02:00', H)
		).toBe(150);
		expect(
			businessMinutesBetween('2025-06-02T00:00:00+02:00', '2025-06-09T00:00:00+02:00', lunch)
		).toBe(5 * 450);
	});

	it('is antisymmetric', () => {
		expect(
			businessMinutesBetween('2025-06-16T09:30:00+02:00', '2025-06-13T15:00:00+02:00', H)
		).toBe(-150);
		expect(
			businessMinutesBetween('2025-06-09T09:30:00+02:00', '2025-06-09T09:30:00+02:00', H)
		).toBe(0);
	});
});

// ---- properties --------------------------------------------------------------------

const configs: Array<[string, BusinessHours]> = [
	['default', H],
	['lunch', lunch],
	['alsace', alsace],
	['newYork', newYork],
	['always', always]
];
const hoursArb = fc.constantFrom(...configs);
// 2019–2031 covers many DST changes and every moveable holiday pattern around them.
const instantArb = fc.integer({ min: Date.UTC(2019, 0, 1), max: Date.UTC(2031, 0, 1) });
const minutesArb = fc.integer({ min: 1, max: 6000 });

describe('properties', () => {
	it('measuring what was added gives back the minutes', () => {
		fc.assert(
			fc.property(hoursArb, instantArb, fc.integer({ min: 0, max: 20_000 }), ([, h], s, m) => {
				expect(businessMinutesBetween(s, addBusinessMinutes(s, m, h), h)).toBe(m);
			}),
			{ numRuns: 500 }
		);
	});

	it('is monotonic in minutes and in start', () => {
		fc.assert(
			fc.property(
				hoursArb,
				instantArb,
				instantArb,
				minutesArb,
				minutesArb,
				([, h], s1, s2, m1, m2) => {
					const [a, b] = s1 <= s2 ? [s1, s2] : [s2, s1];
					const [x, y] = m1 <= m2 ? [m1, m2] : [m2, m1];
					expect(addBusinessMinutes(a, x, h).getTime()).toBeLessThanOrEqual(
						addBusinessMinutes(a, y, h).getTime()
					);
					expect(addBusinessMinutes(a, x, h).getTime()).toBeLessThanOrEqual(
						addBusinessMinutes(b, x, h).getTime()
					);
				}
			),
			{ numRuns: 300 }
		);
	});

	it('results fall inside opening hours or at the end of an interval', () => {
		fc.assert(
			fc.property(hoursArb, instantArb, minutesArb, ([, h], s, m) => {
				const r = addBusinessMinutes(s, m, h).getTime();
				expect(isOpen(r - 1, h)).toBe(true);
				expect(r).toBeGreaterThan(s);
			}),
			{ numRuns: 500 }
		);
	});

	it('adding in two steps equals adding at once', () => {
		fc.assert(
			fc.property(hoursArb, instantArb, minutesArb, minutesArb, ([, h], s, a, b) => {
				expect(addBusinessMinutes(addBusinessMinutes(s, a, h), b, h).getTime()).toBe(
					addBusinessMinutes(s, a + b, h).getTime()
				);
			}),
			{ numRuns: 300 }
		);
	});

	it('measuring is additive and never exceeds real time', () => {
		fc.assert(
			fc.property(hoursArb, instantArb, instantArb, instantArb, ([, h], p, q, r) => {
				const [a, b, c] = [p, q, r].sort((x, y) => x - y) as [number, number, number];
				const ab = businessMinutesBetween(a, b, h);
				expect(ab + businessMinutesBetween(b, c, h)).toBeCloseTo(
					businessMinutesBetween(a, c, h),
					6
				);
				expect(ab).toBeLessThanOrEqual((b - a) / 60_000);
				expect(ab).toBeGreaterThanOrEqual(0);
			}),
			{ numRuns: 200 }
		);
	});

	it('next opening is open and nothing opens before it', () => {
		fc.assert(
			fc.property(hoursArb, instantArb, ([, h], t) => {
				const n = nextOpening(t, h).getTime();
				expect(n).toBeGreaterThanOrEqual(t);
				expect(isOpen(n, h)).toBe(true);
				expect(businessMinutesBetween(t, n, h)).toBe(0);
			}),
			{ numRuns: 500 }
		);
	});
});

// An oracle independent of the module's arithmetic: read every 5-minute step's local
// wall time with Intl, and check it against the weekly table and the holiday list.
const wallFormat = new Intl.DateTimeFormat('en-CA', {
	timeZone: 'Europe/Paris',
	year: 'numeric',
	month: '2-digit',
	day: '2-digit',
	hour: '2-digit',
	minute: '2-digit',
	weekday: 'short',
	hourCycle: 'h23'
});
function oracleOpen(ms: number, h: BusinessHours): boolean {
	const p = Object.fromEntries(
		wallFormat.formatToParts(new Date(ms)).map((x) => [x.type, x.value])
	);
	const date = `${p.year}-${p.month}-${p.day}`;
	if (h.holidays !== 'none' && holidayDates(Number(p.year), h.holidays).has(date)) return false;
	if (h.closedDates.includes(date)) return false;
	const day = String(p.weekday).toLowerCase().slice(0, 3) as keyof BusinessHours['week'];
	const minute = Number(p.hour) * 60 + Number(p.minute);
	return h.week[day].some((i) => parseHhmm(i.from) <= minute && minute < parseHhmm(i.to));
}

describe('agrees with a step-by-step oracle in Europe/Paris', () => {
	const FIVE = 5 * 60_000;
	// Starts around DST changes, Easter and May holidays, and random dates.
	const nearEvents = [
		Date.UTC(2025, 2, 27),
		Date.UTC(2025, 9, 23),
		Date.UTC(2026, 2, 26),
		Date.UTC(2025, 3, 17),
		Date.UTC(2025, 4, 28),
		Date.UTC(2024, 11, 23)
	];
	const startArb = fc.oneof(
		fc
			.tuple(fc.constantFrom(...nearEvents), fc.integer({ min: 0, max: 4 * 288 }))
			.map(([d, k]) => d + k * FIVE),
		fc.integer({ min: 0, max: 12 * 365 * 288 }).map((k) => Date.UTC(2020, 0, 1) + k * FIVE)
	);

	it('business minutes over four days match counting 5-minute steps', () => {
		fc.assert(
			fc.property(
				fc.constantFrom(H, lunch, alsace),
				startArb,
				fc.integer({ min: 0, max: 4 * 288 }),
				(h, s, steps) => {
					let open = 0;
					for (let k = 0; k < steps; k++) if (oracleOpen(s + k * FIVE, h)) open += 5;
					expect(businessMinutesBetween(s, s + steps * FIVE, h)).toBe(open);
				}
			),
			{ numRuns: 60 }
		);
	});

	it('isOpen matches the oracle', () => {
		fc.assert(
			fc.property(fc.constantFrom(H, lunch, alsace), startArb, (h, t) => {
				expect(isOpen(t, h)).toBe(oracleOpen(t, h));
			}),
			{ numRuns: 2000 }
		);
	});
});
