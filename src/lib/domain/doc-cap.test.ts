import { describe, expect, it } from 'vitest';
import { DEFAULT_ROLE_DOC_CAPS, docCapFor } from './doc-cap.ts';

describe('docCapFor', () => {
	it('gives each role its default, the technician a phone’s and the desk a working set’s', () => {
		expect(docCapFor(['technician'], {}, 100_000)).toEqual({ cap: 5_000, role: 'technician' });
		expect(docCapFor(['dispatcher'], {}, 100_000)).toEqual({ cap: 10_000, role: 'dispatcher' });
		expect(DEFAULT_ROLE_DOC_CAPS.technician).toBeLessThan(DEFAULT_ROLE_DOC_CAPS.dispatcher);
	});

	it('takes the referential’s cap of a role, and the largest of a user’s roles', () => {
		const access = { docCaps: { technician: 2_000, expert: 30_000 } };
		expect(docCapFor(['technician'], access, 100_000)).toEqual({ cap: 2_000, role: 'technician' });
		expect(docCapFor(['technician', 'expert'], access, 100_000)).toEqual({
			cap: 30_000,
			role: 'expert'
		});
		expect(docCapFor(['technician', 'dispatcher'], access, 100_000)).toEqual({
			cap: 10_000,
			role: 'dispatcher'
		});
	});

	it('never goes above the referential’s docCap or the server’s ceiling', () => {
		const access = { docCap: 8_000, docCaps: { expert: 30_000 } };
		expect(docCapFor(['expert'], access, 100_000)).toEqual({ cap: 8_000, role: null });
		expect(docCapFor(['expert'], { docCaps: { expert: 30_000 } }, 12_000)).toEqual({
			cap: 12_000,
			role: null
		});
		expect(docCapFor(['technician'], access, 100_000)).toEqual({ cap: 5_000, role: 'technician' });
	});

	it('gives a user without a role the smallest default', () => {
		expect(docCapFor([], {}, 100_000)).toEqual({ cap: 5_000, role: null });
	});
});
