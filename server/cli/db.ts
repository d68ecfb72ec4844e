// Backup and restore by replication: npm run db -- <backup|restore> [options]
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { loadConfig, redact } from '../config.ts';
import { connectCouch, type Couch } from '../couch/connect.ts';
import { StartupError, messageOf } from '../errors.ts';

const require = createRequire(import.meta.url);

const USAGE = `Usage: npm run db -- <command> [options]
  backup  --to <CouchDB URL> [--name <base name>]
          replicates <db> and <db>_private to <base name> and <base name>_private on that CouchDB
          (created when missing; default base name: the database's own). Run it again later with
          the same name: only what changed is copied. A dated name keeps a copy as it was.
  restore --from <CouchDB URL> [--name <base name>]
          replicates <base name> and <base name>_private from that CouchDB into this server's
          databases, which must be empty (stop Terrain, delete both databases or choose another
          COUCHDB_DB/DATA_DIR, run this, start Terrain).
Uses COUCHDB_URL and COUCHDB_DB when set, else the embedded database in DATA_DIR (through the
running server when it is up). The URLs need an admin's credentials, e.g. http://admin:pw@host:5984.`;

interface ReplicationResult {
	ok: boolean;
	docs_read: number;
	docs_written: number;
	doc_write_failures: number;
	errors: unknown[];
}

interface PouchLike {
	replicate: {
		to(target: unknown, options: Record<string, unknown>): Promise<ReplicationResult>;
	};
	info(): Promise<{ doc_count: number }>;
	close(): Promise<void>;
}

type PouchConstructor = {
	new (name: string, options?: Record<string, unknown>): PouchLike;
	plugin(plugin: unknown): PouchConstructor;
};

let pouch: PouchConstructor | null = null;

/** PouchDB as an HTTP client only: the replication runs in this process, from one server to the other. */
function remote(url: URL): PouchLike {
	if (!pouch) {
		// The embedded server (same process) may have added these plugins to the constructor:
		// adding one twice throws.
		const core = require('pouchdb-core') as PouchConstructor & {
			adapters?: Record<string, unknown>;
			replicate?: unknown;
		};
		if (!core.adapters?.http) core.plugin(require('pouchdb-adapter-http'));
		if (typeof core.replicate !== 'function') core.plugin(require('pouchdb-replication'));
		pouch = core;
	}
	const bare = new URL(url);
	bare.username = '';
	bare.password = '';
	return new pouch(bare.toString(), {
		adapter: 'http',
		skip_setup: false,
		auth: { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) }
	});
}

function dbUrl(base: URL, name: string): URL {
	const url = new URL(base);
	url.pathname = `${url.pathname.replace(/\/$/, '')}/${encodeURIComponent(name)}`;
	return url;
}

/** Copies one database; every document counted, attachments included, `_local` ones aside. */
async function copy(
	from: URL,
	to: URL
): Promise<ReplicationResult & { count: number; sourceCount: number }> {
	const source = remote(from);
	const target = remote(to);
	try {
		// Checkpoints on the target only: nothing is written to the database being copied.
		const result = await source.replicate.to(target, { checkpoint: 'target', batch_size: 200 });
		const count = (await target.info()).doc_count;
		const sourceCount = (await source.info()).doc_count;
		return { ...result, count, sourceCount };
	} finally {
		await source.close();
		await target.close();
	}
}

function report(
	what: string,
	from: URL,
	to: URL,
	r: ReplicationResult & { count: number; sourceCount: number }
) {
	console.log(
		`${what}: ${redact(from.toString())} → ${redact(to.toString())}: ${r.docs_read} read, ${r.docs_written} written, ${r.doc_write_failures} refused; documents: ${r.sourceCount} in the source, ${r.count} in the copy (a cluster may count the last writes a moment later)`
	);
	if (r.doc_write_failures > 0)
		throw new Error(
			`${r.doc_write_failures} documents were refused by ${redact(to.toString())} (validate_doc_update or permissions)`
		);
}

/** Documents other than design documents, so a fresh database (design documents deployed) counts as empty. */
async function businessCount(couch: Couch, which: 'db' | 'privateDb'): Promise<number> {
	const db = couch[which];
	const info = await db.info();
	const designs = await db.list({ startkey: '_design/', endkey: '_design0' });
	return info.doc_count - designs.rows.length;
}

async function main(argv: string[]): Promise<void> {
	const [command, ...rest] = argv;
	const { values } = parseArgs({
		args: rest,
		options: {
			to: { type: 'string' },
			from: { type: 'string' },
			name: { type: 'string' }
		},
		strict: true
	});
	if (command !== 'backup' && command !== 'restore') {
		throw new UsageError(command ? `unknown command "${command}"` : 'no command given');
	}
	const other = command === 'backup' ? values.to : values.from;
	if (!other) throw new UsageError(`${command} needs ${command === 'backup' ? '--to' : '--from'}`);
	let otherUrl: URL;
	try {
		otherUrl = new URL(other);
	} catch {
		throw new UsageError(`"${redact(other)}" is not a URL (e.g. http://admin:pw@host:5984)`);
	}
	const config = loadConfig({ ...process.env, DEMO: '0' });
	const name = values.name?.trim() || config.dbName;
	if (!/^[a-z][a-z0-9_$()+/-]*$/.test(name))
		throw new UsageError(`--name "${name}" is not a valid database name`);
	const couch = await connectCouch(config, { shareRunning: true });
	try {
		const ours = (suffix: string) => dbUrl(couch.url, `${config.dbName}${suffix}`);
		const theirs = (suffix: string) => dbUrl(otherUrl, `${name}${suffix}`);
		if (command === 'backup') {
			for (const suffix of ['', '_private'])
				report('backup', ours(suffix), theirs(suffix), await copy(ours(suffix), theirs(suffix)));
			return;
		}
		const present = (await businessCount(couch, 'db')) + (await businessCount(couch, 'privateDb'));
		if (present > 0) {
			throw new UsageError(
				`${config.dbName} and ${config.dbName}_private already hold ${present} documents: restore into empty databases (stop Terrain, delete both or choose another COUCHDB_DB/DATA_DIR)`
			);
		}
		for (const suffix of ['', '_private'])
			report('restore', theirs(suffix), ours(suffix), await copy(theirs(suffix), ours(suffix)));
		// The notifier's position is a sequence of the database it was read from, meaningless in
		// this one: without it the notifier starts at the end of the feed (nothing re-sent).
		const checkpoint = await couch.privateDb.get('notify:checkpoint').catch(() => null);
		if (checkpoint?._rev) await couch.privateDb.destroy('notify:checkpoint', checkpoint._rev);
		console.log('restore: done; start Terrain on these databases.');
	} finally {
		await couch.close();
	}
}

class UsageError extends Error {}

try {
	await main(process.argv.slice(2));
} catch (error) {
	if (error instanceof UsageError) {
		console.error(`Error: ${error.message}\n\n${USAGE}`);
		process.exit(2);
	}
	console.error(`Error: ${error instanceof StartupError ? error.message : messageOf(error)}`);
	process.exit(1);
}
