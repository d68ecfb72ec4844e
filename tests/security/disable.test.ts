// Disabling an account ends everything it still reaches, and the iCalendar feed holds only
// what the technician may hold now (issue #11, point 7).
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, setDisabled } from '../../server/auth/users.ts';
import { SESSION_CACHE_MS } from '../../server/http/auth.ts';
import { saveSubscription, subscriptionsOf } from '../../server/notify/subscriptions.ts';
import {
	aClient,
	aMission,
	aTicket,
	aCalendarEntry
} from '../../src/lib/domain/testing/factories.ts';
import type { TicketDoc } from '../../src/lib/domain/schemas.ts';
import { Client, startTestServer } from '../support/test-server.ts';
import { TestPushService, testId } from '../integration/notify-support.ts';

/** The test's push service is on loopback: allowed by the test-only switch. */
const LOCAL_PUSH = { PUSH_HOSTS: '127.0.0.1', PUSH_ALLOW_LOOPBACK: '1' };
Object.assign(process.env, LOCAL_PUSH);

const PASSWORD = 'long-enough-password';
const DAY = 24 * 3600_000;
let server: Awaited<ReturnType<typeof startTestServer>>;
let push: TestPushService;

beforeAll(async () => {
	push = await TestPushService.start();
	server = await startTestServer({
		...LOCAL_PUSH,
		PUSH_EXTRA_CA: push.caFile,
		NOTIFY_SWEEP_MS: '300',
		NOTIFY_LEASE_MS: '1000'
	});
	for (const name of ['tech.lise', 'tech.marc', 'tech.old']) {
		await addUser(
			server.couch,
			{ name, roles: ['technician'], password: PASSWORD, email: `${name}@terrain.example.fr` },
			new Date()
		);
	}
});

afterAll(async () => {
	await server?.stop();
	await push?.stop();
});

async function signedIn(name: string): Promise<Client> {
	const client = new Client(server.url);
	expect((await client.signIn(name, PASSWORD)).status).toBe(200);
	return client;
}

async function feedOf(client: Client): Promise<string> {
	const made = await client.request('/api/ical/token', { method: 'POST', body: {} });
	expect(made.status).toBe(200);
	return server.url + String(made.body.path);
}

async function eventIds(url: string): Promise<string[]> {
	const res = await fetch(url);
	expect(res.status).toBe(200);
	const calendar = new ICAL.Component(ICAL.parse(await res.text()));
	return calendar
		.getAllSubcomponents('vevent')
		.map((e) => new ICAL.Event(e).uid)
		.sort();
}

function missionFor(technician: string, clientId = 'client:C1', ticketId = 'ticket:K1') {
	const start = Date.now() + 2 * DAY + Math.floor(Math.random() * DAY);
	return aMission({
		_id: `mission:${testId()}`,
		technicianId: `user:${technician}`,
		clientId,
		ticketId,
		siteId: 's1',
		start: new Date(start).toISOString(),
		end: new Date(start + 3_600_000).toISOString()
	});
}

describe('disabling a user', () => {
	it('ends their sessions, their iCalendar feed and their push subscriptions at once', async () => {
		await server.couch.db.bulk({ docs: [aClient(), aTicket()] });
		const phone = await signedIn('tech.lise');
		const desk = await signedIn('tech.lise');
		const feed = await feedOf(phone);
		const sub = push.subscription('lise');
		expect(
			(await phone.request('/api/push/subscription', { method: 'POST', body: sub })).status
		).toBe(201);
		await saveSubscription(
			server.couch.privateDb,
			'user:tech.lise',
			push.subscription('lise-2'),
			new Date()
		);

		// Before: the feed serves her missions and an assignment reaches her phone.
		const before = push.received.length;
		const first = missionFor('tech.lise');
		await server.couch.db.insert({ ...first });
		await push.waitFor(before + 2);
		expect(push.received.slice(before).map((p) => p.payload.missionId)).toEqual([
			first._id,
			first._id
		]);
		expect(await eventIds(feed)).toContain(first._id);

		await setDisabled(server.couch, 'tech.lise', true);

		// Sessions: the records are gone, and no device of hers is signed in.
		const { rows } = await server.couch.privateDb.list({
			startkey: 'session:tech.lise:',
			endkey: 'session:tech.lise:\ufff0'
		});
		expect(rows).toEqual([]);
		await new Promise((done) => setTimeout(done, SESSION_CACHE_MS + 200));
		for (const device of [phone, desk]) {
			expect((await device.request('/api/session')).status).toBe(401);
			expect((await device.request('/api/sync/manifest')).status).toBe(401);
		}
		// The feed's secret URL is dead.
		const res = await fetch(feed);
		expect([404, 410]).toContain(res.status);
		expect(await res.text()).not.toMatch(/BEGIN:VEVENT/);
		// The subscriptions are deleted, and a new mission is pushed nowhere (nor mailed).
		expect(await subscriptionsOf(server.couch.privateDb, 'user:tech.lise')).toEqual([]);
		const { rows: subs } = await server.couch.privateDb.list({
			startkey: 'pushsub:user:tech.lise:',
			endkey: 'pushsub:user:tech.lise:\ufff0'
		});
		expect(subs).toEqual([]);
		const after = push.received.length;
		const second = missionFor('tech.lise');
		await server.couch.db.insert({ ...second });
		// A mission for someone else goes through meanwhile: the notifier did run.
		await saveSubscription(
			server.couch.privateDb,
			'user:tech.marc',
			push.subscription('marc'),
			new Date()
		);
		const marcs = missionFor('tech.marc');
		await server.couch.db.insert({ ...marcs });
		await push.waitFor(after + 1);
		await new Promise((done) => setTimeout(done, 1500));
		expect(push.received.slice(after).map((p) => p.payload.missionId)).toEqual([marcs._id]);
		const { rows: mails } = await server.couch.privateDb.list({
			startkey: 'mail:',
			endkey: 'mail:\ufff0',
			include_docs: true
		});
		expect(mails.map((m) => (m.doc as { to?: string }).to)).not.toContain(
			'tech.lise@terrain.example.fr'
		);
		// Signing in is refused too.
		expect((await new Client(server.url).signIn('tech.lise', PASSWORD)).status).toBe(401);
	});

	it('refuses a feed even when its secret outlived the disabling', async () => {
		const marc = await signedIn('tech.marc');
		const feed = await feedOf(marc);
		expect((await fetch(feed)).status).toBe(200);
		// Disabled by a path that does not revoke the feed (an older server, a restore):
		const credential = (await server.couch.privateDb.get('credential:tech.marc')) as Record<
			string,
			unknown
		>;
		await server.couch.privateDb.insert({ ...credential, disabled: true });
		expect((await fetch(feed)).status).toBe(404);
		await server.couch.privateDb.insert({
			...credential,
			_rev: ((await server.couch.privateDb.get('credential:tech.marc')) as { _rev: string })._rev,
			disabled: false
		});
	});
});

describe('iCalendar feed', () => {
	it('lists only what the access rules let the technician hold now', async () => {
		const longAgo = new Date(Date.now() - 60 * DAY).toISOString();
		const closed: TicketDoc = {
			...aTicket({ _id: 'ticket:KOLD', clientId: 'client:COLD' }),
			category: 'network',
			subcategory: 'wifi',
			group: 'support-n2',
			status: 'closed',
			closure: { by: 'user:dina', at: longAgo, how: 'level1', solution: 'Réglé' }
		} as TicketDoc;
		const oldClient = aClient({ _id: 'client:COLD', name: 'Ancien Client SA' });
		const oldMission = {
			...missionFor('tech.old', 'client:COLD', 'ticket:KOLD'),
			start: new Date(Date.now() - 62 * DAY).toISOString(),
			end: new Date(Date.now() - 62 * DAY + 3_600_000).toISOString(),
			status: 'done'
		};
		const current = missionFor('tech.old');
		const cancelled = { ...missionFor('tech.old'), status: 'cancelled' };
		const someoneElses = missionFor('tech.marc');
		const entry = aCalendarEntry({
			_id: 'calendar:OLD1',
			technicianId: 'user:tech.old',
			label: 'formation'
		});
		const result = await server.couch.db.bulk({
			docs: [closed, oldClient, oldMission, current, cancelled, someoneElses, entry]
		});
		expect(result.filter((r) => r.error)).toEqual([]);
		const tech = await signedIn('tech.old');
		const feed = await feedOf(tech);
		const ids = await eventIds(feed);
		expect(ids).toEqual([entry._id, current._id].sort());
		const text = await (await fetch(feed)).text();
		expect(text).not.toContain('Ancien Client SA');
		// The same as the phone holds: every mission in the feed is in the manifest.
		const manifest = await tech.request('/api/sync/manifest');
		const held = new Set((manifest.body.docs as Array<[string, string]>).map(([id]) => id));
		expect(held.has(oldMission._id)).toBe(false);
		for (const id of ids) expect(held.has(id), id).toBe(true);
	});
});
