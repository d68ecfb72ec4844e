// `npm run test:couchdb`: the integration and security suites on a real CouchDB 3.x named by
// TEST_COUCHDB_URL (each test file uses databases of its own and removes them). `.ci/run` starts
// CouchDB 3.5 from ../shared/couchdb and runs this after `npm test`.
//
// `npm run test:couchdb -- --cluster-suite` runs the cluster's subset instead (issue #12, point
// 3): what a cluster changes — sync and the access model across instances, numbering, pushes
// judged on a lagging copy, notifications and jobs claimed once, sign-in and sessions, design
// documents — and not the files that test one server's input checks, which the single node run
// covers already. Other arguments are files to run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The files the cluster runs (besides the node-stopping ones `.ci/run` runs alone). */
const CLUSTER_SUITE = [
	'tests/integration/design-deploy.test.ts',
	'tests/integration/desk-teams.test.ts',
	'tests/integration/desk-working-set.test.ts',
	'tests/integration/foundation.test.ts',
	'tests/integration/invoices.test.ts',
	'tests/integration/jobs.test.ts',
	'tests/integration/jobs-feed.test.ts',
	'tests/integration/notify-instances.test.ts',
	'tests/integration/notify-mail.test.ts',
	'tests/integration/notify-push.test.ts',
	'tests/integration/sync-access.test.ts',
	'tests/integration/sync-checkpoint.test.ts',
	'tests/integration/sync-conflicts.test.ts',
	'tests/integration/sync-manifest-written.test.ts',
	'tests/integration/sync-numbering.test.ts',
	'tests/integration/sync-push-order.test.ts',
	'tests/integration/sync-push.test.ts',
	'tests/integration/sync-random.test.ts',
	'tests/security/push-forgery.test.ts',
	'tests/security/push-property.test.ts',
	'tests/security/sessions.test.ts',
	'tests/security/throttle.test.ts'
];

const url = process.env.TEST_COUCHDB_URL;
if (!url) {
	console.error(
		'TEST_COUCHDB_URL is not set: give the CouchDB to test against, e.g. TEST_COUCHDB_URL=http://admin:admin@127.0.0.1:5984 npm run test:couchdb'
	);
	process.exit(2);
}
const root = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const files = args.flatMap((a) => (a === '--cluster-suite' ? CLUSTER_SUITE : [a]));
// A renamed file would drop out of the cluster's run without a word (filters match by substring).
const gone = CLUSTER_SUITE.filter((f) => !existsSync(join(root, f)));
if (args.includes('--cluster-suite') && gone.length > 0) {
	console.error(`The cluster's suite names files that do not exist: ${gone.join(', ')}`);
	process.exit(2);
}
const result = spawnSync(
	process.execPath,
	[join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--project', 'integration', ...files],
	{ cwd: root, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0' } }
);
process.exit(result.status ?? 1);
