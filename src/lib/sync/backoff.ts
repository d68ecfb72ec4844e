/** First wait after a failed sync. */
export const RETRY_BASE_MS = 2_000;
/** Longest wait between two attempts, however many failed. */
export const RETRY_MAX_MS = 5 * 60_000;
/** Each wait is moved by up to this share, so devices that failed together spread out. */
export const RETRY_JITTER = 0.2;

/**
 * Exponential back-off: 2 s, 4 s, 8 s… up to 5 min, ± 20 %. `failures` counts the failed
 * attempts in a row (1 after the first). `random` returns a number in [0, 1).
 */
export function retryDelay(failures: number, random: () => number = Math.random): number {
	const n = Math.max(1, Math.floor(failures));
	const base = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(n - 1, 30));
	const factor = 1 - RETRY_JITTER + 2 * RETRY_JITTER * random();
	return Math.round(Math.min(RETRY_MAX_MS, base * factor));
}
