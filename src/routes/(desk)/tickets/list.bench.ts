// Desk ticket list at 10,000 tickets (issue #6: "stays fluid with 10,000 tickets").
// `npm run bench:desk` prints, for 10,000 tickets held on the device: building the rows from
// the local PouchDB (SLA computed for each), then the work one change costs, as the page's
// $derived chain does it in the browser (each step recomputed only when its inputs change):
//   filter change  → which filters each row fails, the rows shown, every filter's counts;
//   keystroke      → the rows shown;
//   sort change    → the rows shown.
// A frame is 16 ms. The rendering is a virtual list (virtua): only the rows on screen are drawn,
// whatever the length. (In Node, Svelte runs its server runtime, where $derived is not cached:
// timing the state class there would measure work the browser does not do, hence the steps.)
import { afterAll, beforeAll, expect, test } from 'vitest';
import { generateDemo } from '../../../../server/demo/generate.ts';
import { listTickets, type TicketRow } from '../../../lib/data/tickets.ts';
import type { TicketDoc } from '../../../lib/domain/schemas.ts';
import { memoryDb } from '../../../lib/sync/testing.ts';
import {
	countsOf,
	indexRows,
	missesOf,
	shownOf,
	SORTS,
	type Filters,
	type Indexed,
	type Miss
} from './filters.svelte.ts';

const TICKETS = 10_000;
const ROUNDS = 60;
const now = new Date();
const db = memoryDb('desk-bench');
let rows: TicketRow[] = [];
let index: Indexed[] = [];

beforeAll(async () => {
	const demo = generateDemo({ seed: 1, scale: 10, now });
	const tickets = demo.docs.filter((d): d is TicketDoc => d.type === 'ticket');
	const others = demo.docs.filter((d) => d.type === 'client' || d.type === 'config');
	// The demo ×10 has about 3,000 tickets: copies under new ids make 10,000.
	const many = Array.from({ length: TICKETS }, (_, i) => {
		const t = tickets[i % tickets.length]!;
		return { ...t, _id: `${t._id}-${i}`, number: 100_000 + i };
	});
	await db.bulkDocs([...others, ...many] as never);
	let t0 = performance.now();
	rows = await listTickets(db, now);
	console.log(
		`rows built from the local database: ${rows.length} in ${(performance.now() - t0).toFixed(0)} ms`
	);
	// After a sync that changed one ticket: rows of closed tickets come from the cache.
	const one = (await db.get(many[0]!._id)) as TicketDoc;
	await db.put({ ...one, title: `${one.title} (modifié)` } as never);
	t0 = performance.now();
	rows = await listTickets(db, now);
	const open = rows.filter((r) => r.status !== 'closed' && r.status !== 'cancelled').length;
	console.log(
		`rows rebuilt after a sync that changed one ticket: ${(performance.now() - t0).toFixed(0)} ms (${open} open tickets recomputed)`
	);
	t0 = performance.now();
	index = indexRows(rows, now.getTime());
	console.log(`filter index built: ${(performance.now() - t0).toFixed(0)} ms`);
});

afterAll(async () => {
	await db.destroy();
});

/** Median and p95, in ms, of `ROUNDS` runs of one change. */
function measure(name: string, change: (i: number) => number): { median: number; p95: number } {
	const times: number[] = [];
	let seen = 0;
	for (let i = 0; i < ROUNDS; i++) {
		const t0 = performance.now();
		seen += change(i);
		times.push(performance.now() - t0);
	}
	times.sort((a, b) => a - b);
	const median = times[Math.floor(ROUNDS / 2)]!;
	const p95 = times[Math.floor(ROUNDS * 0.95)]!;
	console.log(
		`${name}: median ${median.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (${seen} rows shown in all)`
	);
	return { median, p95 };
}

test(`desk list with ${TICKETS} tickets: filter, search and sort`, () => {
	const priorities = ['P1', 'P2', 'P3', 'P4', 'P5', ''];
	const base: Filters = { status: 'open' };
	const filter = measure('one filter change (priority, open tickets)', (i) => {
		const misses = missesOf(index, {
			...base,
			priority: priorities[i % priorities.length] || undefined
		});
		const counts = countsOf(misses);
		return shownOf(misses, '', 'updated').length + counts.status.size * 0;
	});
	const misses: Miss[] = missesOf(index, base);
	const typed = ['i', 'im', 'imp', 'impr', 'impri', ''];
	const search = measure(
		'one keystroke in the search box',
		(i) => shownOf(misses, typed[i % typed.length]!, 'updated').length
	);
	const sort = measure(
		'one change of sort',
		(i) => shownOf(misses, '', SORTS[i % SORTS.length]!).length
	);
	expect(index).toHaveLength(TICKETS);
	const worst = Math.max(filter.p95, search.p95, sort.p95);
	console.log(`desk-list-10k-p95-ms: ${worst.toFixed(1)}`);
});
