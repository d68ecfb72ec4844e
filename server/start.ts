import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig, type ServerConfig } from './config.ts';
import { connectCouch, type Couch } from './couch/connect.ts';
import { deployDesignDocs } from './couch/design.ts';
import { LoginThrottle } from './auth/throttle.ts';
import { createApp } from './http/app.ts';
import type { AppContext } from './http/context.ts';
import { StartupError } from './errors.ts';
import { loadDemoIfEmpty } from './seed.ts';
import { startSync, type SyncService } from './sync/service.ts';
import { rulesFingerprint } from './sync/checkpoint.ts';
import { startNotify } from './notify/service.ts';
import { startJobs } from './jobs/service.ts';
import type { JobRunner } from './jobs/runner.ts';

export interface RunningServer {
	readonly url: string;
	readonly port: number;
	readonly couch: Couch;
	readonly config: ServerConfig;
	readonly demoLoaded: boolean;
	/** The sync service (its access model, its follower): for tests and benchmarks. */
	readonly sync: SyncService;
	/** The jobs of this instance (escalation, timeout): tests run them at the clock they set. */
	readonly jobs: JobRunner;
	/**
	 * Resolves when the server has derived everything from the writes made so far (access model,
	 * ticket numbers, the notifier's notes, a jobs run going on): for tests that compare devices
	 * with the database.
	 */
	settled(): Promise<void>;
	/**
	 * Writes the access model's checkpoint now (tests, benchmarks: the server writes its own in
	 * the background); false when it could not.
	 */
	checkpoint(): Promise<boolean>;
	stop(): Promise<void>;
}

/**
 * Brings up the database (embedded or real), deploys design documents, loads the demo
 * on an empty database and listens.
 * @throws {StartupError} for anything the operator must fix.
 */
export async function startServer(
	env: Readonly<Record<string, string | undefined>> = process.env,
	options: { now?: () => Date } = {}
): Promise<RunningServer> {
	const began = performance.now();
	// Read while the database is reached (a restart needs it to trust the model's checkpoint).
	void rulesFingerprint();
	const config = loadConfig(env);
	const couch = await connectCouch(config);
	try {
		await deployDesignDocs(couch.db);
		const now = options.now ?? (() => new Date());
		const demoLoaded = config.demo ? await loadDemoIfEmpty(couch, now()) : false;
		const ctx: AppContext = { config, couch, throttle: new LoginThrottle(couch.privateDb), now };
		const sync = startSync(ctx, env);
		sync.startup.report.connectMs = performance.now() - began;
		// The notifier follows the feed once the access model is ready, and reads its planned
		// missions once sync served its first device (or a few seconds after it was ready): at
		// start-up, devices waiting for sync come first.
		const notify = await startNotify(
			ctx,
			env,
			sync.follower.whenReady(),
			sync.startup.whenServed()
		);
		// After the notifier: what the jobs' first run decides is mailed through its outbox.
		const jobs = startJobs(ctx, env);
		if (env.JOBS !== '0') jobs.start();
		const server = await listen(
			createApp(ctx, undefined, { publicUrl: env.PUBLIC_URL }),
			config.port,
			config.host
		).catch(async (error) => {
			await jobs.stop();
			await notify.stop();
			await sync.stop();
			throw error;
		});
		const { port } = server.address() as AddressInfo;
		const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
		return {
			url: `http://${shownHost}:${port}`,
			port,
			couch,
			config,
			demoLoaded,
			sync,
			jobs,
			settled: async () => {
				// The notifier and the jobs write too (timeline notes, SLA facts): what they write
				// because of the writes so far is in the model when this resolves.
				await sync.settled();
				await notify.notifier.idle();
				await jobs.idle();
				await sync.settled();
			},
			checkpoint: () => sync.follower.checkpoint(),
			stop: async () => {
				await new Promise<void>((done) => {
					server.closeAllConnections();
					server.close(() => done());
				});
				await jobs.stop();
				await notify.stop();
				await sync.stop();
				await couch.close();
			}
		};
	} catch (error) {
		await couch.close();
		throw error;
	}
}

function listen(app: ReturnType<typeof createApp>, port: number, host: string): Promise<Server> {
	return new Promise((done, fail) => {
		const server = app.listen(port, host);
		server.once('listening', () => done(server));
		server.once('error', (error: NodeJS.ErrnoException) => {
			if (error.code === 'EADDRINUSE') {
				fail(
					new StartupError(
						`Port ${port} on ${host} is already in use: stop the other program or set PORT to a free port.`
					)
				);
			} else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
				fail(
					new StartupError(
						`HOST "${host}" is not an address of this machine: set HOST to e.g. 127.0.0.1 or 0.0.0.0.`
					)
				);
			} else if (error.code === 'EACCES') {
				fail(
					new StartupError(
						`Not allowed to listen on port ${port}: use a port above 1023 or run with the right privileges.`
					)
				);
			} else {
				fail(error);
			}
		});
	});
}
