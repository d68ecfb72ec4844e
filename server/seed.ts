import { availableParallelism } from 'node:os';
import type { Couch } from './couch/connect.ts';
import { statusOf } from './errors.ts';
import { hashPassword } from './auth/password.ts';
import { credentialId, type Credential } from './auth/users.ts';

const MARKER = 'meta:demo';
const BATCH = 500;

/**
 * Loads the demo company the first time the server starts on a database: a marker in
 * the private database remembers it was done, so deleting demo data never brings it back.
 * @returns whether the demo was loaded now.
 */
export async function loadDemoIfEmpty(
	couch: Couch,
	now: Date,
	options: { seed?: number; scale?: number } = {}
): Promise<boolean> {
	if (await exists(couch, MARKER)) return false;
	const users = await couch.db.list({ startkey: 'user:', endkey: 'user:\ufff0', limit: 1 });
	if (users.rows.length > 0) {
		await couch.privateDb.insert({
			_id: MARKER,
			type: 'meta',
			skipped: true,
			at: now.toISOString()
		});
		return false;
	}
	await loadDemo(couch, now, options);
	await couch.privateDb.insert({
		_id: MARKER,
		type: 'meta',
		loadedAt: now.toISOString(),
		...options
	});
	return true;
}

export async function loadDemo(
	couch: Couch,
	now: Date,
	options: { seed?: number; scale?: number } = {}
): Promise<{ docs: number; users: number }> {
	const { generateDemo } = await import('./demo/generate.ts');
	const demo = generateDemo({ seed: options.seed ?? 1, scale: options.scale ?? 1, now });
	// One hash (own salt) per account, even though they share the demo password: equal hashes
	// would tell which accounts still have it.
	const hashes = await hashEach(demo.users.map((user) => user.password));
	const credentials: Credential[] = demo.users.map((user, i) => ({
		_id: credentialId(user.name),
		type: 'credential',
		name: user.name,
		hash: hashes[i]!,
		disabled: false,
		version: 1
	}));
	await couch.privateDb.bulk({ docs: credentials });
	for (let i = 0; i < demo.docs.length; i += BATCH) {
		const result = await couch.db.bulk({ docs: demo.docs.slice(i, i + BATCH) as object[] });
		const failed = result.filter((r) => 'error' in r && r.error);
		if (failed.length > 0) {
			throw new Error(
				`demo data refused by the database: ${failed[0]?.id}: ${failed[0]?.reason ?? failed[0]?.error}`
			);
		}
	}
	return { docs: demo.docs.length, users: demo.users.length };
}

/**
 * scrypt runs in libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE says otherwise) and
 * takes 128 MiB each: as many at once as there are cores, at most 4.
 */
async function hashEach(passwords: readonly string[]): Promise<string[]> {
	const hashes: string[] = [];
	let next = 0;
	const lanes = Math.max(1, Math.min(4, availableParallelism(), passwords.length));
	await Promise.all(
		Array.from({ length: lanes }, async () => {
			while (next < passwords.length) {
				const i = next++;
				hashes[i] = await hashPassword(passwords[i]!);
			}
		})
	);
	return hashes;
}

async function exists(couch: Couch, id: string): Promise<boolean> {
	try {
		await couch.privateDb.get(id);
		return true;
	} catch (error) {
		if (statusOf(error) === 404) return false;
		throw error;
	}
}
