import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	isMonotonic,
	ITIL_PRIORITY_MATRIX,
	priorityOf,
	priorityRank,
	type PriorityMatrix,
	type Scale3
} from './priority.ts';

const scale = fc.constantFrom<Scale3>(1, 2, 3);

describe('priorityOf', () => {
	it('follows ITIL by default: high × high is P1, low × low is P5', () => {
		expect(priorityOf(1, 1)).toBe('P1');
		expect(priorityOf(1, 3)).toBe('P3');
		expect(priorityOf(2, 1)).toBe('P2');
		expect(priorityOf(3, 3)).toBe('P5');
	});

	it('equals impact + urgency − 1 in the default matrix (property)', () => {
		fc.assert(fc.property(scale, scale, (i, u) => priorityRank(priorityOf(i, u)) === i + u - 1));
	});

	it('uses a configured matrix', () => {
		const flat: PriorityMatrix = [
			['P1', 'P1', 'P2'],
			['P2', 'P3', 'P3'],
			['P4', 'P4', 'P5']
		];
		expect(priorityOf(1, 2, flat)).toBe('P1');
		expect(priorityOf(3, 1, flat)).toBe('P4');
	});
});

describe('isMonotonic', () => {
	it('accepts the ITIL matrix and refuses one where lower impact gives a higher priority', () => {
		expect(isMonotonic(ITIL_PRIORITY_MATRIX)).toBe(true);
		expect(
			isMonotonic([
				['P3', 'P3', 'P3'],
				['P1', 'P3', 'P4'],
				['P3', 'P4', 'P5']
			])
		).toBe(false);
		expect(
			isMonotonic([
				['P1', 'P3', 'P2'],
				['P2', 'P3', 'P4'],
				['P3', 'P4', 'P5']
			])
		).toBe(false);
	});
});
