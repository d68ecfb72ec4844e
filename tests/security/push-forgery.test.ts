/**
 * Issue #11, points 1, 3 and 4, as an attacker with stock PouchDB and raw HTTP: pushed branches
 * that do not descend from the server's revision, forged timelines, and writes that would widen
 * the writer's own access. Each case asserts the exact refusal, that nothing was stored, and
 * that the attacker's readable set (the manifest) is what it was before.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MissionDoc, TicketDoc } from '../../src/lib/domain/schemas.ts';
import { touch } from '../../src/lib/domain/stamps.ts';
import {
	aClient,
	aConfig,
	aGrant,
	aMission,
	anEvent,
	aReport,
	aTechfile,
	actor,
	aTicket,
	people,
	qualify,
	ticketThrough,
	T0
} from '../../src/lib/domain/testing/factories.ts';
import {
	addAccounts,
	Clock,
	nextRevision,
	PouchDevice,
	putAll,
	Session,
	startSyncServer,
	stored,
	type Json,
	type SyncServer
} from '../support/sync-device.ts';

const HOUR = 3600_000;
const dina = people.dispatcher();
const eric = people.expert(['network']);
const theo = people.technician('theo');
const lea = people.technician('lea');
const bea = people.billing();
const ada = people.admin();

let clock: Clock;
let server: SyncServer;

const K1 = ticketThrough([[qualify, actor(dina)]], {
	...aTicket(),
	group: 'network'
} as TicketDoc);
const K2 = { ...K1, _id: 'ticket:K2', clientId: 'client:C2', group: 'desktop' };

beforeAll(async () => {
	clock = new Clock(Date.parse(T0) + 2 * HOUR);
	server = await startSyncServer(clock);
	await addAccounts(server.couch, [dina, eric, theo, lea, bea, ada]);
	await putAll(server.couch, [
		aConfig('access'),
		aClient(),
		aTechfile(),
		aClient({ _id: 'client:C2', name: 'Beta' }),
		aTechfile({ clientId: 'client:C2' }),
		K1,
		K2,
		aMission(),
		aMission({
			_id: 'mission:M2',
			ticketId: 'ticket:K2',
			clientId: 'client:C2',
			technicianId: lea._id
		}),
		aMission({ _id: 'mission:M3', status: 'cancelled' })
	] as unknown as Json[]);
});

afterAll(async () => {
	await server?.stop();
});

async function as(user: { name: string }): Promise<Session> {
	return new Session(server.url, user.name).signIn();
}

async function readable(session: Session): Promise<string[]> {
	return (await session.manifest()).docs.map(([id]) => id);
}

/** A revision that does not descend from anything the server has, as in the review. */
function branch(doc: Json, generation = 50): Json {
	const hash = randomBytes(16).toString('hex');
	return { ...doc, _rev: `${generation}-${hash}`, _revisions: { start: generation, ids: [hash] } };
}

async function current<T>(id: string): Promise<T & Json> {
	return (await stored(server.couch, id)) as T & Json;
}

/** Pushes one document; returns its answer after checking the batch was answered. */
async function pushOne(session: Session, doc: Json): Promise<Record<string, unknown>> {
	const res = await session.pushRaw([doc]);
	expect(res.status).toBe(201);
	const [answer] = res.body as Array<Record<string, unknown>>;
	return answer ?? {};
}

async function expectRefused(session: Session, doc: Json, reason: string | RegExp): Promise<void> {
	const id = String(doc._id);
	// The notifier's own writes (a notice for the seeded mission) land before the reads are taken.
	await server.settled();
	const before = await server.couch.db
		.get(id, { conflicts: true, revs_info: true })
		.catch(() => null);
	const readsBefore = await readable(session);
	const answer = await pushOne(session, doc);
	expect(answer).toMatchObject({ id, error: 'forbidden' });
	if (typeof reason === 'string') expect(answer.reason).toBe(reason);
	else expect(String(answer.reason)).toMatch(reason);
	await server.settled();
	const after = await server.couch.db
		.get(id, { conflicts: true, revs_info: true })
		.catch(() => null);
	expect(after?._rev ?? null).toBe(before?._rev ?? null);
	expect((after as Json | null)?._conflicts).toBeUndefined();
	expect(await readable(session)).toEqual(readsBefore);
}

describe('a pushed branch is judged on its own and as merged (point 1)', () => {
	it('a new branch of his mission pointing at another client is refused; the file stays closed', async () => {
		const theoS = await as(theo);
		expect(await readable(theoS)).not.toContain('techfile:C2');
		const m = await current<MissionDoc>('mission:M1');
		const forged = touch(
			m,
			{ ...m, clientId: 'client:C2', ticketId: 'ticket:K2' },
			new Date(clock.ms - HOUR).toISOString(),
			theo._id
		);
		await expectRefused(
			theoS,
			branch(forged as unknown as Json),
			'only a dispatcher may change who goes, for which ticket and client'
		);
		// Stamps older than the server's: the merge alone would keep the server's values, so
		// only the judgement of the branch's own content refuses it.
		const stale = (at: string) => ({
			...forged,
			stamps: {
				...forged.stamps,
				clientId: { at, by: theo._id },
				ticketId: { at, by: theo._id }
			}
		});
		await expectRefused(
			theoS,
			branch(stale('2024-01-01T00:00:00.000Z') as unknown as Json),
			'only a dispatcher may change who goes, for which ticket and client'
		);
		// The review's exact shape, dated before 1970: refused too (out of range, unmergeable).
		await expectRefused(theoS, branch(stale('1900-01-01T00:00:00.000Z') as unknown as Json), /./);
		const bulk = await theoS.client.request('/api/sync/bulk_get', {
			method: 'POST',
			body: { docs: [{ id: 'techfile:C2' }] }
		});
		expect(bulk.status).toBe(403);
	});

	it('the same branch through a stock PouchDB replication is denied', async () => {
		const device = await new PouchDevice(server.url, theo.name).signIn();
		await device.pull();
		const m = (await device.get('mission:M1')) as unknown as MissionDoc;
		const forged = touch(
			m,
			{ ...m, clientId: 'client:C2', ticketId: 'ticket:K2' },
			new Date(clock.ms - HOUR).toISOString(),
			theo._id
		);
		await device.db.bulkDocs([branch(forged as unknown as Json, 60)] as never, {
			new_edits: false
		});
		const pushed = await device.push();
		expect(pushed.denied).toEqual([
			{
				id: 'mission:M1',
				reason: 'only a dispatcher may change who goes, for which ticket and client'
			}
		]);
		await server.settled();
		const onServer = await server.couch.db.get('mission:M1', { conflicts: true });
		expect(onServer.clientId).toBe('client:C1');
		expect((onServer as Json)._conflicts).toBeUndefined();
		expect((await device.manifest()).docs.map(([id]) => id)).not.toContain('techfile:C2');
	});

	it('a branch made from an older revision is judged against that revision', async () => {
		const theoS = await as(theo);
		const m = await current<MissionDoc>('mission:M1');
		// A legitimate offline change (status) branching off the server's revision is merged.
		const done = touch(m, { ...m, status: 'in_progress' }, clock.iso(), theo._id);
		const parent = String(m._rev).split('-');
		const hash = randomBytes(16).toString('hex');
		const sibling = {
			...done,
			_rev: `${Number(parent[0]) + 1}-${hash}`,
			_revisions: { start: Number(parent[0]) + 1, ids: [hash, parent[1]] }
		};
		// Meanwhile the dispatcher changed the instructions on the server.
		const dispatched = touch(
			m,
			{ ...m, instructions: 'Apporter le switch.' },
			clock.iso(),
			dina._id
		);
		await server.couch.db.insert(dispatched as never);
		const answer = await pushOne(theoS, sibling as unknown as Json);
		expect(answer).toMatchObject({ ok: true });
		await server.settled();
		const merged = await server.couch.db.get('mission:M1', { conflicts: true });
		expect(merged).toMatchObject({ status: 'in_progress', instructions: 'Apporter le switch.' });
		expect((merged as Json)._conflicts).toBeUndefined();
	});

	it('a branch whose merge cannot be written is refused and closed, never kept', async () => {
		const theoS = await as(theo);
		const m = await current<MissionDoc>('mission:M1');
		const parent = String(m._rev).split('-');
		const hash = randomBytes(16).toString('hex');
		const done = touch(m, { ...m, status: 'done' }, clock.iso(), theo._id);
		const sibling = {
			...done,
			_rev: `${Number(parent[0]) + 1}-${hash}`,
			_revisions: { start: Number(parent[0]) + 1, ids: [hash, parent[1]] }
		};
		const dispatched = touch(
			m,
			{ ...m, instructions: 'Code portail 1234.' },
			clock.iso(),
			dina._id
		);
		await server.couch.db.insert(dispatched as never);
		const serverRev = (await current<MissionDoc>('mission:M1'))._rev;
		// The database refuses the merged revision (a disk full, a node gone): the merge fails.
		const db = server.couch.db as unknown as { insert: (...args: unknown[]) => Promise<unknown> };
		const insert = db.insert;
		db.insert = () => Promise.reject(Object.assign(new Error('disk full'), { statusCode: 500 }));
		let answer: Record<string, unknown>;
		try {
			answer = await pushOne(theoS, sibling as unknown as Json);
		} finally {
			db.insert = insert;
		}
		expect(answer).toMatchObject({ id: 'mission:M1', error: 'forbidden' });
		expect(String(answer.reason)).toMatch(
			/^this change could not be merged with the server's version/
		);
		await server.settled();
		const after = await server.couch.db.get('mission:M1', { conflicts: true });
		expect(after._rev).toBe(serverRev);
		expect(after).toMatchObject({ status: 'in_progress', instructions: 'Code portail 1234.' });
		expect((after as Json)._conflicts).toBeUndefined();
	});
});

describe('events tell the truth (point 3)', () => {
	const follow = (overrides: Record<string, unknown>) =>
		nextRevision(
			anEvent({
				_id: `event:F${randomBytes(4).toString('hex')}`,
				author: theo._id,
				authorName: theo.displayName,
				...overrides
			}) as unknown as Json
		);

	it('an event about his ticket shown in another ticket’s timeline is refused', async () => {
		await expectRefused(
			await as(theo),
			follow({ ticketId: 'ticket:K2' }),
			'event.ticketId: must be its subject'
		);
	});

	it('a name that is not his, or the system as author, is refused', async () => {
		const theoS = await as(theo);
		await expectRefused(
			theoS,
			follow({ authorName: 'Claire Dubois (hotline)' }),
			'event.authorName: must be your name as in your profile'
		);
		await expectRefused(
			theoS,
			follow({ kind: 'merge_set_aside', author: 'system' }),
			'event.author: must be you'
		);
		await expectRefused(theoS, follow({ kind: 'ticket_numbered' }), /written by the server only/);
	});

	it('a credential reveal about a file he cannot read is refused', async () => {
		await expectRefused(
			await as(theo),
			follow({
				kind: 'credential_reveal',
				subjectId: 'techfile:C2',
				ticketId: undefined,
				data: { credentialId: 'c1' }
			}),
			'after this change you could no longer read the document'
		);
	});

	it('coded events (issue #13): vague, forged or another mission’s are refused', async () => {
		const theoS = await as(theo);
		// Structure: the schema (same on device, server and CouchDB) wants the kind's codes.
		await expectRefused(
			theoS,
			follow({ kind: 'mission_ended', subjectId: 'mission:M1', body: 'Fini' }),
			/event\.data: must hold the codes of the event kind/
		);
		await expectRefused(
			theoS,
			follow({ kind: 'status_change', data: { action: 'frobnicate', to: 'closed' } }),
			/event\.data: must hold the codes of the event kind/
		);
		// Authority: the end of his mission is about that mission; confirming is the requester's.
		await expectRefused(
			theoS,
			follow({
				kind: 'mission_ended',
				subjectId: 'mission:M1',
				data: { missionId: 'mission:M3', reason: 'client_absent' }
			}),
			'event.subjectId: a mission ended is about that mission'
		);
		await expectRefused(
			theoS,
			follow({
				kind: 'status_change',
				data: { action: 'confirm', from: 'resolved', to: 'closed' }
			}),
			'event.data.action: confirm is the requester’s'
		);
		const answer = await pushOne(
			theoS,
			follow({
				kind: 'mission_ended',
				subjectId: 'mission:M1',
				body: 'Client absent, personne à l’accueil.',
				data: { missionId: 'mission:M1', reason: 'client_absent' }
			})
		);
		expect(answer).toMatchObject({ ok: true });
	});

	it('his own follow-up on his ticket is accepted', async () => {
		const answer = await pushOne(await as(theo), follow({ body: 'Sur place.' }));
		expect(answer).toMatchObject({ ok: true });
	});
});

describe('what creates access is a planning right (point 4)', () => {
	it('an expert cannot plan himself on a ticket outside his group', async () => {
		const ericS = await as(eric);
		expect(await readable(ericS)).not.toContain('ticket:K2');
		await expectRefused(
			ericS,
			nextRevision(
				aMission({
					_id: 'mission:X1',
					ticketId: 'ticket:K2',
					clientId: 'client:C2',
					technicianId: eric._id
				}) as unknown as Json
			),
			"only a dispatcher or an expert of the ticket's group may plan it"
		);
		expect(await stored(server.couch, 'mission:X1')).toBeNull();
	});

	it('a mission is at its ticket’s client, even for the dispatcher', async () => {
		await expectRefused(
			await as(dina),
			nextRevision(aMission({ _id: 'mission:X2', clientId: 'client:C2' }) as unknown as Json),
			"mission.clientId: must be the client of the mission's ticket"
		);
	});

	it('a technician revives no cancelled mission, plans nothing, approves no grant', async () => {
		const theoS = await as(theo);
		const m3 = await current<MissionDoc>('mission:M3');
		await expectRefused(
			theoS,
			nextRevision(
				touch(m3, { ...m3, status: 'planned' }, clock.iso(), theo._id) as unknown as Json,
				m3
			),
			/./
		);
		await expectRefused(
			theoS,
			nextRevision(aMission({ _id: 'mission:X3' }) as unknown as Json),
			'only a dispatcher or an expert may plan a mission'
		);
		await expectRefused(
			theoS,
			nextRevision({
				...aGrant({ technicianId: theo._id, clientId: 'client:C2' }),
				status: 'approved',
				decidedBy: theo._id,
				decidedAt: clock.iso(),
				expiresAt: new Date(clock.ms + 24 * HOUR).toISOString()
			} as unknown as Json),
			'you may only request access for yourself'
		);
		await expectRefused(
			theoS,
			nextRevision(
				aReport({
					_id: 'report:X4',
					missionId: 'mission:M2',
					ticketId: 'ticket:K2',
					clientId: 'client:C2'
				}) as unknown as Json
			),
			/./
		);
	});

	it('a technician gives himself no role, group or client file', async () => {
		const theoS = await as(theo);
		const me = await current<Json>(theo._id);
		await expectRefused(
			theoS,
			nextRevision({ ...me, roles: ['technician', 'dispatcher'] }, me),
			'you may not change roles'
		);
		await expectRefused(
			theoS,
			nextRevision({ ...me, groups: ['desktop'] }, me),
			'you may not change groups'
		);
		// A technical file for a client that has none: he could not read it once written.
		await putAll(server.couch, [aClient({ _id: 'client:C7', name: 'Gamma' }) as unknown as Json]);
		await expectRefused(
			theoS,
			nextRevision(aTechfile({ clientId: 'client:C7' }) as unknown as Json),
			'after this change you could no longer read the document'
		);
	});

	it('billing plans nothing either', async () => {
		await expectRefused(
			await as(bea),
			nextRevision(aMission({ _id: 'mission:X5', technicianId: theo._id }) as unknown as Json),
			'only a dispatcher or an expert may plan a mission'
		);
	});
});

describe('refusals and server-owned fields', () => {
	it('a refusal reads the same whether the id exists or not', async () => {
		const theoS = await as(theo);
		const existing = nextRevision({ ...ada, displayName: 'x' } as unknown as Json);
		const missing = nextRevision({
			...ada,
			_id: 'user:nobody',
			name: 'nobody',
			displayName: 'x'
		} as unknown as Json);
		const [a, b] = (await theoS.pushRaw([existing, missing])).body as Array<{ reason: string }>;
		expect(a?.reason).toBe('only an admin may manage other accounts');
		expect(b?.reason).toBe(a?.reason);
	});

	it('the access field is the server’s', async () => {
		const m = await current<MissionDoc>('mission:M1');
		await expectRefused(
			await as(dina),
			nextRevision({ ...m, access: ['user:lea'] } as unknown as Json, m),
			'access: is worked out by the server, never written by a device'
		);
	});
});

describe('devices converge after a server-side merge, with no push/pull loop', () => {
	it('two offline edits of one ticket end on one revision, and the next sync moves nothing', async () => {
		const tech = await new PouchDevice(server.url, eric.name).signIn();
		const desk = await new PouchDevice(server.url, dina.name).signIn();
		await tech.pull();
		await desk.pull();
		const a = (await tech.get('ticket:K1')) as unknown as TicketDoc;
		await tech.put(touch(a, { ...a, description: 'vu sur place' }, clock.iso(), eric._id) as never);
		const b = (await desk.get('ticket:K1')) as unknown as TicketDoc;
		await desk.put(touch(b, { ...b, title: 'Imprimante HS' }, clock.iso(), dina._id) as never);
		expect((await tech.push()).denied).toEqual([]);
		expect((await desk.push()).denied).toEqual([]);
		await server.settled();
		for (const d of [tech, desk]) await d.pull();
		const onServer = await server.couch.db.get('ticket:K1', { conflicts: true });
		expect(onServer).toMatchObject({ title: 'Imprimante HS', description: 'vu sur place' });
		expect((onServer as Json)._conflicts).toBeUndefined();
		for (const d of [tech, desk]) {
			const held = await d.get('ticket:K1');
			expect(held._rev).toBe(onServer._rev);
			expect(held._conflicts).toBeUndefined();
			// Nothing left to push, and nothing new to pull: no loop.
			expect((await d.push()).written).toBe(0);
			const again = await d.manifest();
			const local = await d.db.allDocs({ keys: again.docs.map(([id]) => id) });
			const stale = local.rows.filter(
				(r, i) => !('value' in r) || r.value.rev !== again.docs[i]?.[1]
			);
			expect(stale).toEqual([]);
		}
	});
});
