import { createHash, timingSafeEqual } from 'node:crypto';
import {
	chmodSync,
	existsSync,
	lstatSync,
	mkdirSync,
	readdirSync,
	readFileSync,
	rmSync,
	writeFileSync
} from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo, Socket } from 'node:net';
import {
	createServer,
	type IncomingMessage,
	type RequestListener,
	type ServerResponse
} from 'node:http';
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
 * loopback port. It is only ever spoken to by this process (and the user CLI), as admin: it has
 * known defects (see README) that make it unfit to face anyone else, so a gate in front of it
 * answers 401 to every request without the generated admin's credentials and 403 to the parts of
 * CouchDB the server never uses (`_users`, `_replicator`, `_replicate`, `_config`, system
 * databases). On disk, the data folder is readable by its owner only (700, files 600).
 */
export async function startEmbeddedCouch(options: {
	dataDir: string;
	adminPassword: string;
	memory: boolean;
}): Promise<EmbeddedCouch> {
	const PouchDB = pouchDB();
	const dbDir = join(options.dataDir, 'db');
	if (!options.memory) ownerOnly(options.dataDir, dbDir);
	const Local = options.memory
		? PouchDB.defaults({ adapter: 'memory' })
		: PouchDB.defaults({ adapter: 'leveldb', prefix: dbDir + '/' });
	const expressPouchDB = require('express-pouchdb');
	const app = expressPouchDB(Local, {
		mode: 'fullCouchDB',
		// Keep its config and log out of the working directory.
		inMemoryConfig: true,
		logPath: options.memory ? '/dev/null' : join(options.dataDir, 'couch-log.txt'),
		// No replicator daemon: a `_replicator` document it could not read crashed the process.
		overrideMode: { exclude: ['routes/fauxton', 'replicator', 'routes/replicate'] }
	});
	// Errors its routes pass on: a CouchDB-shaped 500, never its stack.
	app.use((error: unknown, _req: IncomingMessage, res: ServerResponse, next: unknown) => {
		void next;
		if (res.headersSent) return void res.destroy();
		answer(res, 500, 'internal', error instanceof Error ? error.message : String(error));
	});
	await new Promise<void>((done) => {
		app.couchConfig.set('admins', EMBEDDED_ADMIN, options.adminPassword, () => done());
	});
	// Quiet the "log" section so it does not print every request.
	await new Promise<void>((done) => app.couchConfig.set('log', 'level', 'error', () => done()));
	const admitted = gate(options.adminPassword);
	const handler = app as RequestListener;
	const server = createServer((req, res) => {
		if (!admitted(req, res)) return;
		try {
			handler(req, res);
		} catch (error) {
			if (!res.headersSent) answer(res, 500, 'internal', String(error));
		}
	});
	// A malformed request ends its own connection, nothing else.
	server.on('clientError', (_error, socket: Socket) => {
		if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
		else socket.destroy();
	});
	await new Promise<void>((done, fail) => {
		server.once('error', fail);
		server.listen(0, '127.0.0.1', () => {
			server.off('error', fail);
			done();
		});
	});
	server.on('error', (error) => console.error(`embedded database: ${error.message}`));
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

/** Top-level paths of CouchDB the server never uses: refused even with the credentials. */
const REFUSED = new Set(['_users', '_replicator', '_replicate', '_config', '_utils']);

/**
 * Admits a request only with the generated admin's Basic credentials (compared in constant
 * time) and only to what the server uses; answers the others itself.
 */
function gate(adminPassword: string): (req: IncomingMessage, res: ServerResponse) => boolean {
	const digest = (value: string) => new Uint8Array(createHash('sha256').update(value).digest());
	const expected = digest(
		`Basic ${Buffer.from(`${EMBEDDED_ADMIN}:${adminPassword}`).toString('base64')}`
	);
	return (req, res) => {
		const given = digest(req.headers.authorization ?? '');
		if (!timingSafeEqual(given, expected)) {
			res.setHeader('WWW-Authenticate', 'Basic realm="terrain"');
			answer(res, 401, 'unauthorized', 'Name or password is incorrect.');
			return false;
		}
		const parts = (req.url ?? '/').split('?')[0]!.split('/').filter(Boolean);
		let first: string;
		try {
			first = decodeURIComponent(parts[0] ?? '');
		} catch {
			answer(res, 400, 'bad_request', 'Malformed path.');
			return false;
		}
		// Names starting with `_` are CouchDB's own databases: never created here.
		const systemDb = req.method === 'PUT' && parts.length === 1 && first.startsWith('_');
		if (REFUSED.has(first) || systemDb) {
			answer(res, 403, 'forbidden', `${first} is not available on this server.`);
			return false;
		}
		return true;
	};
}

function answer(res: ServerResponse, status: number, error: string, reason: string): void {
	// The request body is not read: close the connection rather than drain it.
	res.writeHead(status, { 'Content-Type': 'application/json', Connection: 'close' });
	res.end(JSON.stringify({ error, reason }));
}

/**
 * The data folder and everything in it readable by the process's user only: folders 700,
 * files 600, and a umask so the files LevelDB creates from now on are too.
 */
function ownerOnly(dataDir: string, dbDir: string): void {
	try {
		process.umask(0o077);
	} catch {
		// Worker threads cannot change the umask; the folders' 700 still closes the files.
	}
	mkdirSync(dbDir, { recursive: true, mode: 0o700 });
	const walk = (path: string) => {
		const stat = lstatSync(path);
		if (stat.isSymbolicLink()) return;
		if (stat.isDirectory()) {
			if ((stat.mode & 0o777) !== 0o700) chmodSync(path, 0o700);
			for (const name of readdirSync(path)) walk(join(path, name));
		} else if ((stat.mode & 0o777 & ~0o600) !== 0) {
			chmodSync(path, stat.mode & 0o600);
		}
	};
	walk(dataDir);
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
