/**
 * The fault run of issue #12, shared by tests/faults/faults.test.ts (one server) and
 * tests/faults/faults-two-servers.test.ts (two servers on one CouchDB cluster, a node stopped
 * half-way). Five technicians' devices, running the app's own data and sync code, each work
 * MISSIONS missions offline (ticket started, report signed by both and sealed, mission done,
 * ticket closed) while the desk retitles a share of those tickets, and sync through proxies that
 * cut connections at random points of requests and answers, while the servers — child processes
 * on their LevelDB data folder, or on a CouchDB — are killed with SIGKILL and started again.
 * Every server mails through one local SMTP server; at the end it must hold every closed ticket
 * and every signed report (whose hash verifies), no event twice, every device must have sent
 * everything and hold exactly what the server lists for its user, and every notice must have
 * been mailed exactly once.
 *
 * FAULTS_SEED, FAULTS_MISSIONS (per device), FAULTS_KILLS and FAULTS_CUT_RATE make a longer soak.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import webpush from 'web-push';
import { expect } from 'vitest';
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
import { TestSmtp, type ReceivedMail } from '../integration/notify-support.ts';
import { AppDevice } from './app-device.ts';
import { diagnose } from './fault-diagnosis.ts';
import { ChaosProxy, seeded } from './chaos-proxy.ts';
import { KillableServer } from './killable-server.ts';
import { Session, type Json } from './sync-device.ts';

export const SEED = Number(process.env.FAULTS_SEED ?? 20261212);
export const DEVICES = 5;
export const MISSIONS = Number(process.env.FAULTS_MISSIONS ?? 40);
export const KILLS = Number(process.env.FAULTS_KILLS ?? 8);
const CUT_RATE = Number(process.env.FAULTS_CUT_RATE ?? 0.5);
const RETITLE_SHARE = 0.25;
export const HOUR = 3600_000;
/** The servers' mail and claim leases: a notice whose sender died is sent after this. */
const LEASE_MS = 5_000;

export const random = seeded(SEED);
export const between = (min: number, max: number) => min + random() * (max - min);
export const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

export const dina = aUser('dina', ['dispatcher']);
export const technicians = Array.from({ length: DEVICES }, (_, i) =>
	aUser(`tech${i + 1}`, ['technician'], { displayName: `Tech ${i + 1}` })
);

const cleanups: Array<() => Promise<void>> = [];
/** Stops what the runs started (servers, proxies, SMTP) and removes their data; for afterAll. */
export async function cleanUp(): Promise<void> {
	for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
}

/**
 * A server on a data folder of its own, on the embedded database or on the CouchDB `couch`
 * (TEST_COUCHDB_URL by default) in database `dbName` (a new one by default; servers given the
 * same name share it).
 */
export function newServer(
	tag: string,
	options: { couch?: string; dbName?: string; env?: Record<string, string> } = {}
): KillableServer {
	const dataDir = mkdtempSync(join(tmpdir(), `terrain-faults-${tag}-`));
	const couch = options.couch ?? process.env.TEST_COUCHDB_URL;
	const dbName = options.dbName ?? `terrain_faults_${tag}_${Date.now().toString(36)}`;
	const server = new KillableServer({
		DATA_DIR: dataDir,
		...(couch ? { COUCHDB_URL: couch, COUCHDB_DB: dbName } : {}),
		...options.env
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
export async function seedAndStart(
	server: KillableServer,
	users: UserDoc[],
	docs: readonly object[]
): Promise<void> {
	const file = join(server.env.DATA_DIR ?? tmpdir(), 'seed.json');
	writeFileSync(file, JSON.stringify({ users, docs }));
	await server.start({ TERRAIN_TEST_SEED: file }, 180_000);
}

/** The requester of the ticket with this key (`1x001`): an address of its own. */
const requesterEmail = (key: string) => `demandeur.${key}@example.org`;

/** Each technician's tickets (qualified, assigned and planned for them) and missions, now. */
function workload(perDevice: number): { docs: object[]; missions: Map<string, string[]> } {
	const now = Date.now();
	const docs: object[] = [aConfig('access'), aConfig('taxonomy')];
	const missions = new Map<string, string[]>();
	technicians.forEach((tech, t) => {
		const clientId = `client:C${t + 1}`;
		docs.push(aClient({ _id: clientId, name: `Client ${t + 1}` }));
		const ids: string[] = [];
		for (let m = 0; m < perDevice; m++) {
			const key = `${t + 1}x${String(m + 1).padStart(3, '0')}`;
			const ticket = ticketThrough(
				[
					[qualify, actor(dina)],
					[{ type: 'assign', assignees: [tech._id] }, actor(dina)],
					[{ type: 'plan', technicianId: tech._id }, actor(dina)]
				],
				aTicket({
					_id: `ticket:K${key}`,
					clientId,
					title: `Panne ${key}`,
					requester: { name: `Demandeur ${key}`, email: requesterEmail(key) }
				})
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

/** The Message-ID of a raw mail. */
export function messageIdIn(raw: string): string {
	const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
	return /^message-id:\s*(\S+)/im.exec(head.replace(/\r?\n[ \t]+/g, ' '))?.[1] ?? '';
}

/** The decoded Subject of a raw mail (folded lines joined, RFC 2047 encoded words decoded). */
export function subjectOf(raw: string): string {
	const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
	const line = /^subject:(.*)$/im.exec(head.replace(/\r?\n[ \t]+/g, ' '))?.[1] ?? '';
	return line
		.trim()
		.replace(/\?=\s+=\?/g, '?==?')
		.replace(/=\?utf-8\?([qb])\?([^?]*)\?=/gi, (_, enc: string, text: string) =>
			enc.toLowerCase() === 'b'
				? Buffer.from(text, 'base64').toString('utf8')
				: Buffer.from(
						text
							.replace(/_/g, ' ')
							.replace(/=([0-9a-f]{2})/gi, (__, hex: string) =>
								String.fromCharCode(parseInt(hex, 16))
							),
						'latin1'
					).toString('utf8')
		);
}

export interface FaultRunOptions {
	/** Names the run's folders and databases. */
	readonly tag: string;
	/**
	 * One entry per server, in the order the killer takes them: the CouchDB it names (a node of
	 * the cluster), or undefined for TEST_COUCHDB_URL or the embedded database (one server only).
	 * Several servers share one database.
	 */
	readonly servers: ReadonlyArray<string | undefined>;
	/** What to do right after the killer's n-th kill (e.g. stop a CouchDB node, start it again). */
	readonly afterKill?: ReadonlyArray<{
		readonly kill: number;
		readonly what: string;
		readonly run: () => Promise<unknown>;
	}>;
	/** Missions per device (MISSIONS by default). */
	readonly missions?: number;
	/**
	 * Every server mails through one local SMTP server, and each notice must arrive once: the
	 * missions' notices (mailed before the work starts, so every restart after must not mail
	 * them again) and each ticket's closure notice (mailed under the faults).
	 */
	readonly mail?: boolean;
}

/** Runs the fault run and checks its results (expect); resolves with its figures. */
export async function faultRun(options: FaultRunOptions): Promise<Record<string, unknown>> {
	const t0 = Date.now();
	/** When each phase ended (s since the start), printed as it goes: where a slow run spends. */
	const phases: Record<string, number> = {};
	const phase = (name: string) => {
		phases[name] = Math.round((Date.now() - t0) / 1000);
		console.log(
			`faults (${options.tag}): ${name} at ${phases[name]} s, ${smtp.received.length} mails`
		);
	};
	const smtp = new TestSmtp();
	await smtp.start();
	cleanups.push(() => smtp.stop());
	// What every instance must share (README, Production): the session secret, the VAPID keys.
	const vapid = webpush.generateVAPIDKeys();
	const shared = {
		SESSION_SECRET: 'faults-servers-share-this-session-secret-0123456789',
		VAPID_PUBLIC_KEY: vapid.publicKey,
		VAPID_PRIVATE_KEY: vapid.privateKey,
		...(options.mail ? { SMTP_URL: `smtp://127.0.0.1:${smtp.port}` } : {}),
		MAIL_FROM: 'Terrain <support@terrain.example.fr>',
		MAIL_POLL_MS: '200',
		MAIL_LEASE_MS: String(LEASE_MS),
		NOTIFY_SWEEP_MS: '500',
		NOTIFY_LEASE_MS: String(LEASE_MS),
		// The SLA jobs (escalation, timeout) have their own two-instance test (jobs.test.ts);
		// here they would mail about the run's tickets, which this run does not count.
		JOBS: '0'
	};
	const dbName = `terrain_faults_${options.tag}_${Date.now().toString(36)}`;
	const servers = options.servers.map((couch, i) =>
		newServer(`${options.tag}${i + 1}`, {
			...(couch ? { couch } : {}),
			dbName,
			env: shared
		})
	);
	const perDevice = options.missions ?? MISSIONS;
	const { docs, missions } = workload(perDevice);
	await seedAndStart(servers[0]!, [dina, ...technicians], docs);
	for (const server of servers.slice(1)) await server.start();
	phase('servers started');
	const proxies = await Promise.all(
		servers.map(async (server, i) => {
			const proxy = new ChaosProxy({
				seed: SEED + i,
				cutRate: CUT_RATE,
				maxOffset: 64 * 1024
			});
			await proxy.start();
			cleanups.push(() => proxy.stop());
			proxy.target(server.port);
			return proxy;
		})
	);
	/** Like a load balancer: a server that is up (any while all are down), at random. */
	const route = (device: AppDevice) => {
		const up = proxies.filter((_, i) => servers[i]!.url !== null);
		const from = up.length > 0 ? up : proxies;
		device.base = from[Math.floor(random() * from.length)]!.url;
	};

	// Notifications, each exactly once: per mission the requester's "intervention planned"
	// notice and the technician's "new mission" (by e-mail: no push subscription), both mailed
	// before the work starts, so that every restart after must not mail them again; per ticket
	// the requester's closure notice, mailed under the faults; and no mail twice (the "in
	// progress" notice, when a server saw the ticket in progress before it was closed, is among
	// them: how many depends on timing).
	const keys = [...missions.values()].flat().map((id) => id.slice('mission:M'.length));
	const techOf = (key: string) => `tech${key.split('x')[0]}@example.fr`;
	const seedNotices = keys.flatMap((key) => [
		`${requesterEmail(key)} planned`,
		`${techOf(key)} assigned Panne ${key}`
	]);
	const wanted = [...seedNotices, ...keys.map((key) => `${requesterEmail(key)} closed`)];
	const kindOf = (mail: ReceivedMail): string => {
		const subject = subjectOf(mail.raw);
		const to = mail.to.join(',');
		if (subject.startsWith('Nouvelle mission'))
			return `${to} assigned ${/Panne \d+x\d+/.exec(subject)?.[0] ?? subject}`;
		if (subject.includes('intervention prévue')) return `${to} planned`;
		if (subject.endsWith('clôturée')) return `${to} closed`;
		if (subject.endsWith(': suivi')) return `${to} updated`;
		return `${to} ${subject}`;
	};
	const tally = () => {
		const n = new Map<string, number>();
		for (const mail of smtp.received) {
			const key = kindOf(mail);
			n.set(key, (n.get(key) ?? 0) + 1);
		}
		return n;
	};
	const until = async (want: readonly string[]) => {
		const deadline = Date.now() + 120_000;
		while (Date.now() < deadline && !want.every((key) => tally().has(key))) await sleep(500);
	};

	const devices = technicians.map(
		(tech) =>
			new AppDevice(proxies[0]!.url, {
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
			route(device);
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
	const desk = new AppDevice(proxies[0]!.url, {
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
	phase('first sync');
	// The missions' notices, before any of them changes (the notifier must see them planned);
	// every restart from here on must not send them again.
	if (options.mail) {
		await until(seedNotices);
		phase('missions notified');
	}

	// The killer: SIGKILL at random moments — half of them right as a push goes through the
	// proxy — and a restart on the same data; with several servers, each in turn.
	let killing = true;
	let pushSeen: { proxy: ChaosProxy; done: () => void } | null = null;
	for (const proxy of proxies)
		proxy.onRequest = (line) => {
			if (line.endsWith('/_bulk_docs') && pushSeen?.proxy === proxy) pushSeen.done();
		};
	const sideTasks: Array<Promise<unknown>> = [];
	const done: string[] = [];
	/** What the killer did and when, for a failure's diagnosis. */
	const timeline: string[] = [];
	/** When each kill was sent (ms since the epoch). */
	const killedAt: number[] = [];
	const note = (what: string) =>
		timeline.push(`${((Date.now() - t0) / 1000).toFixed(2)} s ${what}`);
	const killer = (async () => {
		for (let k = 0; k < KILLS; k++) {
			const i = k % servers.length;
			const server = servers[i]!;
			const proxy = proxies[i]!;
			await sleep(between(500, 2000));
			if (k % 2 === 1) {
				await Promise.race([
					new Promise<void>((resolve) => (pushSeen = { proxy, done: resolve })),
					sleep(5_000)
				]);
				pushSeen = null;
				await sleep(between(0, 80));
			}
			proxy.target(null);
			note(`kill ${k + 1}: server ${i + 1}`);
			killedAt.push(Date.now());
			await server.kill();
			note(`kill ${k + 1}: server ${i + 1} gone`);
			proxy.dropAll();
			for (const side of options.afterKill ?? [])
				if (side.kill === k + 1)
					sideTasks.push(
						side.run().then(() => {
							note(side.what);
							done.push(`${side.what} (after kill ${k + 1}, ${Date.now() - t0} ms)`);
						})
					);
			await sleep(between(100, 800));
			await server.start();
			note(`server ${i + 1} started again`);
			proxy.target(server.port);
		}
		killing = false;
	})();

	// Devices: offline work in bursts, a sync attempt after each burst, then sync until the
	// killer is done.
	const work = async (device: AppDevice, todo: string[], step: (id: string) => Promise<void>) => {
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
	await Promise.all(sideTasks);
	phase('work and kills');
	expect(done, 'what the run did beside the kills').toHaveLength(options.afterKill?.length ?? 0);

	// Rounds of every device until one round in which no device pulled or pushed anything
	// (what one device sends, or a merge writes, reaches the others in the next round).
	const quiet = async (device: AppDevice): Promise<boolean> => {
		for (let attempt = 0; attempt < 100; attempt++) {
			try {
				route(device);
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
	phase('devices settled');

	// Checks, straight to each server; a failure says what the run saw (fault-diagnosis.ts).
	const total = DEVICES * perDevice;
	let all = new Map<string, Json>();
	let unmergedFound: string[] = [];
	let repeatedFound: Array<{ key: string; mails: ReceivedMail[] }> = [];
	const couches = [
		...new Set(
			[
				...options.servers,
				...(process.env.TEST_COUCHDB_CLUSTER ?? '').split(','),
				process.env.TEST_COUCHDB_URL
			].filter((u): u is string => typeof u === 'string' && u !== '')
		)
	];
	let others: string[] = [];
	let resent = 0;
	try {
		for (const [n, server] of servers.entries()) {
			const base = server.url as string;
			const where = `server ${n + 1} of ${servers.length}`;
			all = await readEverything(base);
			const tickets = [...all.values()].filter(
				(d) => d.type === 'ticket'
			) as unknown as TicketDoc[];
			const reports = [...all.values()].filter(
				(d) => d.type === 'report'
			) as unknown as ReportDoc[];
			const events = [...all.values()].filter((d) => d.type === 'event') as unknown as EventDoc[];
			expect(tickets.filter((t) => t.status === 'closed')).toHaveLength(total);
			expect(reports).toHaveLength(total);
			const bad: string[] = [];
			for (const report of reports) {
				const verdict = await verifyReport(report, await imagesOf(report as unknown as Json));
				if (!verdict.ok) bad.push(`${report._id}: ${verdict.message}`);
			}
			expect(bad, where).toEqual([]);
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
			const lost = unmerged.map((id) => `${id}: ${byId.get(id)?.title} (${byId.get(id)?.status})`);
			unmergedFound = unmerged;
			expect(lost, `${where}, merges: ${JSON.stringify(lost)}`).toEqual([]);

			const twice = [...counts].filter(([, n]) => n !== 1);
			expect(twice, `${where}, events twice: ${JSON.stringify(twice)}`).toEqual([]);
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
		}

		phase('server checks');
		if (options.mail) {
			await until(wanted);
			// Past the leases: a notice whose sender died after sending would come again by now.
			await sleep(LEASE_MS + 3_000);
			const mails = tally();
			phase('mails');
			expect(
				wanted.filter((key) => !mails.has(key)),
				'notices never mailed'
			).toEqual([]);
			// Once each: one mail document, so one Message-ID, per notice. The same mail may
			// cross the wire twice only when its sender was SIGKILLed between the SMTP server's
			// acceptance and the outbox's note of it (no sender can close that gap): the copy
			// then carries the same Message-ID, by which the mailbox knows it, and the first one
			// arrived right around a kill.
			repeatedFound = [...mails]
				.filter(([, n]) => n !== 1)
				.map(([key]) => ({ key, mails: smtp.received.filter((m) => kindOf(m) === key) }));
			const twice = repeatedFound.filter(
				({ mails: copies }) => new Set(copies.map((m) => messageIdIn(m.raw))).size !== 1
			);
			expect(
				twice.map((r) => r.key),
				'notices mailed more than once (several mail documents)'
			).toEqual([]);
			const unexplained = repeatedFound.filter(({ mails: copies }) => {
				const first = Math.min(...copies.map((m) => m.at));
				return !killedAt.some((k) => first >= k - 5_000 && first <= k + 1_000);
			});
			expect(
				unexplained.map((r) => r.key),
				'mails sent again with no sender killed as they went'
			).toEqual([]);
			resent = repeatedFound.reduce((n, r) => n + r.mails.length - 1, 0);
			const known = new Set(wanted);
			others = [...mails.keys()].filter((key) => !known.has(key));
			expect(
				others.filter((key) => !key.endsWith(' updated')),
				'mails of another kind'
			).toEqual([]);
		}
	} catch (error) {
		const diagnosis = await diagnose({
			tag: options.tag,
			couches: servers.some((s) => s.env.COUCHDB_URL) ? couches : [],
			dbName: servers[0]?.env.COUCHDB_DB ?? null,
			servers,
			devices,
			timeline,
			t0,
			unmerged: unmergedFound,
			repeated:
				repeatedFound.length > 0 || !options.mail
					? repeatedFound
					: [...tally()]
							.filter(([, n]) => n > 1)
							.map(([key]) => ({
								key,
								mails: smtp.received.filter((m) => kindOf(m) === key)
							})),
			all
		}).catch((e: unknown) => `no diagnosis: ${String(e)}`);
		// The failure itself too: a run that passes on its retry prints no failed attempt, and
		// the diagnosis file alone does not say which check failed.
		const failure = error instanceof Error ? error.message : String(error);
		const actual = (error as { actual?: unknown } | null)?.actual;
		const shown = (value: unknown): string => {
			try {
				return JSON.stringify(value)?.slice(0, 3000) ?? String(value);
			} catch {
				return String(value);
			}
		};
		console.log(
			`faults (${options.tag}): failed check: ${failure.slice(0, 2000)}` +
				(actual === undefined ? '' : `\nactual: ${shown(actual)}`)
		);
		console.log(diagnosis);
		if (error instanceof Error) error.message += `\n${diagnosis.slice(0, 3000)}`;
		throw error;
	}

	const figures = {
		phases,
		servers: servers.length,
		kills: servers.map((s) => s.kills),
		...Object.fromEntries(
			Object.keys(proxies[0]!.stats).map((k) => [
				k,
				proxies.reduce((n, p) => n + p.stats[k as keyof typeof p.stats], 0)
			])
		),
		failedSyncs,
		retitled: retitled.length,
		docs: all.size,
		mails: smtp.received.length,
		updatedNotices: others.length,
		resentAfterKill: resent,
		beside: done
	};
	expect(servers.reduce((n, s) => n + s.kills, 0)).toBe(KILLS);
	return figures;
}
