import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
	easterSunday,
	formatLocalDate,
	frenchHolidays,
	holidayDates,
	isFrenchHoliday
} from './holidays.ts';

/** Gauss's Easter algorithm with its two Gregorian exceptions: independent of the
 * Meeus/Jones/Butcher formula under test. */
function gaussEaster(year: number): { month: number; day: number } {
	const a = year % 19;
	const b = year % 4;
	const c = year % 7;
	const k = Math.floor(year / 100);
	const p = Math.floor((13 + 8 * k) / 25);
	const q = Math.floor(k / 4);
	const M = (15 - p + k - q) % 30;
	const N = (4 + k - q) % 7;
	const d = (19 * a + M) % 30;
	const e = (2 * b + 4 * c + 6 * d + N) % 7;
	if (d === 29 && e === 6) return { month: 4, day: 19 };
	if (d === 28 && e === 6 && (11 * M + 11) % 30 < 19) return { month: 4, day: 18 };
	const march = 22 + d + e;
	return march <= 31 ? { month: 3, day: march } : { month: 4, day: d + e - 9 };
}

const dates = (year: number, region?: 'fr' | 'fr-alsace-moselle') =>
	frenchHolidays(year, region).map((h) => `${h.date} ${h.key}`);

describe('easterSunday', () => {
	it.each([
		[1818, '1818-03-22'],
		[1943, '1943-04-25'],
		[1961, '1961-04-02'],
		[2000, '2000-04-23'],
		[2008, '2008-03-23'],
		[2011, '2011-04-24'],
		[2019, '2019-04-21'],
		[2024, '2024-03-31'],
		[2025, '2025-04-20'],
		[2026, '2026-04-05'],
		[2027, '2027-03-28'],
		[2038, '2038-04-25'],
		[2285, '2285-03-22']
	])('Easter %i is %s', (year, expected) => {
		const e = easterSunday(year);
		expect(formatLocalDate(year, e.month, e.day)).toBe(expected);
	});

	it('matches Gauss’s algorithm for every year from 1583 to 4099', () => {
		for (let y = 1583; y < 4100; y++) expect(easterSunday(y), String(y)).toEqual(gaussEaster(y));
	});

	it('always falls on a Sunday between March 22 and April 25', () => {
		fc.assert(
			fc.property(fc.integer({ min: 1583, max: 9999 }), (year) => {
				const { month, day } = easterSunday(year);
				const d = new Date(Date.UTC(year, month - 1, day));
				expect(d.getUTCDay()).toBe(0);
				const md = month * 100 + day;
				expect(md >= 322 && md <= 425).toBe(true);
			})
		);
	});

	it('refuses years outside the Gregorian range', () => {
		expect(() => easterSunday(1582)).toThrow(RangeError);
		expect(() => easterSunday(2025.5)).toThrow(/whole number/);
		expect(() => easterSunday(10_000)).toThrow(RangeError);
	});
});

describe('frenchHolidays', () => {
	it('2024', () => {
		expect(dates(2024)).toEqual([
			'2024-01-01 new_year',
			'2024-04-01 easter_monday',
			'2024-05-01 labour_day',
			'2024-05-08 victory_1945',
			'2024-05-09 ascension',
			'2024-05-20 whit_monday',
			'2024-07-14 bastille_day',
			'2024-08-15 assumption',
			'2024-11-01 all_saints',
			'2024-11-11 armistice_1918',
			'2024-12-25 christmas'
		]);
	});

	it('2025', () => {
		expect(dates(2025)).toEqual([
			'2025-01-01 new_year',
			'2025-04-21 easter_monday',
			'2025-05-01 labour_day',
			'2025-05-08 victory_1945',
			'2025-05-29 ascension',
			'2025-06-09 whit_monday',
			'2025-07-14 bastille_day',
			'2025-08-15 assumption',
			'2025-11-01 all_saints',
			'2025-11-11 armistice_1918',
			'2025-12-25 christmas'
		]);
	});

	it('2026 and 2027 moveable feasts', () => {
		const moveable = (y: number) =>
			frenchHolidays(y)
				.filter((h) => ['easter_monday', 'ascension', 'whit_monday'].includes(h.key))
				.map((h) => h.date);
		expect(moveable(2026)).toEqual(['2026-04-06', '2026-05-14', '2026-05-25']);
		expect(moveable(2027)).toEqual(['2027-03-29', '2027-05-06', '2027-05-17']);
	});

	it('keeps both entries when Ascension falls on May 1 (2008)', () => {
		const h = frenchHolidays(2008);
		expect(h.filter((x) => x.date === '2008-05-01').map((x) => x.key)).toEqual([
			'ascension',
			'labour_day'
		]);
		expect(holidayDates(2008).size).toBe(10);
	});

	it('adds Good Friday and St Stephen in Alsace-Moselle', () => {
		const am = frenchHolidays(2025, 'fr-alsace-moselle');
		expect(am).toHaveLength(13);
		expect(am.find((h) => h.key === 'good_friday')?.date).toBe('2025-04-18');
		expect(am.find((h) => h.key === 'st_stephen')).toMatchObject({
			date: '2025-12-26',
			labelFr: 'Saint-Étienne'
		});
		expect(
			frenchHolidays(2024, 'fr-alsace-moselle').find((h) => h.key === 'good_friday')?.date
		).toBe('2024-03-29');
	});

	it('gives French labels', () => {
		expect(frenchHolidays(2025)[0]).toEqual({
			date: '2025-01-01',
			key: 'new_year',
			labelFr: "Jour de l'an"
		});
	});

	it('every year has 11 distinct-key holidays, sorted, all in that year', () => {
		fc.assert(
			fc.property(fc.integer({ min: 1583, max: 9999 }), (year) => {
				const list = frenchHolidays(year);
				expect(new Set(list.map((h) => h.key)).size).toBe(11);
				const ds = list.map((h) => h.date);
				expect([...ds].sort()).toEqual(ds);
				expect(ds.every((d) => d.startsWith(String(year)))).toBe(true);
			})
		);
	});
});

describe('isFrenchHoliday', () => {
	it('answers for local dates', () => {
		expect(isFrenchHoliday('2025-07-14')).toBe(true);
		expect(isFrenchHoliday('2025-07-15')).toBe(false);
		expect(isFrenchHoliday('2025-12-26')).toBe(false);
		expect(isFrenchHoliday('2025-12-26', 'fr-alsace-moselle')).toBe(true);
	});

	it('refuses malformed dates', () => {
		expect(() => isFrenchHoliday('14/07/2025')).toThrow(/YYYY-MM-DD/);
	});

	it('memoises the set per year and region', () => {
		expect(holidayDates(2030)).toBe(holidayDates(2030));
		expect(holidayDates(2030, 'fr-alsace-moselle')).not.toBe(holidayDates(2030));
	});
});
