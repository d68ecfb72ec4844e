/**
 * Stops or starts one node of the 3-node CouchDB cluster that ../shared/couchdb/start-cluster.sh
 * started in TEST_COUCHDB_CLUSTER_DIR (its BASE_DIR), for tests that must survive a dead node.
 * A stop is a SIGKILL (a crashed node, not an orderly shutdown); a start brings the node back,
 * and it rejoins by itself.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const CLUSTER_DIR = process.env.TEST_COUCHDB_CLUSTER_DIR;
const COUCH_SCRIPTS = join(import.meta.dirname, '..', '..', '..', 'shared', 'couchdb');

/** The cluster's node URLs (TEST_COUCHDB_CLUSTER, comma-separated), or none. */
export function clusterNodes(): string[] {
	return (process.env.TEST_COUCHDB_CLUSTER ?? '').split(',').filter(Boolean);
}

/** True when the test was given a cluster's folder and the scripts that stop its nodes. */
export function canStopNodes(): boolean {
	return Boolean(CLUSTER_DIR) && existsSync(join(COUCH_SCRIPTS, 'start-cluster.sh'));
}

/**
 * Stops node `node` (SIGKILL) or starts the nodes that are down. False when the test was not
 * given the cluster's folder (nothing done).
 */
export async function clusterNode(action: 'stop' | 'start', node: 1 | 2 | 3): Promise<boolean> {
	if (!canStopNodes()) return false;
	const script = action === 'stop' ? 'stop-cluster.sh' : 'start-cluster.sh';
	await promisify(execFile)(
		'bash',
		[join(COUCH_SCRIPTS, script), CLUSTER_DIR!, ...(action === 'stop' ? [String(node)] : [])],
		{ env: { ...process.env, COUCHDB_STOP_SIGNAL: 'KILL' } }
	);
	return true;
}
