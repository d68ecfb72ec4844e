/**
 * The server's jobs (escalation on deadline, closure by timeout, billing at closure), run by every instance on a
 * timer and done by one at a time: each run takes the job's lease (`job:<name>` in the private
 * database, lease.ts) and records there what it did. A run decides on the state of the
 * database at `now` (an instance's first run reads it all; later ones follow its changes,
 * ticket-feed.ts), so an instance that starts after a night down does the night's work on its
 * first run, once: what a job writes is a fact with a fixed id, created once (sla-facts.ts),
 * so a run repeated (its lease expired in the middle) or two runs at once write nothing twice.
 */
import { messageOf } from '../errors.ts';
import { getOrNull, releaseLease, takeLease, type Db } from './lease.ts';

export const JOB_NAMES = ['escalation', 'timeout', 'billing'] as const;
export type JobName = (typeof JOB_NAMES)[number];

export type JobActionCode = 'escalated' | 'at_risk' | 'timeout' | 'billed' | 'corrected';

/** One thing a run did, with what the admin screen needs to say it. */
export interface JobAction {
	readonly code: JobActionCode;
	readonly ticketId: string;
	readonly number: number | null;
	readonly level?: number;
	readonly at: string;
}

export interface JobOutcome {
	/** Documents read (the catch-up's, then the changes since the last run, and what they needed). */
	read: number;
	/** Documents written (facts, mails). */
	written: number;
	actions: JobAction[];
	errors: string[];
}

export interface JobRun extends JobOutcome {
	readonly startedAt: string;
	readonly endedAt: string;
	readonly instance: string;
}

export interface JobDoc {
	readonly type: 'job';
	readonly name: JobName;
	readonly lastRun: JobRun | null;
	/** The latest runs, newest first (a few). */
	readonly runs: readonly JobRun[];
	readonly lastActionAt: string | null;
}

export interface Job {
	readonly name: JobName;
	run(now: Date): Promise<JobOutcome>;
}

export const jobDocId = (name: JobName): string => `job:${name}`;

const RUNS_KEPT = 10;
const ACTIONS_KEPT = 50;

export interface RunnerOptions {
	readonly instance: string;
	/** How often each instance tries the jobs. */
	readonly tickMs: number;
	/** How long a run may take before another instance may take the job over. */
	readonly leaseMs: number;
}

export class JobRunner {
	readonly #privateDb: Db;
	readonly #jobs: readonly Job[];
	readonly #options: RunnerOptions;
	readonly #now: () => Date;
	#timer: NodeJS.Timeout | null = null;
	#running: Promise<unknown> | null = null;
	#stopped = false;

	constructor(privateDb: Db, jobs: readonly Job[], options: RunnerOptions, now: () => Date) {
		this.#privateDb = privateDb;
		this.#jobs = jobs;
		this.#options = options;
		this.#now = now;
	}

	start(): void {
		if (this.#stopped || this.#timer) return;
		this.#timer = setInterval(() => void this.runAll(), this.#options.tickMs);
		this.#timer.unref();
		void this.runAll();
	}

	async stop(): Promise<void> {
		this.#stopped = true;
		if (this.#timer) clearInterval(this.#timer);
		await this.#running;
	}

	/** Resolves when the run going on in this instance, if any, has ended (tests). */
	async idle(): Promise<void> {
		while (this.#running) await this.#running.catch(() => undefined);
	}

	/**
	 * Runs each job this instance gets the lease of (one after the other; a run already going
	 * on in this instance is waited for, not doubled).
	 * @returns the runs this instance made, by job.
	 */
	async runAll(): Promise<Partial<Record<JobName, JobRun>>> {
		while (this.#running) await this.#running.catch(() => undefined);
		if (this.#stopped) return {};
		const work = this.#runAll();
		this.#running = work;
		try {
			return await work;
		} finally {
			this.#running = null;
		}
	}

	async #runAll(): Promise<Partial<Record<JobName, JobRun>>> {
		const done: Partial<Record<JobName, JobRun>> = {};
		for (const job of this.#jobs) {
			try {
				const run = await this.#runOne(job);
				if (run) done[job.name] = run;
			} catch (error) {
				console.warn(`jobs: ${job.name}: ${messageOf(error)}`);
			}
		}
		return done;
	}

	async #runOne(job: Job): Promise<JobRun | null> {
		const startedAt = this.#now();
		const initial: Omit<JobDoc, 'owner' | 'leaseUntil'> = {
			type: 'job',
			name: job.name,
			lastRun: null,
			runs: [],
			lastActionAt: null
		};
		const held = await takeLease(
			this.#privateDb,
			jobDocId(job.name),
			initial,
			this.#options.instance,
			this.#options.leaseMs,
			startedAt
		);
		if (!held) return null;
		let outcome: JobOutcome;
		try {
			outcome = await job.run(startedAt);
		} catch (error) {
			outcome = { read: 0, written: 0, actions: [], errors: [messageOf(error)] };
		}
		const run: JobRun = {
			...outcome,
			actions: outcome.actions.slice(0, ACTIONS_KEPT),
			errors: outcome.errors.slice(0, ACTIONS_KEPT),
			startedAt: startedAt.toISOString(),
			endedAt: this.#now().toISOString(),
			instance: this.#options.instance
		};
		const last = outcome.actions.at(-1);
		await releaseLease(this.#privateDb, held, {
			lastRun: run,
			runs: [run, ...held.runs].slice(0, RUNS_KEPT),
			lastActionAt: last ? last.at : held.lastActionAt
		});
		return run;
	}
}

/** The jobs' documents, for the admin screen: every known job, run or not. */
export async function jobStates(
	privateDb: Db,
	at: Date
): Promise<Array<{ name: JobName; doc: JobDoc | null; running: boolean }>> {
	const now = at.toISOString();
	return Promise.all(
		JOB_NAMES.map(async (name) => {
			const doc = await getOrNull<JobDoc & { owner?: string | null; leaseUntil?: string | null }>(
				privateDb,
				jobDocId(name)
			);
			return {
				name,
				doc,
				running: Boolean(doc?.owner && doc.leaseUntil && doc.leaseUntil > now)
			};
		})
	);
}
