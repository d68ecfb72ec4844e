// French public holidays ("jours fériés"), computed for any Gregorian year so that
// SLA clocks never depend on a hand-maintained per-year list.

/** A calendar date in local time, `YYYY-MM-DD`. */
export type LocalDate = string;

/** Which set of public holidays applies: all of France, or France plus the two extra
 * days of Alsace-Moselle (Bas-Rhin, Haut-Rhin, Moselle: local law kept from 1871–1918). */
export type HolidayRegion = 'fr' | 'fr-alsace-moselle';

export type HolidayKey =
	| 'new_year'
	| 'good_friday'
	| 'easter_monday'
	| 'labour_day'
	| 'victory_1945'
	| 'ascension'
	| 'whit_monday'
	| 'bastille_day'
	| 'assumption'
	| 'all_saints'
	| 'armistice_1918'
	| 'christmas'
	| 'st_stephen';

export interface Holiday {
	date: LocalDate;
	key: HolidayKey;
	/** French name as printed on calendars; the UI may translate `key` instead. */
	labelFr: string;
}

const LABELS_FR: Record<HolidayKey, string> = {
	new_year: "Jour de l'an",
	good_friday: 'Vendredi saint',
	easter_monday: 'Lundi de Pâques',
	labour_day: 'Fête du Travail',
	victory_1945: 'Victoire 1945',
	ascension: 'Ascension',
	whit_monday: 'Lundi de Pentecôte',
	bastille_day: 'Fête nationale',
	assumption: 'Assomption',
	all_saints: 'Toussaint',
	armistice_1918: 'Armistice 1918',
	christmas: 'Noël',
	st_stephen: 'Saint-Étienne'
};

const FIXED: ReadonlyArray<readonly [month: number, day: number, key: HolidayKey]> = [
	[1, 1, 'new_year'],
	[5, 1, 'labour_day'],
	[5, 8, 'victory_1945'],
	[7, 14, 'bastille_day'],
	[8, 15, 'assumption'],
	[11, 1, 'all_saints'],
	[11, 11, 'armistice_1918'],
	[12, 25, 'christmas']
];

function assertYear(year: number): void {
	// The Gregorian computus is only meaningful from 1583 on; the upper bound keeps
	// Date.UTC arithmetic exact and rejects obviously wrong input.
	if (!Number.isInteger(year) || year < 1583 || year > 9999) {
		throw new RangeError(`Year must be a whole number between 1583 and 9999 (got ${String(year)})`);
	}
}

function pad2(n: number): string {
	return n < 10 ? `0${n}` : String(n);
}

/** Formats a year/month(1-12)/day triple as `YYYY-MM-DD`. */
export function formatLocalDate(year: number, month: number, day: number): LocalDate {
	return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

/** Month (1-12) and day of Easter Sunday: anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
export function easterSunday(year: number): { month: number; day: number } {
	assertYear(year);
	const a = year % 19;
	const b = Math.floor(year / 100);
	const c = year % 100;
	const d = Math.floor(b / 4);
	const e = b % 4;
	const f = Math.floor((b + 8) / 25);
	const g = Math.floor((b - f + 1) / 3);
	const h = (19 * a + b - d - g + 15) % 30;
	const i = Math.floor(c / 4);
	const k = c % 4;
	const l = (32 + 2 * e + 2 * i - h - k) % 7;
	const m = Math.floor((a + 11 * h + 22 * l) / 451);
	const month = Math.floor((h + l - 7 * m + 114) / 31);
	const day = ((h + l - 7 * m + 114) % 31) + 1;
	return { month, day };
}

function easterOffset(
	year: number,
	easter: { month: number; day: number },
	days: number
): LocalDate {
	// UTC calendar arithmetic: no time zone can shift a pure date.
	const d = new Date(Date.UTC(year, easter.month - 1, easter.day + days));
	return formatLocalDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

/** The public holidays of `year`, sorted by date. */
export function frenchHolidays(year: number, region: HolidayRegion = 'fr'): Holiday[] {
	const easter = easterSunday(year);
	const list: Array<{ date: LocalDate; key: HolidayKey }> = FIXED.map(([month, day, key]) => ({
		date: formatLocalDate(year, month, day),
		key
	}));
	list.push(
		{ date: easterOffset(year, easter, 1), key: 'easter_monday' },
		{ date: easterOffset(year, easter, 39), key: 'ascension' },
		{ date: easterOffset(year, easter, 50), key: 'whit_monday' }
	);
	if (region === 'fr-alsace-moselle') {
		list.push(
			{ date: easterOffset(year, easter, -2), key: 'good_friday' },
			{ date: formatLocalDate(year, 12, 26), key: 'st_stephen' }
		);
	}
	// Ascension can fall on May 1 or May 8 (e.g. 2008: May 1); both entries are kept
	// because each is a holiday in its own right; callers needing a set use holidayDates.
	list.sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : x.key < y.key ? -1 : 1));
	return list.map((h) => ({ ...h, labelFr: LABELS_FR[h.key] }));
}

// Memoised per region and year: SLA arithmetic asks for the same years over and over.
const setCache = new Map<string, ReadonlySet<LocalDate>>();

/** The holiday dates of `year` as a set, for fast membership tests. */
export function holidayDates(year: number, region: HolidayRegion = 'fr'): ReadonlySet<LocalDate> {
	const cacheKey = `${region}:${year}`;
	let set = setCache.get(cacheKey);
	if (!set) {
		set = new Set(frenchHolidays(year, region).map((h) => h.date));
		setCache.set(cacheKey, set);
	}
	return set;
}

const LOCAL_DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether the local date `YYYY-MM-DD` is a public holiday. */
export function isFrenchHoliday(date: LocalDate, region: HolidayRegion = 'fr'): boolean {
	const m = LOCAL_DATE_RE.exec(date);
	if (!m) throw new RangeError(`Date must be written YYYY-MM-DD (got "${date}")`);
	return holidayDates(Number(m[1]), region).has(date);
}
