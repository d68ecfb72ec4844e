/** Minutes covered by closed work periods. */
export function spanMinutes(times: readonly { start: string; end: string }[]): number {
	let ms = 0;
	for (const span of times) ms += Date.parse(span.end) - Date.parse(span.start);
	return Math.round(ms / 60_000);
}

/** "1 h 05" or "45 min": what a technician writes on a paper report. */
export function durationText(minutes: number): string {
	if (minutes < 60) return `${minutes} min`;
	return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')}`;
}
