// `npm run test:couchdb`: the integration and security suites on a real CouchDB 3.x named by
// TEST_COUCHDB_URL (each test file uses databases of its own and removes them). `.ci/run` starts
// CouchDB 3.5 from ../shared/couchdb and runs this after `npm test`.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const url = process.env.TEST_COUCHDB_URL;
if (!url) {
	console.error(
		'TEST_COUCHDB_URL is not set: give the CouchDB to test against, e.g. TEST_COUCHDB_URL=http://admin:admin@127.0.0.1:5984 npm run test:couchdb'
	);
	process.exit(2);
}
const root = join(import.meta.dirname, '..');
const result = spawnSync(
	process.execPath,
	[
		join(root, 'node_modules', 'vitest', 'vitest.mjs'),
		'run',
		'--project',
		'integration',
		// Files to run, when only some are wanted (e.g. the cluster's node-down test).
		...process.argv.slice(2)
	],
	{ cwd: root, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0' } }
);
process.exit(result.status ?? 1);
