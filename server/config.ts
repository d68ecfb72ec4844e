import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import webpush from 'web-push';
import { StartupError } from './errors.ts';

export interface Secrets {
	readonly sessionSecret: string;
	readonly vapidPublicKey: string;
	readonly vapidPrivateKey: string;
	/** Admin password of the embedded database server (unused with COUCHDB_URL). */
	readonly embeddedAdminPassword: string;
}

export interface ServerConfig {
	readonly port: number;
	readonly host: string;
	readonly dataDir: string;
	readonly production: boolean;
	/** A real CouchDB 3.x; when absent the embedded CouchDB-compatible server is used. */
	readonly couchUrl: URL | null;
	readonly dbName: string;
	readonly secrets: Secrets;
	readonly vapidSubject: string;
	/** Load the demo company into an empty database. */
	readonly demo: boolean;
	/** Keep the embedded database in memory (tests). */
	readonly memory: boolean;
	readonly secureCookies: boolean;
	/** Most documents one user's device may hold. */
	readonly docCap: number;
	/** Reverse proxies in front of the server (TRUST_PROXY): 0 = clients connect directly. */
	readonly trustProxy: number;
	/** Which push endpoints subscriptions may name (PUSH_HOSTS, PUSH_ALLOW_LOOPBACK). */
	readonly push: PushPolicy;
}

export interface PushPolicy {
	/** Host names (`*.` matches any subdomain) or literal IP addresses push endpoints may use. */
	readonly hosts: readonly string[];
	/** Tests only (refused with NODE_ENV=production): loopback addresses are allowed. */
	readonly allowLoopback: boolean;
}

/** The push services browsers subscribe with (Chrome/Edge legacy, Firefox, Windows, Safari). */
export const DEFAULT_PUSH_HOSTS = [
	'fcm.googleapis.com',
	'updates.push.services.mozilla.com',
	'*.notify.windows.com',
	'web.push.apple.com',
	'*.push.apple.com'
] as const;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads the configuration from the environment.
 * @throws {StartupError} with one line saying what to fix.
 */
export function loadConfig(env: Env = process.env): ServerConfig {
	const production = env.NODE_ENV === 'production';
	const port = parsePort(env.PORT ?? '3000');
	const host = env.HOST?.trim() || '127.0.0.1';
	const dataDir = resolve(env.DATA_DIR?.trim() || './data');
	const couchUrl = env.COUCHDB_URL ? parseCouchUrl(env.COUCHDB_URL) : null;
	const dbName = env.COUCHDB_DB?.trim() || 'terrain';
	if (!/^[a-z][a-z0-9_$()+/-]*$/.test(dbName)) {
		throw new StartupError(
			`COUCHDB_DB "${dbName}" is not a valid database name (lowercase letters, digits, _$()+-/).`
		);
	}
	const memory = env.TERRAIN_MEMORY_DB === '1';
	const secrets = loadSecrets(env, production, couchUrl === null, dataDir, memory);
	return {
		port,
		host,
		dataDir,
		production,
		couchUrl,
		dbName,
		secrets,
		vapidSubject: env.VAPID_SUBJECT?.trim() || 'mailto:admin@terrain.invalid',
		demo: env.DEMO !== '0',
		memory,
		secureCookies: env.SECURE_COOKIES === '1' || (env.PUBLIC_URL ?? '').startsWith('https:'),
		docCap: parsePositive('DOC_CAP', env.DOC_CAP, 10_000),
		trustProxy: parseTrustProxy(env.TRUST_PROXY),
		push: pushPolicy(env)
	};
}

function parseTrustProxy(raw: string | undefined): number {
	if (raw === undefined || raw.trim() === '') return 0;
	const hops = Number(raw);
	if (!Number.isInteger(hops) || hops < 0 || hops > 10) {
		throw new StartupError(
			`TRUST_PROXY "${raw}" must be the number of reverse proxies in front of the server (0 = none, 1 = one).`
		);
	}
	return hops;
}

/**
 * The push policy of an environment.
 * @throws {StartupError} for a malformed PUSH_HOSTS, or PUSH_ALLOW_LOOPBACK in production.
 */
export function pushPolicy(env: Env = process.env): PushPolicy {
	const raw = env.PUSH_HOSTS?.trim();
	const hosts = raw
		? raw
				.split(',')
				.map((h) => h.trim().toLowerCase())
				.filter(Boolean)
		: [...DEFAULT_PUSH_HOSTS];
	for (const host of hosts) {
		if (
			!/^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(host) &&
			!/^\[?[0-9a-f:.]+\]?$/.test(host)
		) {
			throw new StartupError(
				`PUSH_HOSTS entry "${host}" is not a host name (e.g. fcm.googleapis.com, *.push.apple.com).`
			);
		}
	}
	const allowLoopback = env.PUSH_ALLOW_LOOPBACK === '1';
	if (allowLoopback && env.NODE_ENV === 'production') {
		throw new StartupError('PUSH_ALLOW_LOOPBACK=1 is for tests only; remove it in production.');
	}
	return { hosts, allowLoopback };
}

function parsePort(raw: string): number {
	const port = Number(raw);
	if (!Number.isInteger(port) || port < 0 || port > 65535) {
		throw new StartupError(`PORT "${raw}" is not a port number (0–65535).`);
	}
	return port;
}

function parsePositive(name: string, raw: string | undefined, fallback: number): number {
	if (raw === undefined || raw.trim() === '') return fallback;
	const value = Number(raw);
	if (!Number.isInteger(value) || value <= 0) {
		throw new StartupError(`${name} "${raw}" must be a positive whole number.`);
	}
	return value;
}

function parseCouchUrl(raw: string): URL {
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		throw new StartupError(
			`COUCHDB_URL "${redact(raw)}" is not a valid URL; expected e.g. http://admin:password@127.0.0.1:5984`
		);
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new StartupError(
			`COUCHDB_URL must start with http:// or https:// (got "${url.protocol}").`
		);
	}
	return url;
}

/** Hides the password of a URL-like string in messages. */
export function redact(raw: string): string {
	return raw.replace(/\/\/([^:/@]+):([^@]*)@/, '//$1:***@');
}

const SECRET_VARS = {
	sessionSecret: 'SESSION_SECRET',
	vapidPublicKey: 'VAPID_PUBLIC_KEY',
	vapidPrivateKey: 'VAPID_PRIVATE_KEY'
} as const;

function loadSecrets(
	env: Env,
	production: boolean,
	embedded: boolean,
	dataDir: string,
	memory: boolean
): Secrets {
	const fromEnv = {
		sessionSecret: env.SESSION_SECRET?.trim(),
		vapidPublicKey: env.VAPID_PUBLIC_KEY?.trim(),
		vapidPrivateKey: env.VAPID_PRIVATE_KEY?.trim()
	};
	if (production) {
		const missing = Object.entries(SECRET_VARS)
			.filter(([key]) => !fromEnv[key as keyof typeof fromEnv])
			.map(([, name]) => name);
		if (missing.length > 0) {
			throw new StartupError(
				`NODE_ENV=production needs these secrets in the environment: ${missing.join(', ')} (run "npm run user -- secrets" to generate values).`
			);
		}
		if ((fromEnv.sessionSecret ?? '').length < 32) {
			throw new StartupError('SESSION_SECRET must be at least 32 characters in production.');
		}
		const stored = embedded && !memory ? readStoredSecrets(dataDir) : null;
		if (stored && stored.sessionSecret === fromEnv.sessionSecret) {
			throw new StartupError(
				'SESSION_SECRET is the generated development default; set a secret of your own in production.'
			);
		}
	}
	const generated = memory
		? generateSecrets()
		: embedded || !production
			? storedOrNew(dataDir)
			: null;
	return {
		sessionSecret: fromEnv.sessionSecret || generated!.sessionSecret,
		vapidPublicKey: fromEnv.vapidPublicKey || generated!.vapidPublicKey,
		vapidPrivateKey: fromEnv.vapidPrivateKey || generated!.vapidPrivateKey,
		embeddedAdminPassword: generated?.embeddedAdminPassword ?? ''
	};
}

function generateSecrets(): Secrets {
	const vapid = webpush.generateVAPIDKeys();
	return {
		sessionSecret: randomBytes(32).toString('base64url'),
		vapidPublicKey: vapid.publicKey,
		vapidPrivateKey: vapid.privateKey,
		embeddedAdminPassword: randomBytes(18).toString('base64url')
	};
}

function secretsFile(dataDir: string): string {
	return join(dataDir, 'secrets.json');
}

function readStoredSecrets(dataDir: string): Secrets | null {
	const file = secretsFile(dataDir);
	if (!existsSync(file)) return null;
	try {
		return JSON.parse(readFileSync(file, 'utf8')) as Secrets;
	} catch {
		throw new StartupError(`${file} is not valid JSON; delete it to generate new secrets.`);
	}
}

/** Embedded mode generates its secrets once and keeps them with the data, readable by its owner only. */
function storedOrNew(dataDir: string): Secrets {
	const stored = readStoredSecrets(dataDir);
	if (stored) return stored;
	const secrets = generateSecrets();
	try {
		mkdirSync(dataDir, { recursive: true, mode: 0o700 });
		writeFileSync(secretsFile(dataDir), JSON.stringify(secrets, null, 2), { mode: 0o600 });
	} catch (error) {
		throw new StartupError(
			`Cannot write to DATA_DIR ${dataDir} (${(error as NodeJS.ErrnoException).code ?? 'error'}); choose a writable folder.`
		);
	}
	return secrets;
}
