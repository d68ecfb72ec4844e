/**
 * Starts the notifier and the mail outbox of this server instance. Configuration (all
 * optional): SMTP_URL, MAIL_FROM, PUBLIC_URL, REMINDER_MINUTES (60), PUSH_EXTRA_CA (a PEM
 * file of an extra certificate authority for push services: the tests' local one), and
 * timings for tests (NOTIFY_LEASE_MS, NOTIFY_SWEEP_MS, MAIL_RETRY_BASE_MS, MAIL_POLL_MS).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { AppContext } from '../http/context.ts';
import { StartupError } from '../errors.ts';
import { Notifier } from './notifier.ts';
import { Outbox } from './outbox.ts';
import { PushSender } from './push-send.ts';

type Env = Readonly<Record<string, string | undefined>>;

export interface NotifyService {
	readonly notifier: Notifier;
	readonly outbox: Outbox;
	stop(): Promise<void>;
}

/** The running service of each server context, for the routes that describe it. */
const running = new WeakMap<AppContext, NotifyService>();

export function notifyServiceOf(ctx: AppContext): NotifyService | undefined {
	return running.get(ctx);
}

function positive(env: Env, name: string, fallback: number): number {
	const raw = env[name];
	if (raw === undefined || raw.trim() === '') return fallback;
	const value = Number(raw);
	if (!Number.isFinite(value) || value <= 0)
		throw new StartupError(`${name} "${raw}" must be a positive number.`);
	return value;
}

/** @throws {StartupError} on a wrong setting. */
export async function startNotify(
	ctx: AppContext,
	env: Env = process.env,
	ready?: Promise<unknown>,
	served?: Promise<unknown>
): Promise<NotifyService> {
	const { config } = ctx;
	const smtpUrl = env.SMTP_URL?.trim() || null;
	if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl)) {
		throw new StartupError(
			`SMTP_URL must start with smtp:// or smtps:// (e.g. smtp://user:pass@mail.example.fr:587).`
		);
	}
	let extraCa: string | null = null;
	if (env.PUSH_EXTRA_CA) {
		try {
			extraCa = readFileSync(env.PUSH_EXTRA_CA, 'utf8');
		} catch {
			throw new StartupError(`PUSH_EXTRA_CA ${env.PUSH_EXTRA_CA} cannot be read.`);
		}
	}
	const publicUrl = (env.PUBLIC_URL?.trim() || `http://${config.host}:${config.port}`).replace(
		/\/$/,
		''
	);
	const outbox = new Outbox(
		ctx.couch.privateDb,
		{
			smtpUrl,
			from: env.MAIL_FROM?.trim() || 'Terrain <terrain@localhost>',
			retryBaseMs: positive(env, 'MAIL_RETRY_BASE_MS', 30_000),
			retryMaxMs: 60 * 60_000,
			maxAttempts: 20,
			pollMs: positive(env, 'MAIL_POLL_MS', 5_000),
			// How long a mail being sent stays another instance's: also the delay before a mail
			// whose lease no instance could confirm (two racing on a cluster: both 202) is sent.
			leaseMs: positive(env, 'MAIL_LEASE_MS', 120_000)
		},
		ctx.now
	);
	const push = new PushSender(
		{
			subject: config.vapidSubject,
			publicKey: config.secrets.vapidPublicKey,
			privateKey: config.secrets.vapidPrivateKey
		},
		extraCa,
		config.push
	);
	const notifier = new Notifier(
		ctx.couch,
		config.dbName,
		{
			instance: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
			leaseMs: positive(env, 'NOTIFY_LEASE_MS', 60_000),
			reminderMinutes: positive(env, 'REMINDER_MINUTES', 60),
			sweepMs: positive(env, 'NOTIFY_SWEEP_MS', 30_000),
			publicUrl,
			unsubscribeSecret: config.secrets.sessionSecret,
			feedTimeoutMs: 25_000,
			numberWaitMs: positive(env, 'NOTIFY_NUMBER_WAIT_MS', 10_000)
		},
		push,
		outbox,
		ctx.now
	);
	await notifier.start(ready, served);
	outbox.start();
	const service: NotifyService = {
		notifier,
		outbox,
		stop: async () => {
			running.delete(ctx);
			await notifier.stop();
			await outbox.stop();
			push.close();
		}
	};
	running.set(ctx, service);
	return service;
}
