// Jobs benchmark (npm run bench:jobs, issue #14). Prints figures; it is not a timed test.
//
// One server with an in-memory embedded database, its own timer off (JOBS=0), holding the demo
// company at BENCH_JOBS_SCALE× (default 100) generated for now, without its billing items and
// hour-bank movements: the server meets the demo's closures as after a downtime, unbilled.
// The escalation, timeout and billing jobs share one ticket feed, as in the server
// (service.ts). Sweeps, one after the other:
// 1. catch-up: the first sweep (the feed reads every ticket and SLA fact; the billing job every
//    closure; everything due since the demo's three months is done);
// 2. settle: the next one (it reads, as changes, what the catch-up wrote);
// 3. steady: nothing changed since (what a sweep costs every minute on a quiet desk);
// 4. busy: after 10 tickets edited on the desk (one of them raised to P1, past its deadline)
//    and one resolved ticket closed with a signed report (billed).
// For each: seconds, documents read, documents written, per job. The last line is
// `jobs-sweep-<scale>x-s: <seconds>` of the busy sweep, the three jobs together.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDemo } from '../server/demo/generate.ts';
import { billingJob } from '../server/jobs/billing-job.ts';
import type { Job, JobOutcome } from '../server/jobs/runner.ts';
import { escalationJob, timeoutJob } from '../server/jobs/sla-jobs.ts';
import { TicketFeed } from '../server/jobs/ticket-feed.ts';
import { startServer } from '../server/start.ts';
import { newId } from '../src/lib/domain/ids.ts';
import type { ReportDoc, TicketDoc } from '../src/lib/domain/schemas.ts';
import { transition } from '../src/lib/domain/ticket.ts';

const raw = process.env.BENCH_JOBS_SCALE ?? '100';
const scale = Number(raw);
if (!Number.isInteger(scale) || scale < 1) {
	console.error(`BENCH_JOBS_SCALE "${raw}" must be a whole number ≥ 1`);
	process.exit(2);
}
const BATCH = 1000;

// Generated before the server starts: the generation holds the event loop for a while (25 s at
// 100×), and the server's keep-alive sockets would time out under the first request's feet.
const now = new Date();
const genStart = performance.now();
const demo = generateDemo({ seed: 1, scale, now });
const docs = demo.docs.filter((d) => d.type !== 'billing' && d.type !== 'hourbank');
console.error(
	`generated ${demo.docs.length} documents in ${((performance.now() - genStart) / 1000).toFixed(1)} s; loading…`
);

const dataDir = mkdtempSync(join(tmpdir(), 'terrain-bench-jobs-'));
const server = await startServer({
	PORT: '0',
	HOST: '127.0.0.1',
	DATA_DIR: dataDir,
	TERRAIN_MEMORY_DB: '1',
	DEMO: '0',
	JOBS: '0'
});
try {
	const loadStart = performance.now();
	for (let i = 0; i < docs.length; i += BATCH) {
		const res = await server.couch.db.bulk({ docs: docs.slice(i, i + BATCH) as object[] });
		const failed = res.find((r) => 'error' in r && r.error);
		if (failed) throw new Error(`refused: ${failed.id}: ${failed.reason ?? failed.error}`);
		if ((i / BATCH) % 25 === 24)
			console.error(
				`loaded ${i + BATCH} of ${docs.length} in ${((performance.now() - loadStart) / 1000).toFixed(0)} s`
			);
	}
	const loadSeconds = (performance.now() - loadStart) / 1000;
	console.log(
		`scale: ${scale}×, documents: ${docs.length} (demo's ${demo.docs.length - docs.length} billing documents left out), loaded in ${loadSeconds.toFixed(1)} s`
	);

	const ctx = {
		db: server.couch.db,
		privateDb: server.couch.privateDb,
		written: () => {},
		outbox: () => null,
		publicUrl: 'http://127.0.0.1',
		unsubscribeSecret: 'bench',
		feed: new TicketFeed(server.couch.db)
	};
	const jobs: Job[] = [escalationJob(ctx), timeoutJob(ctx), billingJob(ctx)];

	async function sweep(label: string): Promise<number> {
		const start = performance.now();
		const outcomes: Array<[string, JobOutcome, number]> = [];
		for (const job of jobs) {
			const t = performance.now();
			const outcome = await job.run(new Date());
			outcomes.push([job.name, outcome, (performance.now() - t) / 1000]);
		}
		const seconds = (performance.now() - start) / 1000;
		for (const [name, o, s] of outcomes)
			console.log(
				`${label} ${name}: ${s.toFixed(3)} s, read ${o.read}, written ${o.written}, actions ${o.actions.length}, errors ${o.errors.length}${o.errors[0] ? ` (first: ${o.errors[0]})` : ''}`
			);
		const read = outcomes.reduce((n, [, o]) => n + o.read, 0);
		const written = outcomes.reduce((n, [, o]) => n + o.written, 0);
		console.log(`${label} sweep: ${seconds.toFixed(3)} s, read ${read}, written ${written}`);
		return seconds;
	}

	await sweep('catch-up');
	await sweep('settle');
	await sweep('steady');

	// The desk's minute: ten tickets edited, one raised to P1 long past its half hour; a
	// resolved ticket closed, with its signed report.
	const stamp = new Date().toISOString();
	const open = docs.filter(
		(d): d is TicketDoc & { _rev?: string } =>
			d.type === 'ticket' && ['new', 'assigned', 'in_progress'].includes(String(d.status))
	);
	// The latest resolved (the timeout job has not closed it yet).
	const resolved = docs
		.filter(
			(d): d is TicketDoc => d.type === 'ticket' && d.status === 'resolved' && Boolean(d.clientId)
		)
		.sort((x, y) => ((x.resolution?.at ?? '') < (y.resolution?.at ?? '') ? 1 : -1))[0];
	const signed = docs.find(
		(d): d is ReportDoc => d.type === 'report' && (d as ReportDoc).signedAt !== undefined
	);
	const edits: object[] = [];
	// The newest first: the one raised to P1 is the likeliest not to be escalated yet.
	open.sort((x, y) => (x.createdAt < y.createdAt ? 1 : -1));
	for (const [i, t] of open.slice(0, 10).entries()) {
		const current = (await server.couch.db.get(t._id)) as unknown as TicketDoc;
		edits.push(
			i === 0
				? { ...current, impact: 1, urgency: 1, priority: 'P1', updatedAt: stamp }
				: { ...current, title: `${current.title} (relancé)`, updatedAt: stamp }
		);
	}
	if (resolved && signed) {
		const current = (await server.couch.db.get(resolved._id)) as unknown as TicketDoc;
		const closed = transition(current, { type: 'close' }, { kind: 'system' }, stamp);
		if (closed.ok) edits.push(closed.value);
		edits.push({
			...signed,
			_id: newId('report', new Date()),
			_rev: undefined,
			ticketId: resolved._id,
			clientId: resolved.clientId
		});
	}
	const res = await server.couch.db.bulk({ docs: edits });
	const failed = res.find((r) => 'error' in r && r.error);
	if (failed) throw new Error(`refused: ${failed.id}: ${failed.reason ?? failed.error}`);
	console.log(`busy: ${edits.length} documents written on the desk`);
	const busy = await sweep('busy');
	console.log(`jobs-sweep-${scale}x-s: ${busy.toFixed(3)}`);
} finally {
	await server.stop();
	rmSync(dataDir, { recursive: true, force: true });
}
// As bench:push: the embedded server keeps a heartbeat timer alive; exit once printed.
process.exit(0);
