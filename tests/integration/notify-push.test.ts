import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../server/auth/users.ts';
import { escalationFactId } from '../../src/lib/domain/sla-facts.ts';
import { aClient, aMission, aTicket } from '../../src/lib/domain/testing/factories.ts';
import { Client, startTestServer } from '../support/test-server.ts';
import { TestPushService, testId } from './notify-support.ts';

/**
 * The test's push service is on loopback, which push endpoints may never be: allowed here by
 * the test-only switch (refused with NODE_ENV=production). In the process's environment too,
 * for the push sender, which reads it there.
 */
const LOCAL_PUSH = { PUSH_HOSTS: '127.0.0.1', PUSH_ALLOW_LOOPBACK: '1' };
Object.assign(process.env, LOCAL_PUSH);

let server: Awaited<ReturnType<typeof startTestServer>>;
let push: TestPushService;
const PASSWORD = 'long-enough-1';
const HOUR = 3_600_000;

function future(hours: number): { start: string; end: string } {
	const start = Date.now() + hours * HOUR;
	return { start: new Date(start).toISOString(), end: new Date(start + 2 * HOUR).toISOString() };
}

async function signedIn(name: string): Promise<Client> {
	const client = new Client(server.url);
	expect((await client.signIn(name, PASSWORD)).status).toBe(200);
	return client;
}

async function save(doc: Record<string, unknown>): Promise<string> {
	const res = await server.couch.db.insert(doc);
	return res.rev;
}

async function missionFor(
	tech: string,
	hours = 24
): Promise<Record<string, unknown> & { _id: string; _rev: string }> {
	const doc = {
		...aMission({
			_id: `mission:${testId()}`,
			technicianId: `user:${tech}`,
			clientId: 'client:C1',
			...future(hours)
		})
	};
	const rev = await save(doc);
	return { ...doc, _rev: rev };
}

beforeAll(async () => {
	push = await TestPushService.start();
	server = await startTestServer({
		PUSH_EXTRA_CA: push.caFile,
		...LOCAL_PUSH,
		NOTIFY_SWEEP_MS: '300',
		NOTIFY_LEASE_MS: '1000',
		PUBLIC_URL: 'https://terrain.example.fr'
	});
	const now = new Date();
	for (const [name, roles, email] of [
		['tech.paul', ['technician'], 'paul@terrain.example.fr'],
		['tech.zoe', ['technician'], 'zoe@terrain.example.fr'],
		['boss', ['admin'], undefined]
	] as const) {
		await addUser(
			server.couch,
			{ name, roles: [...roles], password: PASSWORD, ...(email ? { email } : {}) },
			now
		);
	}
	await save({ ...aClient() });
	await save({ ...aTicket({ title: 'Imprimante hors service', number: 10421 }), _id: 'ticket:K1' });
});

afterAll(async () => {
	await server?.stop();
	await push?.stop();
});

describe('push subscriptions API', () => {
	it('gives the VAPID public key and stores a signed-in user’s subscription', async () => {
		const key = await new Client(server.url).request('/api/push/key');
		expect(key.body.publicKey).toBe(server.config.secrets.vapidPublicKey);
		const anonymous = await new Client(server.url).request('/api/push/subscription', {
			method: 'POST',
			body: push.subscription('anon')
		});
		expect(anonymous.status).toBe(401);
		const paul = await signedIn('tech.paul');
		const res = await paul.request('/api/push/subscription', {
			method: 'POST',
			body: push.subscription('paul')
		});
		expect(res.status).toBe(201);
		const bad = await paul.request('/api/push/subscription', {
			method: 'POST',
			body: { endpoint: 'http://evil.example/x', keys: { p256dh: 'x', auth: 'y' } }
		});
		expect(bad.status).toBe(400);
	});
});

describe('what is pushed', () => {
	it('mission assigned, rescheduled and cancelled reach the technician, decrypted with the subscription’s keys', async () => {
		const before = push.received.length;
		const mission = await missionFor('tech.paul');
		const [assigned] = (await push.waitFor(before + 1)).slice(before);
		expect(assigned!.name).toBe('paul');
		expect(assigned!.vapidKey).toBe(server.config.secrets.vapidPublicKey);
		expect(assigned!.payload).toMatchObject({
			event: 'assigned',
			missionId: mission._id,
			ticketId: 'ticket:K1',
			url: `/missions/${mission._id.slice('mission:'.length)}`
		});
		expect(String(assigned!.payload.body)).toMatch(
			/^Nouvelle mission le [a-z]+\. \d{1,2} [a-zéû]+\.? à \d\d:\d\d — n° 10421 Imprimante hors service$/
		);
		// Small: ids and one sentence.
		expect(JSON.stringify(assigned!.payload).length).toBeLessThan(400);

		const moved = { ...mission, ...future(30) };
		moved._rev = await save(moved);
		const [rescheduled] = (await push.waitFor(before + 2)).slice(before + 1);
		expect(rescheduled!.payload).toMatchObject({ event: 'rescheduled', missionId: mission._id });
		expect(String(rescheduled!.payload.body)).toMatch(/^Mission déplacée au /);

		await save({ ...moved, status: 'cancelled' });
		const [cancelled] = (await push.waitFor(before + 3)).slice(before + 2);
		expect(cancelled!.payload).toMatchObject({ event: 'cancelled', missionId: mission._id });
	});

	it('a reassignment tells the new technician and the one who loses the mission', async () => {
		const zoe = await signedIn('tech.zoe');
		await zoe.request('/api/push/subscription', { method: 'POST', body: push.subscription('zoe') });
		const before = push.received.length;
		const mission = await missionFor('tech.paul');
		await push.waitFor(before + 1);
		await save({ ...mission, technicianId: 'user:tech.zoe' });
		const got = (await push.waitFor(before + 3)).slice(before + 1);
		expect(got.map((p) => [p.name, p.payload.event]).sort()).toEqual([
			['paul', 'cancelled'],
			['zoe', 'assigned']
		]);
	});

	it('a ticket escalated to a level tells its technician', async () => {
		const before = push.received.length;
		const ticket = {
			...aTicket({ title: 'Serveur de fichiers lent', number: 10500 }),
			_id: `ticket:${testId()}`,
			assignees: ['user:tech.paul']
		};
		const rev = await save(ticket);
		// Let the first version be seen before the escalation.
		await new Promise((done) => setTimeout(done, 500));
		await save({ ...ticket, _rev: rev, level: 2 });
		const [escalated] = (await push.waitFor(before + 1)).slice(before);
		expect(escalated!.payload).toMatchObject({ event: 'escalated', ticketId: ticket._id });
		expect(String(escalated!.payload.body)).toBe(
			'Ticket escaladé au niveau 2 — n° 10500 Serveur de fichiers lent'
		);
	});

	it('an escalation decided by the server’s job pushes to each person it tells, once', async () => {
		const before = push.received.length;
		const ticket = {
			...aTicket({ title: 'Messagerie indisponible', number: 10501 }),
			_id: `ticket:${testId()}`,
			assignees: ['user:tech.paul']
		};
		await save(ticket);
		const fact = {
			_id: escalationFactId(ticket._id, 'response'),
			type: 'event',
			subjectId: ticket._id,
			ticketId: ticket._id,
			kind: 'escalated',
			visibility: 'internal',
			author: 'system',
			authorName: 'Terrain',
			at: new Date().toISOString(),
			body: '',
			data: {
				deadline: 'response',
				dueAt: new Date().toISOString(),
				from: 1,
				to: 2,
				told: ['user:tech.paul']
			}
		};
		await save(fact);
		const [escalated] = (await push.waitFor(before + 1)).slice(before);
		expect(escalated!.name).toBe('paul');
		expect(escalated!.payload).toMatchObject({
			event: 'escalated',
			ticketId: ticket._id,
			url: `/tickets/${ticket._id.slice('ticket:'.length)}`
		});
		expect(String(escalated!.payload.body)).toBe(
			'Ticket escaladé au niveau 2 — n° 10501 Messagerie indisponible'
		);
		// The same fact seen again (a restart reads the feed from its checkpoint) is not pushed
		// twice; a look-alike a device could not have written (not the system's) is not pushed.
		await save({ ...fact, _id: `${fact._id}-copy`, author: 'user:tech.paul' });
		await server.settled();
		await new Promise((done) => setTimeout(done, 1_000));
		expect(
			push.received.slice(before).filter((p) => p.payload.ticketId === ticket._id)
		).toHaveLength(1);
	});

	it('reminds the technician before a mission starts (within the lead time, default 60 min)', async () => {
		const before = push.received.length;
		const mission = await missionFor('tech.paul', 0.5);
		const got = await push.waitFor(before + 2);
		const events = got
			.slice(before)
			.filter((p) => p.payload.missionId === mission._id)
			.map((p) => p.payload.event);
		expect(events.sort()).toEqual(['assigned', 'reminder']);
		// The sweep runs every 300 ms here: the reminder is still claimed once.
		await new Promise((done) => setTimeout(done, 1000));
		expect(
			push.received.filter(
				(p) => p.payload.missionId === mission._id && p.payload.event === 'reminder'
			)
		).toHaveLength(1);
	});

	it('respects the technician’s preferences', async () => {
		const paul = await signedIn('tech.paul');
		const saved = await paul.request('/api/push/preferences', {
			method: 'PUT',
			body: { events: { rescheduled: false } }
		});
		expect(saved.body.events).toMatchObject({ rescheduled: false, assigned: true });
		const before = push.received.length;
		const mission = await missionFor('tech.paul');
		await push.waitFor(before + 1);
		await save({ ...mission, ...future(50) });
		await save({
			...aMission({ _id: `mission:${testId()}`, technicianId: 'user:tech.paul', ...future(70) })
		});
		await push.waitFor(before + 2);
		await new Promise((done) => setTimeout(done, 500));
		expect(push.received.slice(before).map((p) => p.payload.event)).toEqual([
			'assigned',
			'assigned'
		]);
		await paul.request('/api/push/preferences', {
			method: 'PUT',
			body: { events: { rescheduled: true } }
		});
	});

	it('removes a subscription the push service says is gone, and falls back to e-mail', async () => {
		const zoe = await signedIn('tech.zoe');
		push.gone.add('zoe');
		const mission = await missionFor('tech.zoe');
		const admin = await signedIn('boss');
		await expect
			.poll(
				async () => {
					const { body } = await admin.request('/api/admin/mail');
					return (body.mails as Array<{ to: string; text: string; state: string }>).find((m) =>
						m.text.includes(mission._id.slice('mission:'.length))
					);
				},
				{ timeout: 15_000 }
			)
			.toMatchObject({ to: 'zoe@terrain.example.fr', state: 'kept' });
		expect((await admin.request('/api/admin/mail')).body.smtp).toBe(false);
		const { rows } = await server.couch.privateDb.list({
			startkey: 'pushsub:user:tech.zoe:',
			endkey: 'pushsub:user:tech.zoe:\ufff0'
		});
		expect(rows).toHaveLength(0);
		expect((await new Client(server.url).request('/api/admin/mail')).status).toBe(401);
		expect((await zoe.request('/api/admin/mail')).status).toBe(403);
		push.gone.delete('zoe');
	});

	it('a claim left by an instance that died is taken over once its lease expires', async () => {
		const mission = await missionFor('tech.zoe');
		await new Promise((done) => setTimeout(done, 500));
		const before = push.received.length;
		const paul = await signedIn('tech.paul');
		void paul;
		const orphan = {
			_id: `notif:${mission._id}:999999`,
			type: 'claim',
			subject: mission._id,
			gen: 999999,
			revGen: 99,
			fields: null,
			deliveries: [{ channel: 'push', to: 'user:tech.paul', event: 'rescheduled' }],
			state: 'claimed',
			owner: 'a-dead-instance',
			leaseUntil: new Date(Date.now() - 1000).toISOString(),
			attempts: 1,
			createdAt: new Date().toISOString()
		};
		await server.couch.privateDb.insert(orphan);
		const [taken] = (await push.waitFor(before + 1)).slice(before);
		expect(taken!.payload).toMatchObject({
			id: orphan._id,
			event: 'rescheduled',
			missionId: mission._id
		});
		await expect
			.poll(
				async () => ((await server.couch.privateDb.get(orphan._id)) as { state?: string }).state
			)
			.toBe('sent');
	});

	it('unsubscribes a device', async () => {
		const paul = await signedIn('tech.paul');
		const sub = push.subscription('paul-2');
		await paul.request('/api/push/subscription', { method: 'POST', body: sub });
		const res = await paul.request('/api/push/subscription', {
			method: 'DELETE',
			body: { endpoint: sub.endpoint }
		});
		expect(res.status).toBe(200);
		const { rows } = await server.couch.privateDb.list({
			startkey: 'pushsub:user:tech.paul:',
			endkey: 'pushsub:user:tech.paul:\ufff0'
		});
		expect(rows).toHaveLength(1);
	});
});
