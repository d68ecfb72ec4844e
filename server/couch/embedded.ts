import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

export interface EmbeddedCouch {
	/** Base URL with the admin credentials, loopback only. */
	readonly url: URL;
	stop(): Promise<void>;
}

export const EMBEDDED_ADMIN = 'terrain';

type PouchConstructor = {
	defaults(options: Record<string, unknown>): unknown;
	plugin(plugin: unknown): PouchConstructor;
};
let pouch: PouchConstructor | null = null;

/** PouchDB with its plugins, built once: plugins cannot be added twice to one constructor. */
function pouchDB(): PouchConstructor {
	pouch ??= (require('pouchdb-core') as PouchConstructor)
		.plugin(require('pouchdb-adapter-memory'))
		.plugin(require('pouchdb-adapter-leveldb'))
		.plugin(require('pouchdb-adapter-http'))
		.plugin(require('pouchdb-mapreduce'))
		.plugin(require('pouchdb-replication'));
	return pouch;
}

/**
 * Starts the CouchDB-compatible server (express-pouchdb on PouchDB 9) on a free
 * loopback port. It is only ever spoken to by this process, as admin: it has known
 * defects (see README) that make it unfit to face users.
 */
export async function startEmbeddedCouch(options: {
	dataDir: string;
	adminPassword: string;
	memory: boolean;
}): Promise<EmbeddedCouch> {
	const PouchDB = pouchDB();
	const dbDir = join(options.dataDir, 'db');
	if (!options.memory) mkdirSync(dbDir, { recursive: true });
	const Local = options.memory
		? PouchDB.defaults({ adapter: 'memory' })
		: PouchDB.defaults({ adapter: 'leveldb', prefix: dbDir + '/' });
	const expressPouchDB = require('express-pouchdb');
	const app = expressPouchDB(Local, {
		mode: 'fullCouchDB',
		// Keep its config and log out of the working directory.
		inMemoryConfig: true,
		logPath: options.memory ? '/dev/null' : join(options.dataDir, 'couch-log.txt'),
		overrideMode: { exclude: ['routes/fauxton'] }
	});
	await new Promise<void>((done) => {
		app.couchConfig.set('admins', EMBEDDED_ADMIN, options.adminPassword, () => done());
	});
	// Quiet the "log" section so it does not print every request.
	await new Promise<void>((done) => app.couchConfig.set('log', 'level', 'error', () => done()));
	const server: Server = await new Promise((done, fail) => {
		const s: Server = app.listen(0, '127.0.0.1', () => done(s));
		s.on('error', fail);
	});
	const { port } = server.address() as AddressInfo;
	const url = new URL(`http://127.0.0.1:${port}`);
	url.username = EMBEDDED_ADMIN;
	url.password = options.adminPassword;
	const runFile = join(options.dataDir, RUN_FILE);
	if (!options.memory)
		writeFileSync(runFile, JSON.stringify({ port, pid: process.pid }), { mode: 0o600 });
	return {
		url,
		stop: () =>
			new Promise<void>((done) => {
				if (!options.memory && existsSync(runFile)) rmSync(runFile, { force: true });
				server.closeAllConnections();
				server.close(() => done());
			})
	};
}

const RUN_FILE = 'embedded-running.json';

/**
 * The embedded server of a Terrain process already running on this data folder, if any:
 * its LevelDB files are locked, so tools (the user CLI) talk to it over loopback instead.
 */
export async function runningEmbeddedCouch(
	dataDir: string,
	adminPassword: string
): Promise<URL | null> {
	const file = join(dataDir, RUN_FILE);
	if (!existsSync(file)) return null;
	try {
		const { port } = JSON.parse(readFileSync(file, 'utf8')) as { port: number };
		const url = new URL(`http://127.0.0.1:${port}`);
		url.username = EMBEDDED_ADMIN;
		url.password = adminPassword;
		const res = await fetch(`http://127.0.0.1:${port}/_session`, {
			headers: {
				authorization: `Basic ${Buffer.from(`${EMBEDDED_ADMIN}:${adminPassword}`).toString('base64')}`
			},
			signal: AbortSignal.timeout(2000)
		});
		return res.ok ? url : null;
	} catch {
		return null;
	}
}
