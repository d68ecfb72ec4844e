/**
 * The server as `server/main.ts` starts it, without the app build (the fault tests only speak
 * to the API), and with the test's accounts and documents written before it listens when
 * TERRAIN_TEST_SEED names a JSON file `{ users, docs }` (given on the first start only).
 * Prints `running at <url>` once it listens, as main.ts does.
 */
import { readFileSync } from 'node:fs';
import type { UserDoc } from '../../src/lib/domain/schemas.ts';
import { startServer } from '../../server/start.ts';
import { addAccounts, putAll, type Json } from './sync-device.ts';

const running = await startServer();
const seed = process.env.TERRAIN_TEST_SEED;
if (seed) {
	const { users, docs } = JSON.parse(readFileSync(seed, 'utf8')) as {
		users: UserDoc[];
		docs: Json[];
	};
	await addAccounts(running.couch, users);
	await putAll(running.couch, docs);
	await running.settled();
}
console.log(`Terrain is running at ${running.url}`);
const stop = () => void running.stop().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
