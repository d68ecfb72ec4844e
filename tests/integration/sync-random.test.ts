/**
 * 20 users, 2,000 random steps (seeded) of assignments, reassignments, cancellations, access
 * grants and revocations, ticket closures and cancellations with time moving past the access
 * window, follow-ups, reports and profile changes. Every 10 steps every device syncs through
 * the server's endpoints, and each must then hold exactly the documents the domain's
 * `principalsFor` gives its user over the server's whole data at the server's time — computed
 * here independently of the server's access model. A document too many (a leak) or too few
 * fails the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userPrincipals } from '../../src/lib/domain/access.ts';
import { createIdFactory, techfileIdFor } from '../../src/lib/domain/ids.ts';
import { parseDoc, type Doc, type TicketDoc, type UserDoc } from '../../src/lib/domain/schemas.ts';
import { touch, type MergeableDoc } from '../../src/lib/domain/stamps.ts';
import { aClient, aTechfile, aUser } from '../../src/lib/domain/testing/factories.ts';
import {
	addAccounts,
	Clock,
	LightDevice,
	nextRevision,
	putAll,
	startSyncServer,
	type Json,
	type SyncServer
} from '../support/sync-device.ts';
import { expectedDeviceIds, expectedReaders } from '../support/expected-readers.ts';
import { onCluster } from '../support/couch-kind.ts';
import { mulberry32 } from '../../server/demo/rng.ts';

const SEED = Number(process.env.SYNC_RANDOM_SEED ?? 20261125);
const STEPS = Number(process.env.SYNC_RANDOM_STEPS ?? 2000);
const SYNC_EVERY = 10;
const HOUR = 3600_000;
const WINDOW_DAYS = 2;

const random = mulberry32(SEED);
const newId = createIdFactory(mulberry32(SEED + 1));
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
const chance = (p: number) => random() < p;

// Teams (issue #15): dispb works for an agency, some technicians and clients belong to one; a
// step moves a client or dispb between agencies (or out of any).
const TEAMS = ['agence-lyon', 'agence-paris'];
const dispatchers = [
	aUser('dispa', ['dispatcher']),
	aUser('dispb', ['dispatcher'], { team: 'agence-lyon' })
];
const experts = [
	aUser('expa', ['expert'], { groups: ['network'] }),
	aUser('expb', ['expert'], { groups: ['desktop'] })
];
const technicians = Array.from({ length: 14 }, (_, i) =>
	aUser(`tech${String(i + 1).padStart(2, '0')}`, ['technician'], {
		groups: ['network'],
		...(i < 6 ? { team: TEAMS[i % 2] } : {})
	})
);
const users: UserDoc[] = [
	...dispatchers,
	...experts,
	aUser('bill', ['billing']),
	aUser('boss', ['admin']),
	...technicians
];
const GROUPS = ['network', 'desktop'];
const clientIds = Array.from({ length: 6 }, (_, i) => `client:C0${i + 1}`);

let clock: Clock;
let server: SyncServer;
const devices = new Map<string, LightDevice>();

/** Every business document as stored now (read as admin, not through sync). */
async function everything(): Promise<Map<string, Json>> {
	const res = await server.couch.db.list({ include_docs: true });
	const out = new Map<string, Json>();
	for (const row of res.rows) {
		if (!row.id.startsWith('_') && row.doc) out.set(row.id, row.doc as unknown as Json);
	}
	return out;
}

function parsedAll(all: Map<string, Json>): Doc[] {
	return [...all.values()].flatMap((raw) => {
		const r = parseDoc(raw);
		return r.ok ? [r.value] : [];
	});
}

/**
 * The documents as the test wrote them, kept current, so a step neither reads the whole
 * database nor parses it again (the checks read the server's own data).
 */
const mirror = new Map<string, Doc>();

function remember(doc: Json): void {
	const parsed = parseDoc(doc);
	if (parsed.ok) mirror.set(parsed.value._id, parsed.value);
}

async function save(doc: Json): Promise<void> {
	const [result] = await server.couch.db.bulk({ docs: [doc] });
	if (!result || result.error) throw new Error(`write refused: ${doc._id}: ${result?.reason}`);
	remember({ ...doc, _rev: result.rev });
}

/** A stored mergeable document changed as the app would (stamped), written as admin. */
async function change<T extends MergeableDoc>(
	doc: T,
	edit: (d: T) => T,
	by: string
): Promise<void> {
	await save(touch(doc, edit(structuredClone(doc)), clock.now(), by) as unknown as Json);
}

function created(by: string) {
	const at = clock.iso();
	return { createdAt: at, createdBy: by, updatedAt: at, updatedBy: by };
}

function newTicket(by: string, clientId: string, qualified: boolean): Json {
	const group = pick(GROUPS);
	return {
		_id: newId('ticket', clock.ms),
		type: 'ticket',
		kind: 'incident',
		preTicket: false,
		title: `Panne ${Math.floor(random() * 1000)}`,
		description: '',
		clientId,
		requester: { name: 'Marie Durand' },
		source: 'phone',
		impact: 2,
		urgency: 2,
		priority: 'P3',
		status: qualified ? 'qualified' : 'new',
		level: 1,
		assignees: [],
		links: [],
		...(qualified ? { category: group, group } : {}),
		...created(by)
	};
}

function followUp(ticketId: string, author: string): Json {
	return {
		_id: newId('event', clock.ms),
		type: 'event',
		subjectId: ticketId,
		ticketId,
		kind: 'follow_up',
		visibility: 'internal',
		author,
		at: clock.iso(),
		body: 'Point d’étape'
	};
}

const counts: Record<string, number> = {};

/** One random step; returns its name. */
async function step(all: ReadonlyMap<string, Doc>): Promise<string> {
	const docs = [...all.values()];
	const ofType = <T extends Doc['type']>(type: T) =>
		docs.filter((d): d is Extract<Doc, { type: T }> => d.type === type);
	const open = ofType('ticket').filter((t) => t.status !== 'closed' && t.status !== 'cancelled');
	const qualified = open.filter((t) => t.clientId !== undefined && t.group !== undefined);
	const missions = ofType('mission').filter((m) => m.status !== 'cancelled');
	const dispatcher = pick(dispatchers)._id;
	const tech = pick(technicians)._id;
	const roll = random() * 100;

	if (roll < 18 && qualified.length > 0) {
		const ticket = pick(qualified);
		const start = clock.ms + Math.floor(random() * 48) * HOUR;
		const mission = {
			_id: newId('mission', clock.ms),
			type: 'mission',
			ticketId: ticket._id,
			clientId: ticket.clientId,
			siteId: 's1',
			technicianId: tech,
			start: new Date(start).toISOString(),
			end: new Date(start + 2 * HOUR).toISOString(),
			estimatedMinutes: 90,
			instructions: 'Intervention',
			status: 'planned',
			...created(dispatcher)
		};
		if (chance(0.5)) {
			// Through sync, as the dispatcher's device would.
			const desk = devices.get(dispatcher.slice('user:'.length))!;
			const pushed = nextRevision(mission);
			const res = await desk.pushRaw([pushed]);
			expect(res.body, 'a dispatcher plans a mission').toMatchObject([{ ok: true }]);
			remember(pushed);
			return 'assign (pushed)';
		}
		await save(mission);
		return 'assign';
	}
	if (roll < 30 && missions.length > 0) {
		const mission = pick(missions);
		await change(mission, (m) => ({ ...m, technicianId: tech }), dispatcher);
		return 'reassign';
	}
	if (roll < 34 && missions.length > 0) {
		await change(pick(missions), (m) => ({ ...m, status: 'cancelled' }), dispatcher);
		return 'cancel mission';
	}
	if (roll < 42) {
		const requested = clock.iso();
		await save({
			_id: newId('grant', clock.ms),
			type: 'grant',
			technicianId: tech,
			clientId: pick(clientIds),
			reason: 'Astreinte',
			requestedAt: requested,
			status: 'approved',
			decidedBy: 'user:boss',
			decidedAt: requested,
			expiresAt: new Date(clock.ms + (1 + Math.floor(random() * 72)) * HOUR).toISOString()
		});
		return 'grant';
	}
	const approved = ofType('grant').filter((g) => g.status === 'approved');
	if (roll < 46 && approved.length > 0) {
		await save({ ...(pick(approved) as unknown as Json), status: 'revoked' });
		return 'revoke grant';
	}
	if (roll < 54 && qualified.length > 0) {
		const ticket = pick(qualified);
		await change(
			ticket,
			(t) =>
				({
					...t,
					status: 'closed',
					pending: undefined,
					closure: { by: dispatcher, at: clock.iso(), how: 'level1', solution: 'Résolu' }
				}) as TicketDoc,
			dispatcher
		);
		return 'close ticket';
	}
	if (roll < 57 && open.length > 0) {
		await change(
			pick(open),
			(t) =>
				({
					...t,
					status: 'cancelled',
					preTicket: false,
					cancellation: { by: dispatcher, at: clock.iso(), reason: 'Doublon' }
				}) as TicketDoc,
			dispatcher
		);
		return 'cancel ticket';
	}
	if (roll < 62) {
		const by = chance(0.5) ? tech : dispatcher;
		await save(newTicket(by, pick(clientIds), by === dispatcher));
		return 'new ticket';
	}
	if (roll < 68 && qualified.length > 0) {
		await change(
			pick(qualified),
			(t) => ({ ...t, status: 'assigned', assignees: [tech] }) as TicketDoc,
			dispatcher
		);
		return 'assign ticket';
	}
	if (roll < 78 && open.length > 0) {
		const ticket = pick(open);
		const login = tech.slice('user:'.length);
		const readers = expectedReaders(docs, clock.ms).get(ticket._id) ?? [];
		const held = new Set(userPrincipals(technicians.find((t) => t._id === tech)!));
		const pushed = nextRevision(followUp(ticket._id, tech));
		const res = await devices.get(login)!.pushRaw([pushed]);
		expect(Array.isArray(res.body), `push answered ${res.status} ${JSON.stringify(res.body)}`).toBe(
			true
		);
		const [answer] = res.body as Array<Record<string, unknown>>;
		expect(answer?.ok === true, `follow-up by ${login}: ${JSON.stringify(answer)}`).toBe(
			readers.some((p) => held.has(p))
		);
		if (answer?.ok === true) remember(pushed);
		return 'follow-up (pushed)';
	}
	if (roll < 81 && missions.length > 0) {
		const mission = pick(missions);
		await save({
			_id: newId('report', clock.ms),
			type: 'report',
			missionId: mission._id,
			ticketId: mission.ticketId,
			clientId: mission.clientId,
			technicianId: mission.technicianId,
			times: [],
			tasks: ['Diagnostic'],
			parts: [],
			remarks: '',
			techfileChanges: [],
			outcome: 'resolved',
			signatures: {},
			createdAt: clock.iso(),
			updatedAt: clock.iso()
		});
		return 'report';
	}
	if (roll < 93) {
		clock.advance((1 + Math.floor(random() * 60)) * HOUR);
		return 'time passes';
	}
	if (roll < 94) {
		// An agency's portfolio changes: a client, or dispb, moves (or leaves every team).
		const next = pick([...TEAMS, undefined]);
		if (chance(0.7)) {
			const client = all.get(pick(clientIds));
			if (client?.type === 'client')
				await change(
					client,
					(c) => {
						const { team: _team, ...rest } = c;
						void _team;
						return next === undefined ? rest : { ...rest, team: next };
					},
					'user:boss'
				);
		} else {
			const { team: _team, ...rest } = all.get('user:dispb') as UserDoc;
			void _team;
			await save({ ...(rest as unknown as Json), ...(next === undefined ? {} : { team: next }) });
		}
		return 'team move';
	}
	if (roll < 95) {
		const expert = all.get('user:expa') as UserDoc;
		const groups = expert.groups.length === 1 ? ['network', 'desktop'] : ['network'];
		await save({ ...(expert as unknown as Json), groups });
		return 'expert groups';
	}
	if (roll < 97) {
		await save({
			_id: newId('calendar', clock.ms),
			type: 'calendar',
			technicianId: tech,
			kind: 'absence',
			start: clock.iso(),
			end: new Date(clock.ms + 8 * HOUR).toISOString(),
			label: 'Congé'
		});
		return 'calendar';
	}
	await save({
		_id: newId('event', clock.ms),
		type: 'event',
		subjectId: techfileIdFor(pick(clientIds)),
		kind: 'credential_reveal',
		visibility: 'internal',
		author: tech,
		at: clock.iso(),
		body: 'Mot de passe affiché'
	});
	return 'credential reveal';
}

/**
 * Every device syncs, then holds exactly its user's documents at their current revisions. On a
 * cluster the test's own writes (straight to the database) reach the server eventually: the
 * check is then repeated until it holds, for at most CLUSTER_CONVERGE_MS, and the longest wait
 * is reported.
 */
async function syncAndCheck(label: string): Promise<void> {
	const start = Date.now();
	for (;;) {
		try {
			await syncAndCheckOnce(label);
			convergedMs = Math.max(convergedMs, Date.now() - start);
			return;
		} catch (error) {
			if (!clustered || Date.now() - start > CLUSTER_CONVERGE_MS) throw error;
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
	}
}

const CLUSTER_CONVERGE_MS = 15_000;
let clustered = false;
let convergedMs = 0;

async function syncAndCheckOnce(label: string): Promise<void> {
	// Tickets opened by devices get their number from the server a moment later.
	await server.settled();
	await Promise.all([...devices.values()].map((d) => d.pull()));
	const all = await everything();
	const docs = parsedAll(all);
	mirror.clear();
	for (const doc of docs) mirror.set(doc._id, doc);
	const readers = expectedReaders(docs, clock.ms);
	for (const user of users) {
		const profile = parseDoc(all.get(user._id)).ok
			? (all.get(user._id) as unknown as UserDoc)
			: user;
		// What they read and, on a desk device, only its working set (issue #15).
		const expected = expectedDeviceIds(docs, profile, clock.ms);
		const device = devices.get(user.name)!;
		const leaked = [...device.held.keys()].filter((id) => !expected.has(id)).sort();
		const missing = [...expected].filter((id) => !device.held.has(id)).sort();
		expect({ user: user.name, leaked, missing }, `${label} (seed ${SEED})`).toEqual({
			user: user.name,
			leaked: [],
			missing: []
		});
		for (const [id, doc] of device.held)
			expect(doc._rev, `${label}: ${user.name} ${id}`).toBe(all.get(id)?._rev);
		// The server's search answers exactly the tickets the access rules let them read (issue
		// #15): the list of every ticket, newest first, up to 100.
		const principals = new Set(userPrincipals(profile));
		const readable = docs
			.filter(
				(d) => d.type === 'ticket' && (readers.get(d._id) ?? []).some((p) => principals.has(p))
			)
			.map((d) => d._id)
			.sort();
		const found = await device.call('/api/desk/search?limit=100');
		expect(found.status).toBe(200);
		const ids = (found.body.hits as Array<{ id: string }>).map((h) => h.id).sort();
		if (readable.length <= 100) expect(ids, `${label}: search of ${user.name}`).toEqual(readable);
		else for (const id of ids) expect(readable, `${label}: search of ${user.name}`).toContain(id);
	}
}

beforeAll(async () => {
	clustered = await onCluster();
	clock = new Clock('2026-01-05T08:00:00.000Z');
	server = await startSyncServer(clock);
	await addAccounts(server.couch, users);
	const seed: Json[] = [
		{
			_id: 'config:access',
			type: 'config',
			kind: 'access',
			windowDays: WINDOW_DAYS,
			docCap: 10_000
		}
	];
	for (const id of clientIds) {
		const i = clientIds.indexOf(id);
		const team = i < 4 ? { team: TEAMS[i % 2] } : {};
		seed.push(aClient({ _id: id, name: `Client ${id.slice(-2)}`, ...team }) as unknown as Json);
		seed.push(aTechfile({ clientId: id }) as unknown as Json);
	}
	for (let i = 0; i < 20; i++) {
		const ticket = newTicket(pick(dispatchers)._id, pick(clientIds), true);
		seed.push(ticket, followUp(String(ticket._id), pick(dispatchers)._id));
	}
	await putAll(server.couch, seed);
	// Sessions opened with the server's secret: the clock moves by months, past the lifetime
	// of a signed-in session, and signing in is tested elsewhere.
	for (const user of users)
		devices.set(user.name, await new LightDevice(server.url, user.name).issued(server, clock.ms));
}, 120_000);

afterAll(async () => {
	if (clustered)
		console.log(`sync-random on a cluster: longest wait for convergence ${convergedMs} ms`);
	await server?.stop();
});

describe('randomized: each device holds exactly what principalsFor allows', () => {
	it(`${STEPS} random steps, ${users.length} users, every device checked every ${SYNC_EVERY} steps`, async () => {
		await syncAndCheck('start');
		let all = mirror;
		const spent = { steps: 0, syncs: 0, reads: 0 };
		for (let i = 1; i <= STEPS; i++) {
			let t = Date.now();
			const kind = await step(all);
			spent.steps += Date.now() - t;
			counts[kind] = (counts[kind] ?? 0) + 1;
			t = Date.now();
			if (i % SYNC_EVERY === 0) await syncAndCheck(`after step ${i} (${kind})`);
			spent.syncs += Date.now() - t;
			t = Date.now();
			all = mirror;
			spent.reads += Date.now() - t;
			if (process.env.SYNC_RANDOM_TRACE && i % 50 === 0)
				process.stderr.write(`${i} ${all.size} ${JSON.stringify(spent)}\n`);
		}
		// The walk did exercise every kind of step, and devices did lose documents.
		for (const kind of [
			'assign (pushed)',
			'reassign',
			'grant',
			'revoke grant',
			'close ticket',
			'time passes'
		])
			expect(counts[kind] ?? 0, kind).toBeGreaterThan(20);
		expect(counts['team move'] ?? 0, 'team move').toBeGreaterThan(5);
	}, 600_000);
});
