/**
 * Faults, nothing lost (issue #12). Five technicians' devices, running the app's own data and
 * sync code, each work 40 missions offline (ticket started, report signed by both and sealed,
 * mission done, ticket closed) and sync through a proxy that cuts connections at random points
 * of requests and answers, while the server — a child process on its LevelDB data folder, or
 * on the CouchDB named by TEST_COUCHDB_URL — is killed with SIGKILL and started again several
 * times. At the end the server must hold every closed ticket and every signed report (whose
 * hash verifies), no event twice, and every device must have sent everything and hold exactly
 * what the server lists for its user. Then the server is killed during a stream of pushes: every
 * push it answered ok must be there after the restart.
 *
 * FAULTS_SEED, FAULTS_MISSIONS (per device), FAULTS_KILLS and FAULTS_CUT_RATE make a longer soak.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { signatureAttachmentName, verifyReport } from '../../src/lib/domain/report-hash.ts';
import type { EventDoc, ReportDoc, TicketDoc, UserDoc } from '../../src/lib/domain/schemas.ts';
import {
	aClient,
	aConfig,
	aMission,
	actor,
	aTicket,
	aUser,
	qualify,
	ticketThrough
} from '../../src/lib/domain/testing/factories.ts';
import { AppDevice } from '../support/app-device.ts';
import { ChaosProxy, seeded } from '../support/chaos-proxy.ts';
import { KillableServer } from '../support/killable-server.ts';
import { nextRevision, Session, type Json } from '../support/sync-device.ts';

const SEED = Number(process.env.FAULTS_SEED ?? 20261212);
const DEVICES = 5;
const MISSIONS = Number(process.env.FAULTS_MISSIONS ?? 40);
const KILLS = Number(process.env.FAULTS_KILLS ?? 8);
const CUT_RATE = Number(process.env.FAULTS_CUT_RATE ?? 0.5);
const RETITLE_SHARE = 0.25;
/** Pushes answered ok in each round of the SIGKILL-during-pushes test before the kill. */
const ACKS_PER_ROUND = 15;
const HOUR = 3600_000;

const random = seeded(SEED);
const between = (min: number, max: number) => min + random() * (max - min);
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

const dina = aUser('dina', ['dispatcher']);
const technicians = Array.from({ length: DEVICES }, (_, i) =>
	aUser(`tech${i + 1}`, ['technician'], { displayName: `Tech ${i + 1}` })
);

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
	for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

/** A server on a data folder of its own (and a database of its own on a real CouchDB). */
function newServer(tag: string): KillableServer {
	const dataDir = mkdtempSync(join(tmpdir(), `terrain-faults-${tag}-`));
	const couch = process.env.TEST_COUCHDB_URL;
	const dbName = `terrain_faults_${tag}_${Date.now().toString(36)}`;
	const server = new KillableServer({
		DATA_DIR: dataDir,
		...(couch ? { COUCHDB_URL: couch, COUCHDB_DB: dbName } : {})
	});
	cleanups.push(async () => {
		await server.kill();
		if (couch) {
			for (const db of [dbName, `${dbName}_private`])
				await fetch(`${couch.replace(/\/$/, '')}/${db}`, {
					method: 'DELETE',
					headers: basicAuth(couch)
				}).catch(() => undefined);
		}
		rmSync(dataDir, { recursive: true, force: true });
	});
	return server;
}

function basicAuth(url: string): Record<string, string> {
	const u = new URL(url);
	return u.username
		? {
				authorization: `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`
			}
		: {};
}

/** Writes the seed file and starts the server with it. */
async function seedAndStart(
	server: KillableServer,
	users: UserDoc[],
	docs: readonly object[]
): Promise<void> {
	const file = join(server.env.DATA_DIR ?? tmpdir(), 'seed.json');
	writeFileSync(file, JSON.stringify({ users, docs }));
	await server.start({ TERRAIN_TEST_SEED: file });
}

/** Each technician's tickets (qualified, assigned and planned for them) and missions, now. */
function workload(): { docs: object[]; missions: Map<string, string[]> } {
	const now = Date.now();
	const docs: object[] = [aConfig('access'), aConfig('taxonomy')];
	const missions = new Map<string, string[]>();
	technicians.forEach((tech, t) => {
		const clientId = `client:C${t + 1}`;
		docs.push(aClient({ _id: clientId, name: `Client ${t + 1}` }));
		const ids: string[] = [];
		for (let m = 0; m < MISSIONS; m++) {
			const key = `${t + 1}x${String(m + 1).padStart(3, '0')}`;
			const ticket = ticketThrough(
				[
					[qualify, actor(dina)],
					[{ type: 'assign', assignees: [tech._id] }, actor(dina)],
					[{ type: 'plan', technicianId: tech._id }, actor(dina)]
				],
				aTicket({ _id: `ticket:K${key}`, clientId, title: `Panne ${key}` })
			);
			const mission = aMission({
				_id: `mission:M${key}`,
				ticketId: ticket._id,
				clientId,
				technicianId: tech._id,
				start: new Date(now - HOUR).toISOString(),
				end: new Date(now + HOUR).toISOString()
			});
			docs.push(ticket, mission);
			ids.push(mission._id);
		}
		missions.set(tech.name, ids);
	});
	return { docs, missions };
}

/** Everything a desk user reads (the dispatcher reads every ticket, report and event). */
async function readEverything(base: string): Promise<Map<string, Json>> {
	const desk = await new Session(base, dina.name).signIn();
	const manifest = await desk.manifest();
	const out = new Map<string, Json>();
	for (let i = 0; i < manifest.docs.length; i += 200) {
		// The closed (deleted) branches come along with each winner.
		for (const doc of await desk.bulkGet(manifest.docs.slice(i, i + 200)))
			if (doc._deleted !== true) out.set(String(doc._id), doc);
	}
	return out;
}

async function imagesOf(report: Json): Promise<Record<string, Uint8Array>> {
	const attachments = (report._attachments ?? {}) as Record<string, { data?: string }>;
	const images: Record<string, Uint8Array> = {};
	for (const role of ['technician', 'client'] as const) {
		const data = attachments[signatureAttachmentName(role)]?.data;
		if (typeof data === 'string')
			images[signatureAttachmentName(role)] = new Uint8Array(Buffer.from(data, 'base64'));
	}
	return images;
}

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
			const t0 = Date.now();
			const server = newServer('devices');
			const { docs, missions } = workload();
			await seedAndStart(server, [dina, ...technicians], docs);
			const proxy = new ChaosProxy({ seed: SEED, cutRate: CUT_RATE, maxOffset: 64 * 1024 });
			await proxy.start();
			cleanups.push(() => proxy.stop());
			proxy.target(server.port);

			const devices = technicians.map(
				(tech) =>
					new AppDevice(proxy.url, {
						name: tech.name,
						displayName: tech.displayName,
						roles: tech.roles,
						groups: tech.groups
					})
			);
			let failedSyncs = 0;
			const errors: string[] = [];
			const trySync = async (device: AppDevice): Promise<boolean> => {
				try {
					await device.sync();
					return true;
				} catch (error) {
					failedSyncs++;
					if (errors.length < 20) errors.push(`${device.user.name}: ${String(error)}`);
					await sleep(between(50, 300));
					return false;
				}
			};

			// First sync (connections already cut): each device gets its missions.
			await Promise.all(
				devices.map(async (device) => {
					const mine = missions.get(device.user.name) ?? [];
					for (let round = 0; ; round++) {
						if (round > 200) throw new Error(`${device.user.name} never got its missions`);
						if (!(await trySync(device))) continue;
						const held = await device.held();
						if (mine.every((id) => held.has(id))) return;
					}
				})
			);

			// The desk edits a share of those tickets meanwhile (offline too): every such ticket
			// then has two branches for the server to merge, under the same faults.
			const desk = new AppDevice(proxy.url, {
				name: dina.name,
				displayName: dina.displayName,
				roles: dina.roles,
				groups: dina.groups
			});
			const retitled = [...missions.values()]
				.flat()
				.filter(() => random() < RETITLE_SHARE)
				.map((id) => id.replace('mission:M', 'ticket:K'));
			while (!(await trySync(desk)));
			const technicianDevices = [...devices];
			devices.push(desk);

			// The killer: SIGKILL at random moments — half of them right as a push goes through
			// the proxy — and a restart on the same data.
			let killing = true;
			let pushSeen: (() => void) | null = null;
			proxy.onRequest = (line) => {
				if (line.endsWith('/_bulk_docs')) pushSeen?.();
			};
			const killer = (async () => {
				for (let k = 0; k < KILLS; k++) {
					await sleep(between(500, 2000));
					if (k % 2 === 1) {
						await Promise.race([new Promise<void>((done) => (pushSeen = done)), sleep(5_000)]);
						pushSeen = null;
						await sleep(between(0, 80));
					}
					proxy.target(null);
					await server.kill();
					proxy.dropAll();
					await sleep(between(100, 800));
					await server.start();
					proxy.target(server.port);
				}
				killing = false;
			})();

			// Devices: offline work in bursts, a sync attempt after each burst, then sync until
			// the killer is done.
			const work = async (
				device: AppDevice,
				todo: string[],
				step: (id: string) => Promise<void>
			) => {
				while (todo.length > 0) {
					const burst = todo.splice(0, Math.ceil(between(3, 12)));
					for (const id of burst) await step(id);
					await trySync(device);
				}
				while (killing) {
					await trySync(device);
					await sleep(between(100, 400));
				}
			};
			await Promise.all([
				...technicianDevices.map((device) =>
					work(device, [...(missions.get(device.user.name) ?? [])], (id) => device.workMission(id))
				),
				work(desk, [...retitled], (id) => desk.retitle(id, `${id} revu`))
			]);
			await killer;

			// Rounds of every device until one round in which no device pulled or pushed anything
			// (what one device sends, or a merge writes, reaches the others in the next round).
			const quiet = async (device: AppDevice): Promise<boolean> => {
				for (let attempt = 0; attempt < 100; attempt++) {
					try {
						const run = await device.sync();
						return run.pulled === 0 && run.pushed === 0 && (await device.pending()).length === 0;
					} catch (error) {
						failedSyncs++;
						if (errors.length < 20) errors.push(`${device.user.name}: ${String(error)}`);
						await sleep(between(50, 300));
					}
				}
				throw new Error(`${device.user.name} cannot sync:\n${errors.join('\n')}`);
			};
			for (let round = 0; !(await Promise.all(devices.map(quiet))).every(Boolean); round++)
				if (round > 20) throw new Error('the devices do not settle');
			const syncedAt = Date.now();

			// Checks, straight to the server.
			const base = server.url as string;
			const all = await readEverything(base);
			const tickets = [...all.values()].filter(
				(d) => d.type === 'ticket'
			) as unknown as TicketDoc[];
			const reports = [...all.values()].filter(
				(d) => d.type === 'report'
			) as unknown as ReportDoc[];
			const events = [...all.values()].filter((d) => d.type === 'event') as unknown as EventDoc[];
			const total = DEVICES * MISSIONS;
			expect(tickets.filter((t) => t.status === 'closed')).toHaveLength(total);
			expect(reports).toHaveLength(total);
			const bad: string[] = [];
			for (const report of reports) {
				const verdict = await verifyReport(report, await imagesOf(report as unknown as Json));
				if (!verdict.ok) bad.push(`${report._id}: ${verdict.message}`);
			}
			expect(bad).toEqual([]);
			expect(new Set(reports.map((r) => r.missionId)).size).toBe(total);
			const missionsDone = [...all.values()].filter(
				(d) => d.type === 'mission' && d.status === 'done'
			);
			expect(missionsDone).toHaveLength(total);

			// Per ticket: started once, closed once, one report signed (device events only).
			const counts = new Map<string, number>();
			for (const e of events) {
				// What the work wrote (a merge may add its own record of what it set aside).
				if (!String(e.author).startsWith('user:tech')) continue;
				if (e.kind !== 'status_change' && e.kind !== 'report_signed') continue;
				const to = (e.data as { to?: unknown } | undefined)?.to ?? '';
				const key = `${e.ticketId} ${e.kind} ${String(to)}`;
				counts.set(key, (counts.get(key) ?? 0) + 1);
			}
			// Both branches kept: the desk's title and the technician's closure.
			const byId = new Map(tickets.map((t) => [t._id, t]));
			const unmerged = retitled.filter(
				(id) => byId.get(id)?.title !== `${id} revu` || byId.get(id)?.status !== 'closed'
			);
			expect(
				unmerged.map((id) => `${id}: ${byId.get(id)?.title} (${byId.get(id)?.status})`)
			).toEqual([]);

			const twice = [...counts].filter(([, n]) => n !== 1);
			expect(twice).toEqual([]);
			const expected = [...missions.values()].flat().flatMap((id) => {
				const ticket = id.replace('mission:M', 'ticket:K');
				return [
					`${ticket} status_change in_progress`,
					`${ticket} status_change closed`,
					`${ticket} report_signed `
				];
			});
			expect(expected.filter((key) => !counts.has(key))).toEqual([]);
			expect(counts.size).toBe(total * 3);

			// Every device sent everything and holds exactly what the server lists for it.
			for (const device of devices) {
				expect(await device.pending(), device.user.name).toEqual([]);
				expect(device.refusals, device.user.name).toEqual([]);
				const session = await new Session(base, device.user.name).signIn();
				const listed = new Map((await session.manifest()).docs);
				expect(Object.fromEntries(await device.held()), device.user.name).toEqual(
					Object.fromEntries(listed)
				);
			}

			const figures = {
				seconds: Math.round((syncedAt - t0) / 1000),
				kills: server.kills,
				...proxy.stats,
				cuts: Object.fromEntries(proxy.cutsByRequest),
				failedSyncs,
				retitled: retitled.length,
				docs: all.size
			};
			console.log(`faults (devices): ${JSON.stringify(figures)}`);
			expect(server.kills).toBe(KILLS);
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
