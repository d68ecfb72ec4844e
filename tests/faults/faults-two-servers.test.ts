/**
 * Faults, nothing lost, on a 3-node CouchDB cluster with two Terrain servers (issue #12): the
 * run of faults.test.ts (../support/fault-run.ts) with server A on node 1 and server B on node
 * 2 of one database, each behind a proxy of its own that cuts connections; each device syncs,
 * sync after sync, through either (a server that is up, at random, as a load balancer would
 * send it). The killer kills A and B in turn; node 3, which neither server names, is killed
 * (SIGKILL) after the second kill and started again after the sixth, before the checks. Both
 * servers mail through one SMTP server: each notice must arrive once, and both servers must
 * list the same, complete result.
 *
 * Needs TEST_COUCHDB_CLUSTER (the nodes' URLs, comma-separated) and TEST_COUCHDB_CLUSTER_DIR
 * (the BASE_DIR given to ../shared/couchdb/start-cluster.sh); skipped otherwise.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { canStopNodes, clusterNode, clusterNodes } from '../support/cluster-node.ts';
import { cleanUp, DEVICES, faultRun, KILLS } from '../support/fault-run.ts';

/** Missions per device: fewer than the one-server run's 40, for CI's time (FAULTS_CLUSTER_MISSIONS). */
const MISSIONS = Number(process.env.FAULTS_CLUSTER_MISSIONS ?? 20);

const nodes = clusterNodes();
const ready = nodes.length >= 3 && canStopNodes();

afterAll(async () => {
	await clusterNode('start', 3);
	await cleanUp();
});

describe.skipIf(!ready)('faults on a cluster with two servers: nothing lost', () => {
	it(
		`${DEVICES} devices × ${MISSIONS} missions offline, through either server, while A and B are killed ${KILLS} times and node 3 dies and comes back`,
		// Two retries, not one, as a margin: the defects that failed attempts until 2026-12-02
		// (a lagging copy read as a deletion, a conflicted ticket left out at a restart, a
		// lagging instance's manifest taking a device's documents off) are fixed, but only a
		// few runs have passed since (README, cluster section). Each failed attempt prints the
		// check that failed.
		{ retry: 2, timeout: 480_000 },
		async () => {
			expect(KILLS).toBeGreaterThanOrEqual(6);
			const figures = await faultRun({
				tag: 'cluster',
				servers: [nodes[0], nodes[1]],
				missions: MISSIONS,
				mail: true,
				afterKill: [
					{ kill: 2, what: 'node 3 stopped', run: () => clusterNode('stop', 3) },
					{ kill: 6, what: 'node 3 started', run: () => clusterNode('start', 3) }
				]
			});
			console.log(`faults (two servers): ${JSON.stringify(figures)}`);
		}
	);
});
