import nano from 'nano';
import type { DocumentScope, ServerScope } from 'nano';
import { redact, type ServerConfig } from '../config.ts';
import { StartupError, messageOf, statusOf } from '../errors.ts';
import { runningEmbeddedCouch, startEmbeddedCouch } from './embedded.ts';

/** The server's admin connection to CouchDB (real or embedded). */
export interface Couch {
	readonly server: ServerScope;
	/** Business documents, replicated (filtered) to devices. */
	readonly db: DocumentScope<Record<string, unknown>>;
	/** Server-only documents: credentials, sessions throttle, subscriptions, outbox, checkpoints. */
	readonly privateDb: DocumentScope<Record<string, unknown>>;
	readonly url: URL;
	readonly embedded: boolean;
	close(): Promise<void>;
}

/**
 * Connects to COUCHDB_URL, or starts the embedded server, and makes sure the
 * databases and their security objects exist.
 * @throws {StartupError} when CouchDB cannot be reached or refuses the credentials.
 */
export async function connectCouch(
	config: ServerConfig,
	options: { shareRunning?: boolean } = {}
): Promise<Couch> {
	const running =
		!config.couchUrl && !config.memory && options.shareRunning
			? await runningEmbeddedCouch(config.dataDir, config.secrets.embeddedAdminPassword)
			: null;
	const embedded =
		config.couchUrl || running
			? null
			: await startEmbeddedCouch({
					dataDir: config.dataDir,
					adminPassword: config.secrets.embeddedAdminPassword,
					memory: config.memory
				});
	const url = config.couchUrl ?? running ?? embedded!.url;
	const server = nano({ url: url.toString() });
	try {
		await checkReachable(server, url);
		await ensureDatabase(server, config.dbName);
		await ensureDatabase(server, `${config.dbName}_private`);
	} catch (error) {
		await embedded?.stop();
		throw error;
	}
	return {
		server,
		db: server.use(config.dbName),
		privateDb: server.use(`${config.dbName}_private`),
		url,
		embedded: config.couchUrl === null,
		close: async () => {
			await embedded?.stop();
		}
	};
}

async function checkReachable(server: ServerScope, url: URL): Promise<void> {
	const where = redact(url.origin);
	try {
		await server.session();
		const info = await server.request({ path: '_all_dbs' });
		if (!Array.isArray(info)) throw new Error('unexpected answer');
	} catch (error) {
		const status = statusOf(error);
		if (status === 401 || status === 403) {
			throw new StartupError(
				`CouchDB at ${where} refused the credentials (HTTP ${status}): put an admin's user and password in COUCHDB_URL, e.g. http://admin:password@host:5984`
			);
		}
		const code =
			(error as { code?: string }).code ?? /\b(E[A-Z]{3,})\b/.exec(messageOf(error))?.[1];
		const reason = code ?? messageOf(error);
		throw new StartupError(
			`Cannot reach CouchDB at ${where} (${reason}): is it running, and is COUCHDB_URL right?`
		);
	}
}

/** Members only: devices never reach CouchDB directly, only the server (as admin) does. */
const SECURITY = {
	admins: { names: [], roles: [] },
	members: { names: [], roles: ['_admin'] }
};

async function ensureDatabase(server: ServerScope, name: string): Promise<void> {
	try {
		await server.db.create(name);
	} catch (error) {
		if (statusOf(error) !== 412) throw error;
	}
	const db = server.use(name);
	await server.request({ db: name, method: 'PUT', path: '_security', body: SECURITY });
	void db;
}
