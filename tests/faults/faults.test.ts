/**
 * Faults, nothing lost (issue #12). Five technicians' devices, running the app's own data and
 * sync code, each work 40 missions offline (ticket started, report signed by both and sealed,
 * mission done, ticket closed) and sync through a proxy that cuts connections at random points
 * of requests and answers, while the server — a child process on its LevelDB data folder, or
 * on the CouchDB named by TEST_COUCHDB_URL — is killed with SIGKILL and started again several
 * times. At the end the server must hold every closed ticket and every signed report (whose
 * hash verifies), no event twice, every device must have sent everything and hold exactly
 * what the server lists for its user, and each notice must have been mailed once (the run is
 * in ../support/fault-run.ts, shared with faults-two-servers.test.ts). Then the server is
 * killed during a stream of pushes: every push it answered ok must be there after the restart.
 *
 * FAULTS_SEED, FAULTS_MISSIONS (per device), FAULTS_KILLS and FAULTS_CUT_RATE make a longer soak.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
	aClient,
	aConfig,
	aMission,
	actor,
	aTicket,
	qualify,
	ticketThrough
} from '../../src/lib/domain/testing/factories.ts';
import {
	between,
	cleanUp,
	DEVICES,
	dina,
	faultRun,
	HOUR,
	KILLS,
	MISSIONS,
	newServer,
	seedAndStart,
	sleep,
	technicians
} from '../support/fault-run.ts';
import { nextRevision, Session } from '../support/sync-device.ts';

/** Pushes answered ok in each round of the SIGKILL-during-pushes test before the kill. */
const ACKS_PER_ROUND = 15;

afterAll(cleanUp);

describe('faults: nothing lost', () => {
	// It found that a device lost an event refused one batch before its subject (PouchDB's
	// checkpoint moved past it; fixed in src/lib/sync/push.ts, regression tests
	// src/lib/sync/push.test.ts and sync-push-order.test.ts). On CouchDB it found that a retitle
	// and the technician's work, pushed after CouchDB's automatic compaction had removed the body
	// of the version both started from, were judged against the server's version and refused
	// ("may not change title", "cannot go from closed to planned"; fixed in server/sync/push.ts
	// with merge.ts `branchBase`, regression test in sync-conflicts.test.ts). One retry, on a
	// fresh server, stays while more runs accumulate: a defect that shows twice in a row still
	// fails the suite.
	it(
		`${DEVICES} devices × ${MISSIONS} missions offline, synced through cut connections while the server is killed ${KILLS} times`,
		{ retry: 1, timeout: 300_000 },
		async () => {
			const figures = await faultRun({ tag: 'devices', servers: [undefined] });
			console.log(`faults (devices): ${JSON.stringify(figures)}`);
		}
	);

	it('a push the server answered ok before SIGKILL is there after the restart', async () => {
		const server = newServer('acks');
		const techs = technicians.slice(0, 3);
		const docs: object[] = [aConfig('access')];
		const now = Date.now();
		techs.forEach((tech, t) => {
			const clientId = `client:A${t + 1}`;
			const ticket = ticketThrough(
				[
					[qualify, actor(dina)],
					[{ type: 'assign', assignees: [tech._id] }, actor(dina)]
				],
				aTicket({ _id: `ticket:A${t + 1}`, clientId })
			);
			docs.push(
				aClient({ _id: clientId }),
				ticket,
				aMission({
					_id: `mission:A${t + 1}`,
					ticketId: ticket._id,
					clientId,
					technicianId: tech._id,
					start: new Date(now - HOUR).toISOString(),
					end: new Date(now + 24 * HOUR).toISOString()
				})
			);
		});
		await seedAndStart(server, [dina, ...techs], docs);
		const acked = new Map<string, string>();
		let sent = 0;
		let n = 0;
		for (let round = 0; round < 4; round++) {
			const base = server.url as string;
			let pushing = true;
			const pushers = techs.map(async (tech, t) => {
				const session = await new Session(base, tech.name).signIn().catch(() => null);
				while (pushing && session) {
					const batch = Array.from({ length: 5 }, () =>
						nextRevision({
							_id: `event:F${String(++n).padStart(6, '0')}`,
							type: 'event',
							subjectId: `ticket:A${t + 1}`,
							ticketId: `ticket:A${t + 1}`,
							kind: 'follow_up',
							visibility: 'internal',
							author: tech._id,
							authorName: tech.displayName,
							at: new Date().toISOString(),
							body: `Note ${n}`
						})
					);
					sent += batch.length;
					const res = await session.pushRaw(batch).catch(() => null);
					if (res?.status !== 201 || !Array.isArray(res.body)) continue;
					for (const answer of res.body as Array<{ id: string; rev?: string; ok?: boolean }>)
						if (answer.ok && answer.rev) acked.set(answer.id, answer.rev);
				}
			});
			// Killed once enough pushes were answered (however long a slower database takes, up
			// to a bound), at a random point of the next ones.
			const before = acked.size;
			for (let waited = 0; acked.size < before + ACKS_PER_ROUND && waited < 60_000; waited += 50)
				await sleep(50);
			expect(acked.size - before, `round ${round}: pushes answered ok`).toBeGreaterThanOrEqual(
				ACKS_PER_ROUND
			);
			await sleep(between(0, 400));
			await server.kill();
			pushing = false;
			await Promise.all(pushers);
			await server.start();
			const found = new Map<string, string>();
			for (const tech of techs) {
				const session = await new Session(server.url as string, tech.name).signIn();
				for (const [id, rev] of (await session.manifest()).docs) found.set(id, rev);
			}
			const lost = [...acked].filter(([id, rev]) => found.get(id) !== rev);
			expect(lost, `round ${round}`).toEqual([]);
		}
		console.log(
			`faults (acks): ${JSON.stringify({ kills: server.kills, sent, acknowledged: acked.size })}`
		);
		expect(acked.size).toBeGreaterThanOrEqual(4 * ACKS_PER_ROUND);
	}, 300_000);
});
