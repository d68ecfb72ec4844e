// Call-intake search speed on the demo data ×10 (issue #6 target: results in under 100 ms).
import { generateDemo } from '../server/demo/generate.ts';
import { IntakeIndex } from '../src/lib/data/intake.ts';
import type { ClientDoc, TicketDoc } from '../src/lib/domain/schemas.ts';

const demo = generateDemo({ seed: 1, scale: 10, now: new Date() });
const clients = demo.docs.filter((d): d is ClientDoc => d.type === 'client');
const tickets = demo.docs.filter((d): d is TicketDoc => d.type === 'ticket');
let t0 = performance.now();
const index = new IntakeIndex(clients, tickets);
const buildMs = performance.now() - t0;
// What an operator types, one keystroke at a time.
const typed = [
	'd',
	'du',
	'dub',
	'dubo',
	'dubois',
	'0',
	'01',
	'01 4',
	'imp',
	'impr',
	'imprimante',
	'pa',
	'paris',
	String(tickets[500]?.number ?? 10500)
];
const times: number[] = [];
for (let round = 0; round < 20; round++) {
	for (const q of typed) {
		t0 = performance.now();
		index.search(q);
		times.push(performance.now() - t0);
	}
}
times.sort((a, b) => a - b);
const pct = (p: number) =>
	times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(2);
console.log(
	`demo ×10: ${clients.length} clients, ${tickets.length} tickets; index built in ${buildMs.toFixed(0)} ms`
);
console.log(
	`search per keystroke over ${times.length} queries: median ${pct(0.5)} ms, p95 ${pct(0.95)} ms, max ${pct(1)} ms`
);
console.log(`intake-search-p95-ms: ${pct(0.95)}`);
