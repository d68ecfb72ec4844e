import { describe, expect, it } from 'vitest';
import { RETRY_BASE_MS, RETRY_JITTER, RETRY_MAX_MS, retryDelay } from './backoff.ts';

const middle = () => 0.5;

describe('retryDelay', () => {
	it('doubles from 2 s on each failure, up to 5 min', () => {
		const schedule = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => retryDelay(n, middle));
		expect(schedule).toEqual([
			2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000
		]);
	});

	it('spreads devices by at most the jitter, never past the maximum', () => {
		for (const n of [1, 3, 20, 1000]) {
			const base = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(n - 1, 30));
			const low = retryDelay(n, () => 0);
			const high = retryDelay(n, () => 0.999999);
			expect(low).toBe(Math.round(base * (1 - RETRY_JITTER)));
			expect(high).toBeLessThanOrEqual(RETRY_MAX_MS);
			expect(high).toBeGreaterThan(low);
		}
	});

	it('treats zero or negative counts as the first failure', () => {
		expect(retryDelay(0, middle)).toBe(RETRY_BASE_MS);
		expect(retryDelay(-3, middle)).toBe(RETRY_BASE_MS);
	});
});
