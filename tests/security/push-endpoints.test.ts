// Push subscriptions name a URL the server then connects to (issue #11, point 8): only https
// on a known push service's host, never an address of this machine or its networks — checked
// when the subscription is stored and again at every send.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../server/auth/users.ts';
import { pushPolicy } from '../../server/config.ts';
import { endpointProblem } from '../../server/notify/push-send.ts';
import { saveSubscription } from '../../server/notify/subscriptions.ts';
import { aMission } from '../../src/lib/domain/testing/factories.ts';
import { Client, startTestServer } from '../support/test-server.ts';
import { testId } from '../integration/notify-support.ts';

/**
 * Hosts listed on purpose, to show that the address rules hold even for a listed host; no
 * loopback switch. (In the process's environment too: the push sender reads it there.)
 */
const POLICY = {
	PUSH_HOSTS: 'fcm.googleapis.com,127.0.0.1,10.0.0.1,169.254.169.254,::1,[::1],localhost'
};
Object.assign(process.env, POLICY);
delete process.env.PUSH_ALLOW_LOOPBACK;

const PASSWORD = 'long-enough-password';
let server: Awaited<ReturnType<typeof startTestServer>>;
/** A plain TCP listener on loopback that counts who connects to it. */
let trap: Server;
let trapPort: number;
const connections: Socket[] = [];

beforeAll(async () => {
	trap = createServer((socket) => {
		connections.push(socket);
		socket.destroy();
	});
	await new Promise<void>((done) => trap.listen(0, '127.0.0.1', done));
	trapPort = (trap.address() as AddressInfo).port;
	server = await startTestServer({ ...POLICY, NOTIFY_SWEEP_MS: '300', NOTIFY_LEASE_MS: '1000' });
	await addUser(
		server.couch,
		{
			name: 'tech.sam',
			roles: ['technician'],
			password: PASSWORD,
			email: 'sam@terrain.example.fr'
		},
		new Date()
	);
});

afterAll(async () => {
	await server?.stop();
	await new Promise((done) => trap?.close(done));
});

const keys = {
	p256dh: 'BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM',
	auth: 'tBHItJI5svbpez7KI4CCXg'
};

describe('at subscription time', () => {
	it('refuses loopback, private, link-local, non-https and unknown hosts with a 400 and words, storing nothing', async () => {
		const sam = new Client(server.url);
		expect((await sam.signIn('tech.sam', PASSWORD)).status).toBe(200);
		const databasePort = new URL(server.couch.url).port;
		const refused = [
			`https://127.0.0.1:${trapPort}/push/x`,
			`https://127.0.0.1:${databasePort}/_all_dbs`,
			'https://127.0.0.1/push/x',
			`https://localhost:${trapPort}/push/x`,
			'https://localhost/push/x',
			'http://fcm.googleapis.com/fcm/send/x',
			'https://evil.example/push/x',
			'https://fcm.googleapis.com.evil.example/x',
			'https://user:pw@fcm.googleapis.com/fcm/send/x',
			'https://fcm.googleapis.com:8443/fcm/send/x',
			'https://10.0.0.1/push/x',
			'https://10.1.2.3/push/x',
			'https://[::1]/push/x',
			`https://[::1]:${trapPort}/push/x`,
			'https://[::ffff:127.0.0.1]/push/x',
			'https://169.254.169.254/latest/meta-data',
			'https://2130706433/push/x',
			'https://0x7f.1/push/x',
			'ftp://fcm.googleapis.com/x',
			'not a url'
		];
		for (const endpoint of refused) {
			const res = await sam.request('/api/push/subscription', {
				method: 'POST',
				body: { endpoint, keys }
			});
			expect(res.status, endpoint).toBe(400);
			expect(String(res.body.message), endpoint).toMatch(/endpoint/);
		}
		const { rows } = await server.couch.privateDb.list({
			startkey: 'pushsub:',
			endkey: 'pushsub:\ufff0'
		});
		expect(rows).toEqual([]);
		expect(connections).toHaveLength(0);
	});

	it('accepts the known push services by default, and only them', () => {
		const defaults = pushPolicy({});
		for (const endpoint of [
			'https://fcm.googleapis.com/fcm/send/abc:def',
			'https://updates.push.services.mozilla.com/wpush/v2/gAAAA',
			'https://wns2-par02p.notify.windows.com/w/?token=BQYAAA',
			'https://web.push.apple.com/QGuQyavXutnMH',
			'https://api.push.apple.com/3/device/x'
		]) {
			expect(endpointProblem(endpoint, defaults), endpoint).toBeNull();
		}
		for (const endpoint of [
			'https://notify.windows.com.evil.example/w',
			'https://evilnotify.windows.com/w',
			'https://push.apple.com.evil.example/x',
			'https://googleapis.com/fcm/send/x',
			`https://127.0.0.1:${trapPort}/push/x`,
			'https://192.168.1.10/push/x'
		]) {
			expect(endpointProblem(endpoint, defaults), endpoint).not.toBeNull();
		}
	});

	it('the loopback switch for tests is refused in production', () => {
		expect(() =>
			pushPolicy({ NODE_ENV: 'production', PUSH_HOSTS: '127.0.0.1', PUSH_ALLOW_LOOPBACK: '1' })
		).toThrow(/PUSH_ALLOW_LOOPBACK/);
		expect(pushPolicy({ PUSH_HOSTS: '127.0.0.1', PUSH_ALLOW_LOOPBACK: '1' }).allowLoopback).toBe(
			true
		);
	});
});

describe('at send time', () => {
	it('never connects to a stored endpoint on a loopback address or a host resolving to one', async () => {
		// Written around the API (an older server, a restore): the sender checks again.
		for (const endpoint of [
			`https://127.0.0.1:${trapPort}/push/literal`,
			`https://localhost:${trapPort}/push/resolved`
		]) {
			await saveSubscription(
				server.couch.privateDb,
				'user:tech.sam',
				{ endpoint, keys },
				new Date()
			);
		}
		const start = Date.now() + 2 * 24 * 3600_000;
		const mission = aMission({
			_id: `mission:${testId()}`,
			technicianId: 'user:tech.sam',
			start: new Date(start).toISOString(),
			end: new Date(start + 3_600_000).toISOString()
		});
		await server.couch.db.insert({ ...mission });
		// Once the notifier gave up on push, it mails the technician instead.
		const until = Date.now() + 15_000;
		let mails: unknown[] = [];
		while (Date.now() < until) {
			const { rows } = await server.couch.privateDb.list({
				startkey: 'mail:',
				endkey: 'mail:\ufff0',
				include_docs: true
			});
			mails = rows.filter((r) => (r.doc as { to?: string }).to === 'sam@terrain.example.fr');
			if (mails.length > 0) break;
			await new Promise((done) => setTimeout(done, 200));
		}
		expect(mails).toHaveLength(1);
		expect(connections).toHaveLength(0);
	});
});
