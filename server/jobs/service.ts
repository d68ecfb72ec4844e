/**
 * Starts the jobs of this server instance. Configuration (all optional): JOBS=0 turns them off
 * on this instance (another runs them), JOBS_TICK_MS (60 000) how often an instance tries them,
 * JOBS_LEASE_MS (300 000) how long a run may take before another instance takes the job over.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { StartupError } from '../errors.ts';
import type { AppContext } from '../http/context.ts';
import { notifyServiceOf } from '../notify/service.ts';
import { syncOf } from '../sync/service.ts';
import { JobRunner } from './runner.ts';
import { billingJob } from './billing-job.ts';
import { escalationJob, timeoutJob } from './sla-jobs.ts';
import { TicketFeed } from './ticket-feed.ts';

type Env = Readonly<Record<string, string | undefined>>;

function positive(env: Env, name: string, fallback: number): number {
	const raw = env[name];
	if (raw === undefined || raw.trim() === '') return fallback;
	const value = Number(raw);
	if (!Number.isFinite(value) || value <= 0)
		throw new StartupError(`${name} "${raw}" must be a positive number.`);
	return value;
}

/** The runner, not started (the caller starts it unless JOBS=0). @throws {StartupError} on a wrong setting. */
export function startJobs(ctx: AppContext, env: Env = process.env): JobRunner {
	const publicUrl = (
		env.PUBLIC_URL?.trim() || `http://${ctx.config.host}:${ctx.config.port}`
	).replace(/\/$/, '');
	const jobCtx = {
		db: ctx.couch.db,
		privateDb: ctx.couch.privateDb,
		written: (id: string, rev: string) => syncOf(ctx).noteWritten(id, rev, false),
		outbox: () => notifyServiceOf(ctx)?.outbox ?? null,
		publicUrl,
		unsubscribeSecret: ctx.config.secrets.sessionSecret,
		// One view of the tickets for the three jobs: read once, then followed from the changes.
		feed: new TicketFeed(ctx.couch.db)
	};
	const runner = new JobRunner(
		ctx.couch.privateDb,
		// Billing after the timeout job: a ticket it closes is billed in the same round.
		[escalationJob(jobCtx), timeoutJob(jobCtx), billingJob(jobCtx)],
		{
			instance: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
			tickMs: positive(env, 'JOBS_TICK_MS', 60_000),
			leaseMs: positive(env, 'JOBS_LEASE_MS', 300_000)
		},
		ctx.now
	);
	return runner;
}
