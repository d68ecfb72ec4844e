import type { DocumentScope } from 'nano';
import { statusOf } from '../errors.ts';

const COUNTER = 'counter:ticket';
/** Numbers below this belong to imported or demo tickets. */
export const FIRST_NUMBER = 10001;

/**
 * The next human ticket number ("n° 10421"), from a counter document in the private database.
 * Optimistic concurrency: two server instances racing both retry on conflict, so no number is
 * given twice.
 */
export async function nextTicketNumber(
	db: DocumentScope<Record<string, unknown>>,
	startAfter: () => Promise<number>
): Promise<number> {
	for (let attempt = 0; attempt < 20; attempt++) {
		let current: { _id: string; _rev?: string; next: number };
		try {
			current = (await db.get(COUNTER)) as unknown as typeof current;
		} catch (error) {
			if (statusOf(error) !== 404) throw error;
			// First number ever: continue after what the database already holds.
			current = { _id: COUNTER, next: Math.max(FIRST_NUMBER, (await startAfter()) + 1) };
		}
		const number = current.next;
		try {
			await db.insert({ ...current, type: 'counter', next: number + 1 });
			return number;
		} catch (error) {
			if (statusOf(error) !== 409) throw error;
		}
	}
	throw new Error('ticket numbering: too many concurrent writers');
}

/** The highest number already used in the business database, so numbering continues after it. */
export async function highestTicketNumber(
	db: DocumentScope<Record<string, unknown>>
): Promise<number> {
	const tickets = await db.list({
		startkey: 'ticket:',
		endkey: 'ticket:\ufff0',
		include_docs: true
	});
	let highest = FIRST_NUMBER - 1;
	for (const row of tickets.rows) {
		const n = (row.doc as { number?: unknown } | undefined)?.number;
		if (typeof n === 'number' && n > highest) highest = n;
	}
	return highest;
}
