import { describe, expect, it } from 'vitest';
import { billingOnly, homeOf } from './session.svelte.ts';

describe('where a user lands', () => {
	it('the commercial service on the billing face, technicians in the field, the rest on the desk', () => {
		expect(homeOf(['billing'])).toBe('/(desk)/billing');
		expect(homeOf(['technician'])).toBe('/(field)/missions');
		expect(homeOf(['dispatcher'])).toBe('/(desk)/tickets');
		expect(homeOf(['admin', 'billing'])).toBe('/(desk)/tickets');
		expect(homeOf(['dispatcher', 'billing'])).toBe('/(desk)/tickets');
		expect(homeOf([])).toBe('/(desk)/tickets');
	});

	it('billing-only: billing without a desk role', () => {
		expect(billingOnly(['billing'])).toBe(true);
		expect(billingOnly(['billing', 'technician'])).toBe(true);
		for (const desk of ['dispatcher', 'admin', 'expert'])
			expect(billingOnly(['billing', desk]), desk).toBe(false);
		expect(billingOnly(['dispatcher'])).toBe(false);
	});
});
