// Loads the demo company into an empty database, at a chosen size:
//   npm run demo -- [--scale 10] [--seed 1]
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { connectCouch } from '../couch/connect.ts';
import { deployDesignDocs } from '../couch/design.ts';
import { StartupError, messageOf } from '../errors.ts';
import { loadDemo } from '../seed.ts';

const USAGE = 'Usage: npm run demo -- [--scale <1..1000>] [--seed <number>]';

async function main(): Promise<void> {
	const { values } = parseArgs({
		options: { scale: { type: 'string', default: '1' }, seed: { type: 'string', default: '1' } },
		strict: true
	});
	const scale = Number(values.scale);
	const seed = Number(values.seed);
	if (!Number.isInteger(scale) || scale < 1 || scale > 1000)
		throw new UsageError(`--scale must be a whole number from 1 to 1000 (got "${values.scale}")`);
	if (!Number.isInteger(seed))
		throw new UsageError(`--seed must be a whole number (got "${values.seed}")`);
	const couch = await connectCouch(loadConfig({ ...process.env, DEMO: '0' }), {
		shareRunning: true
	});
	try {
		const existing = await couch.db.list({ startkey: 'user:', endkey: 'user:\ufff0', limit: 1 });
		if (existing.rows.length > 0) {
			throw new UsageError(
				'the database already holds users: load the demo into an empty database (another DATA_DIR or COUCHDB_DB)'
			);
		}
		await deployDesignDocs(couch.db);
		const started = Date.now();
		const { docs, users } = await loadDemo(couch, new Date(), { seed, scale });
		await couch.privateDb.insert({
			_id: 'meta:demo',
			type: 'meta',
			loadedAt: new Date().toISOString(),
			seed,
			scale
		});
		console.log(
			`Demo loaded at scale ${scale} (seed ${seed}): ${docs} documents, ${users} users in ${((Date.now() - started) / 1000).toFixed(1)} s.`
		);
	} finally {
		await couch.close();
	}
}

class UsageError extends Error {}

try {
	await main();
} catch (error) {
	if (error instanceof UsageError) {
		console.error(`Error: ${error.message}\n${USAGE}`);
		process.exit(2);
	}
	console.error(`Error: ${error instanceof StartupError ? error.message : messageOf(error)}`);
	process.exit(1);
}
