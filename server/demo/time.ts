// Wall-clock arithmetic for the demo: local days in the desk's time zone, business days,
// and the fixed mission slots of a technician's day.
import { tzOffset } from '@date-fns/tz';
import {
	DEFAULT_BUSINESS_HOURS,
	addBusinessMinutes,
	isOpen
} from '../../src/lib/domain/business-hours.ts';
import { isFrenchHoliday } from '../../src/lib/domain/holidays.ts';

export const TIME_ZONE = DEFAULT_BUSINESS_HOURS.timeZone;
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Days since 1970-01-01 of the local calendar date of `ms`. */
export function localDay(ms: number): number {
	return Math.floor((ms + tzOffset(TIME_ZONE, new Date(ms)) * MINUTE) / DAY);
}

/** The instant of local wall time `minutes` after midnight on local day `day`. */
export function wallTime(day: number, minutes: number): number {
	const wall = day * DAY + minutes * MINUTE;
	const first = wall - tzOffset(TIME_ZONE, new Date(wall)) * MINUTE;
	return wall - tzOffset(TIME_ZONE, new Date(first)) * MINUTE;
}

/** `YYYY-MM-DD` of a local day. */
export function isoDay(day: number): string {
	return new Date(day * DAY).toISOString().slice(0, 10);
}

export function iso(ms: number): string {
	return new Date(ms).toISOString();
}

/** Open for business: a weekday that is not a French public holiday. */
export function isBusinessDay(day: number): boolean {
	const weekday = (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
	return weekday !== 0 && weekday !== 6 && !isFrenchHoliday(isoDay(day));
}

/** Monday = 1 … Sunday = 7. */
export function isoWeekday(day: number): number {
	const weekday = (((day + 4) % 7) + 7) % 7;
	return weekday === 0 ? 7 : weekday;
}

export function addBusiness(ms: number, minutes: number): number {
	return addBusinessMinutes(ms, minutes).getTime();
}

export function isBusinessTime(ms: number): boolean {
	return isOpen(ms);
}

/** The business day `n` business days after `day` (n ≥ 0; 0 is `day` itself when open). */
export function businessDayAfter(day: number, n: number): number {
	let d = day;
	let left = n;
	while (!isBusinessDay(d) || left > 0) {
		if (isBusinessDay(d)) left--;
		d++;
	}
	return d;
}

/** A technician's day: four slots inside the desk's opening hours (08:30–16:30). */
export interface Slot {
	readonly index: number;
	/** Minutes after local midnight. */
	readonly from: number;
	readonly to: number;
}

export const SLOTS: readonly Slot[] = [
	{ index: 0, from: 8 * 60 + 30, to: 10 * 60 + 30 },
	{ index: 1, from: 10 * 60 + 45, to: 12 * 60 + 15 },
	{ index: 2, from: 13 * 60 + 30, to: 15 * 60 },
	{ index: 3, from: 15 * 60 + 15, to: 16 * 60 + 30 }
];
