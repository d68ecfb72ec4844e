// Business-hours arithmetic for SLA clocks. Opening hours are wall-clock times in the
// configured time zone; every conversion to an instant goes through the zone's real
// UTC offset (@date-fns/tz), so DST changes shorten or lengthen nothing but the night.
// Work is done interval by interval, day by day: cost grows with the number of days
// spanned, never with the number of minutes.
import * as v from 'valibot';
import { tzOffset } from '@date-fns/tz';
import { formatLocalDate, holidayDates } from './holidays.ts';
import type { LocalDate } from './holidays.ts';

const HHMM_RE = /^(?:([01]\d|2[0-3]):([0-5]\d)|24:00)$/;
const LOCAL_DATE_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const MS_PER_MIN = 60_000;
const MS_PER_DAY = 86_400_000;

/** `HH:MM` → minutes after local midnight (`24:00` → 1440). */
export function parseHhmm(s: string): number {
	const m = HHMM_RE.exec(s);
	if (!m) throw new RangeError(`Time must be written HH:MM between 00:00 and 24:00 (got "${s}")`);
	return m[1] === undefined ? 1440 : Number(m[1]) * 60 + Number(m[2]);
}

// Valibot runs an object's checks even when a field already failed its format; such
// a field is left to its own message instead of also failing the ordering checks.
const minutesOrNull = (s: string): number | null => (HHMM_RE.test(s) ? parseHhmm(s) : null);
const before = (a: string, b: string): boolean => {
	const x = minutesOrNull(a);
	const y = minutesOrNull(b);
	return x === null || y === null || x < y;
};
const notAfter = (a: string, b: string): boolean => a === b || before(a, b);

const HhmmSchema = v.pipe(
	v.string('A time must be text such as "08:30"'),
	v.regex(HHMM_RE, 'A time must be written HH:MM between 00:00 and 24:00, for example 08:30')
);

const IntervalSchema = v.pipe(
	v.object({ from: HhmmSchema, to: HhmmSchema }),
	v.check(
		(i) => before(i.from, i.to),
		'An opening interval must end after it starts (an interval cannot cross midnight; split it in two days)'
	)
);

const DaySchema = v.pipe(
	v.array(IntervalSchema, 'The opening hours of a day must be a list of intervals'),
	v.check((list) => {
		for (let i = 1; i < list.length; i++) {
			const prev = list[i - 1];
			const cur = list[i];
			if (prev && cur && !notAfter(prev.to, cur.from)) return false;
		}
		return true;
	}, 'The opening intervals of a day must be in order and must not overlap')
);

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const workday = (): Array<{ from: string; to: string }> => [{ from: '08:30', to: '16:30' }];

const WeekSchema = v.pipe(
	v.object({
		mon: v.optional(DaySchema, workday),
		tue: v.optional(DaySchema, workday),
		wed: v.optional(DaySchema, workday),
		thu: v.optional(DaySchema, workday),
		fri: v.optional(DaySchema, workday),
		sat: v.optional(DaySchema, () => []),
		sun: v.optional(DaySchema, () => [])
	}),
	v.check(
		(w) => WEEKDAYS.some((d) => w[d].length > 0),
		'At least one day of the week must have opening hours'
	)
);

const TimeZoneSchema = v.pipe(
	v.string('The time zone must be text such as "Europe/Paris"'),
	v.check(
		(tz) => tz.includes('/') || tz === 'UTC',
		'The time zone must be an IANA name such as "Europe/Paris"'
	),
	v.check(
		(tz) => !Number.isNaN(tzOffset(tz, new Date(0))),
		'The time zone is not known (use an IANA name such as "Europe/Paris")'
	)
);

export const BusinessHoursSchema = v.object({
	/** IANA zone in which the opening hours are read. */
	timeZone: v.optional(TimeZoneSchema, 'Europe/Paris'),
	/** Opening intervals per weekday; a missing weekday is Mon–Fri 08:30–16:30, Sat/Sun closed. */
	week: v.optional(WeekSchema, () => ({
		mon: workday(),
		tue: workday(),
		wed: workday(),
		thu: workday(),
		fri: workday(),
		sat: [],
		sun: []
	})),
	/** Public holidays closed: French ones, French plus Alsace-Moselle, or none. */
	holidays: v.optional(
		v.picklist(
			['fr', 'fr-alsace-moselle', 'none'],
			'Holidays must be "fr", "fr-alsace-moselle" or "none"'
		),
		'fr'
	),
	/** Extra closed local dates (company closure days, "ponts"). */
	closedDates: v.optional(
		v.array(
			v.pipe(
				v.string(),
				v.regex(LOCAL_DATE_RE, 'A closed date must be written YYYY-MM-DD, for example 2025-12-24')
			)
		),
		() => []
	)
});

export type BusinessHours = v.InferOutput<typeof BusinessHoursSchema>;
export type BusinessHoursInput = v.InferInput<typeof BusinessHoursSchema>;

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar day (`2026-11-26`) of an instant in a time zone (the company's by default). */
export function localDay(t: Instant, timeZone = 'Europe/Paris'): LocalDate {
	let format = dayFormats.get(timeZone);
	if (!format) {
		format = new Intl.DateTimeFormat('sv-SE', { timeZone });
		dayFormats.set(timeZone, format);
	}
	return format.format(toMs(t)) as LocalDate;
}

/** Mon–Fri 08:30–16:30, Europe/Paris, French public holidays closed (seed 004 annex C). */
export const DEFAULT_BUSINESS_HOURS: BusinessHours = v.parse(BusinessHoursSchema, {});

/** An instant: a Date, an ISO 8601 string with an offset or `Z`, or epoch milliseconds. */
export type Instant = Date | string | number;

export function toMs(t: Instant): number {
	const ms = typeof t === 'string' ? Date.parse(t) : typeof t === 'number' ? t : t.getTime();
	if (Number.isNaN(ms)) throw new RangeError(`Not a valid date: ${String(t)}`);
	return ms;
}

// ---- time-zone primitives --------------------------------------------------------

// tzOffset formats a date through Intl (~2 µs); SLA lists ask for the same hours of
// the same days thousands of times. An hour's offset is cached only when it is the
// same at both ends of the hour, so a transition at any minute is still exact.
const HOUR = 3_600_000;
const offsetCache = new Map<string, Map<number, number>>();
const MAX_CACHED_HOURS = 100_000;

function offsetAt(tz: string, ms: number): number {
	let zone = offsetCache.get(tz);
	if (!zone) {
		zone = new Map();
		offsetCache.set(tz, zone);
	}
	const hour = Math.floor(ms / HOUR);
	const hit = zone.get(hour);
	if (hit !== undefined) return hit;
	const start = tzOffset(tz, new Date(hour * HOUR));
	if (start !== tzOffset(tz, new Date(hour * HOUR + HOUR - 1))) return tzOffset(tz, new Date(ms));
	if (zone.size >= MAX_CACHED_HOURS) zone.clear();
	zone.set(hour, start);
	return start;
}

/** Days since 1970-01-01 of the local calendar date of `ms` in `tz`. */
function localDayIndex(ms: number, tz: string): number {
	return Math.floor((ms + offsetAt(tz, ms) * MS_PER_MIN) / MS_PER_DAY);
}

/** The instant at which local wall time `minutes` after midnight of `day` occurs in `tz`.
 * In a spring-forward gap the wall time does not exist: it is read with the offset in
 * force before the change, i.e. shifted forward by the gap (02:30 → 03:30 in Paris). */
function wallToMs(day: number, minutes: number, tz: string): number {
	const wall = day * MS_PER_DAY + minutes * MS_PER_MIN;
	const off1 = offsetAt(tz, wall);
	const guess = wall - off1 * MS_PER_MIN;
	const off2 = offsetAt(tz, guess);
	if (off2 === off1) return guess;
	const second = wall - off2 * MS_PER_MIN;
	const off3 = offsetAt(tz, second);
	if (off3 === off2) return second;
	return wall - Math.min(off1, off2) * MS_PER_MIN;
}

// ---- per-day opening intervals (memoised) ---------------------------------------

interface Compiled {
	week: ReadonlyArray<ReadonlyArray<readonly [number, number]>>;
	closed: ReadonlySet<LocalDate>;
	days: Map<number, readonly number[]>;
	/** Prefix sums of open ms per block of BLOCK_DAYS days, for long spans. */
	blocks: Map<number, Float64Array>;
}

// Keyed by the config object: configs are values read from a document and never
// mutated, and a list of 10,000 tickets reuses one config, so each day is computed once.
const compiledCache = new WeakMap<BusinessHours, Compiled>();
const MAX_CACHED_DAYS = 20_000;

function compile(hours: BusinessHours): Compiled {
	let c = compiledCache.get(hours);
	if (!c) {
		c = {
			week: WEEKDAYS.map((d) =>
				hours.week[d].map((i) => [parseHhmm(i.from), parseHhmm(i.to)] as const)
			),
			closed: new Set(hours.closedDates),
			days: new Map(),
			blocks: new Map()
		};
		compiledCache.set(hours, c);
	}
	return c;
}

function localDateOf(day: number): LocalDate {
	const d = new Date(day * MS_PER_DAY);
	return formatLocalDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

/** Opening intervals of local day `day` as a flat [start, end, start, end…] list of instants. */
function dayIntervals(hours: BusinessHours, day: number): readonly number[] {
	const c = compile(hours);
	const hit = c.days.get(day);
	if (hit) return hit;
	const spec = c.week[(((day + 4) % 7) + 7) % 7] ?? [];
	let out: number[] = [];
	if (spec.length > 0) {
		const date = localDateOf(day);
		const year = Number(date.slice(0, 4));
		const holiday = hours.holidays !== 'none' && holidayDates(year, hours.holidays).has(date);
		if (!holiday && !c.closed.has(date)) {
			out = spec.flatMap(([from, to]) => [
				wallToMs(day, from, hours.timeZone),
				wallToMs(day, to, hours.timeZone)
			]);
		}
	}
	if (c.days.size >= MAX_CACHED_DAYS) c.days.clear();
	c.days.set(day, out);
	return out;
}

// Elapsed time on a months-old ticket would otherwise walk every day since creation;
// prefix sums per block of days make a long span cost a few lookups.
const BLOCK_DAYS = 512;
const MAX_CACHED_BLOCKS = 64;

function block(hours: BusinessHours, index: number): Float64Array {
	const c = compile(hours);
	let prefix = c.blocks.get(index);
	if (!prefix) {
		prefix = new Float64Array(BLOCK_DAYS + 1);
		const first = index * BLOCK_DAYS;
		for (let i = 0; i < BLOCK_DAYS; i++) {
			const iv = dayIntervals(hours, first + i);
			let open = 0;
			for (let k = 0; k + 1 < iv.length; k += 2) open += (iv[k + 1] as number) - (iv[k] as number);
			prefix[i + 1] = (prefix[i] as number) + open;
		}
		if (c.blocks.size >= MAX_CACHED_BLOCKS) c.blocks.clear();
		c.blocks.set(index, prefix);
	}
	return prefix;
}

/** Open ms over the whole local days [from, to). */
function openMsOfDays(hours: BusinessHours, from: number, to: number): number {
	let total = 0;
	for (let d = from; d < to;) {
		const index = Math.floor(d / BLOCK_DAYS);
		const prefix = block(hours, index);
		const end = Math.min(to, (index + 1) * BLOCK_DAYS);
		total +=
			(prefix[end - index * BLOCK_DAYS] as number) - (prefix[d - index * BLOCK_DAYS] as number);
		d = end;
	}
	return total;
}

/** Open ms of local day `day` within [from, to). */
function openMsWithin(hours: BusinessHours, day: number, from: number, to: number): number {
	const iv = dayIntervals(hours, day);
	let total = 0;
	for (let i = 0; i + 1 < iv.length; i += 2) {
		const s = Math.max(iv[i] as number, from);
		const e = Math.min(iv[i + 1] as number, to);
		if (e > s) total += e - s;
	}
	return total;
}

// A config closing every day for ten years (e.g. only closed dates) would loop forever.
const MAX_EMPTY_DAYS = 3660;

function noOpeningError(): RangeError {
	return new RangeError('These business hours never open: no opening interval within ten years');
}

// ---- public API -------------------------------------------------------------------

/** Whether the desk is open at `t` (intervals are half-open: open at 08:30, closed at 16:30). */
export function isOpen(t: Instant, hours: BusinessHours = DEFAULT_BUSINESS_HOURS): boolean {
	const ms = toMs(t);
	const iv = dayIntervals(hours, localDayIndex(ms, hours.timeZone));
	for (let i = 0; i + 1 < iv.length; i += 2) {
		if ((iv[i] as number) <= ms && ms < (iv[i + 1] as number)) return true;
	}
	return false;
}

/** `t` itself when open, otherwise the start of the next opening interval. */
export function nextOpening(t: Instant, hours: BusinessHours = DEFAULT_BUSINESS_HOURS): Date {
	const ms = toMs(t);
	let day = localDayIndex(ms, hours.timeZone);
	for (let empty = 0; empty < MAX_EMPTY_DAYS; empty++, day++) {
		const iv = dayIntervals(hours, day);
		for (let i = 0; i + 1 < iv.length; i += 2) {
			const end = iv[i + 1] as number;
			if (end > ms) return new Date(Math.max(iv[i] as number, ms));
		}
	}
	throw noOpeningError();
}

/** The instant at which `minutes` business minutes after `start` have elapsed.
 * The result lies inside an opening interval or exactly at its end (a deadline of
 * 60 minutes from 15:30 is 16:30 the same day, not 08:30 the next). Zero minutes
 * returns `start` unchanged. */
export function addBusinessMinutes(
	start: Instant,
	minutes: number,
	hours: BusinessHours = DEFAULT_BUSINESS_HOURS
): Date {
	const ms = toMs(start);
	if (!Number.isFinite(minutes) || minutes < 0) {
		throw new RangeError(`Business minutes must be a finite number ≥ 0 (got ${minutes})`);
	}
	let remaining = minutes * MS_PER_MIN;
	if (remaining === 0) return new Date(ms);
	let day = localDayIndex(ms, hours.timeZone);
	for (let empty = 0; empty < MAX_EMPTY_DAYS; day++) {
		const iv = dayIntervals(hours, day);
		if (iv.length === 0) {
			empty++;
			continue;
		}
		empty = 0;
		for (let i = 0; i + 1 < iv.length; i += 2) {
			const end = iv[i + 1] as number;
			if (end <= ms) continue;
			const from = Math.max(iv[i] as number, ms);
			const available = end - from;
			if (remaining <= available) return new Date(from + remaining);
			remaining -= available;
		}
	}
	throw noOpeningError();
}

/** Business minutes between `a` and `b` (negative when `b` is before `a`). */
export function businessMinutesBetween(
	a: Instant,
	b: Instant,
	hours: BusinessHours = DEFAULT_BUSINESS_HOURS
): number {
	const from = toMs(a);
	const to = toMs(b);
	if (to < from) return -businessMinutesBetween(b, a, hours);
	const first = localDayIndex(from, hours.timeZone);
	const last = localDayIndex(to, hours.timeZone);
	if (first === last) return openMsWithin(hours, first, from, to) / MS_PER_MIN;
	const total =
		openMsWithin(hours, first, from, to) +
		openMsOfDays(hours, first + 1, last) +
		openMsWithin(hours, last, from, to);
	return total / MS_PER_MIN;
}

/**
 * The end of the `days`-th open day after the local day of `t` (the day of `t` does not count):
 * "within N business days" of a resolution. Days with no opening (weekends, holidays, closed
 * dates) are skipped. Zero days returns `t` unchanged.
 */
export function addBusinessDays(
	t: Instant,
	days: number,
	hours: BusinessHours = DEFAULT_BUSINESS_HOURS
): Date {
	const ms = toMs(t);
	if (!Number.isInteger(days) || days < 0) {
		throw new RangeError(`Business days must be a whole number ≥ 0 (got ${days})`);
	}
	if (days === 0) return new Date(ms);
	let day = localDayIndex(ms, hours.timeZone);
	let left = days;
	for (let empty = 0; empty < MAX_EMPTY_DAYS;) {
		day++;
		const iv = dayIntervals(hours, day);
		if (iv.length === 0) {
			empty++;
			continue;
		}
		empty = 0;
		if (--left === 0) return new Date(iv[iv.length - 1] as number);
	}
	throw noOpeningError();
}
