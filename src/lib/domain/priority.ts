/**
 * Priority from impact × urgency (seed 003, step 3). Both scales run 1 = high to 3 = low, and
 * the matrix is configurable (`config:priority_matrix`); the default is ITIL's, where the
 * priority is impact + urgency − 1.
 */
import type { PriorityMatrix } from './schemas/config.ts';
import type { Priority, Scale3 } from './schemas/ticket.ts';

export type { Priority, PriorityMatrix, Scale3 };

/**
 * |             | urgency high | medium | low |
 * |-------------|--------------|--------|-----|
 * | impact high | P1           | P2     | P3  |
 * | medium      | P2           | P3     | P4  |
 * | low         | P3           | P4     | P5  |
 */
export const ITIL_PRIORITY_MATRIX: PriorityMatrix = [
	['P1', 'P2', 'P3'],
	['P2', 'P3', 'P4'],
	['P3', 'P4', 'P5']
];

export function priorityOf(
	impact: Scale3,
	urgency: Scale3,
	matrix: PriorityMatrix = ITIL_PRIORITY_MATRIX
): Priority {
	// 1..3 maps onto the tuple's indices 0..2, which the type system cannot infer.
	return matrix[(impact - 1) as 0 | 1 | 2][(urgency - 1) as 0 | 1 | 2];
}

/** Lower rank is more urgent: sorts P1 first. */
export function priorityRank(priority: Priority): number {
	return Number(priority.slice(1));
}

/** A matrix where a higher impact or urgency never gives a lower priority; a matrix that breaks
 * this is almost always a typing mistake (for the matrix form of the referentials, issue #18). */
export function isMonotonic(matrix: PriorityMatrix): boolean {
	const scale = [1, 2, 3] as const;
	return scale.every((i) =>
		scale.every((u) => {
			const here = priorityRank(priorityOf(i, u, matrix));
			const lessImpact = i < 3 ? priorityRank(priorityOf((i + 1) as Scale3, u, matrix)) : Infinity;
			const lessUrgency = u < 3 ? priorityRank(priorityOf(i, (u + 1) as Scale3, matrix)) : Infinity;
			return here <= lessImpact && here <= lessUrgency;
		})
	);
}
