import type { DocumentScope } from 'nano';
import { statusOf } from '../errors.ts';
import { write } from '../notify/store.ts';

const COUNTER = 'counter:ticket';
/** Numbers below this belong to imported or demo tickets. */
export const FIRST_NUMBER = 10001;

/**
 * The next human ticket number ("n° 10421"), from a counter document in the private database.
 * Optimistic concurrency: two server instances racing both retry on conflict (409) or on an
 * unconfirmed write (202), so no number is given twice.
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
		// Only a write confirmed by a quorum of copies (201) gives the number: a cluster answers
		// 202 when fewer accepted it, e.g. two servers racing on one revision with a node down;
		// the number is then skipped, never given twice.
		const written = await write(db, { ...current, type: 'counter', next: number + 1 });
		if (written?.status === 201) return number;
		await sleep(5 + Math.random() * 20 * (attempt + 1));
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

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
