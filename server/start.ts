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
import { startNotify } from './notify/service.ts';

export interface RunningServer {
	readonly url: string;
	readonly port: number;
	readonly couch: Couch;
	readonly config: ServerConfig;
	readonly demoLoaded: boolean;
	/** The sync service (its access model, its follower): for tests and benchmarks. */
	readonly sync: SyncService;
	/**
	 * Resolves when the server has derived everything from the writes made so far (access model,
	 * ticket numbers): for tests that compare devices with the database.
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
	const config = loadConfig(env);
	const couch = await connectCouch(config);
	try {
		await deployDesignDocs(couch.db);
		const now = options.now ?? (() => new Date());
		const demoLoaded = config.demo ? await loadDemoIfEmpty(couch, now()) : false;
		const ctx: AppContext = { config, couch, throttle: new LoginThrottle(couch.privateDb), now };
		const sync = startSync(ctx, env);
		// The notifier reads its planned missions once the access model is ready: at start-up,
		// devices waiting for sync come first.
		const notify = await startNotify(ctx, env, sync.follower.whenReady());
		const server = await listen(
			createApp(ctx, undefined, { publicUrl: env.PUBLIC_URL }),
			config.port,
			config.host
		).catch(async (error) => {
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
			settled: () => sync.settled(),
			checkpoint: () => sync.follower.checkpoint(),
			stop: async () => {
				await new Promise<void>((done) => {
					server.closeAllConnections();
					server.close(() => done());
				});
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
