import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../server/auth/users.ts';
import { aCalendarEntry, aClient, aMission } from '../../src/lib/domain/testing/factories.ts';
import { Client, startTestServer } from '../support/test-server.ts';

let server: Awaited<ReturnType<typeof startTestServer>>;
const NOW = new Date('2026-11-25T10:00:00Z');

beforeAll(async () => {
	server = await startTestServer();
	for (const [name, roles] of [
		['tech.paul', ['technician']],
		['tech.other', ['technician']],
		['boss', ['admin']]
	] as const) {
		await addUser(server.couch, { name, roles: [...roles], password: 'long-enough-1' }, NOW);
	}
	const client = aClient();
	await server.couch.db.bulk({
		docs: [
			client,
			aMission({
				_id: 'mission:01JPAUL0000000000000000001',
				clientId: client._id,
				technicianId: 'user:tech.paul',
				siteId: client.sites[0]!.id,
				instructions: 'Changer le switch'
			}),
			aMission({
				_id: 'mission:01JOTHER000000000000000001',
				clientId: client._id,
				technicianId: 'user:tech.other',
				siteId: client.sites[0]!.id
			}),
			aCalendarEntry({
				_id: 'calendar:01JPAUL0000000000000000002',
				technicianId: 'user:tech.paul',
				kind: 'absence',
				label: 'congés'
			})
		]
	});
});

afterAll(async () => {
	await server?.stop();
});

describe('iCalendar feed per technician', () => {
	it('serves the technician’s missions and absences behind a secret URL that parses with ical.js', async () => {
		const paul = new Client(server.url);
		await paul.signIn('tech.paul', 'long-enough-1');
		const made = await paul.request('/api/ical/token', { method: 'POST', body: {} });
		expect(made.status).toBe(200);
		const path = String(made.body.path);
		expect(path).toMatch(/^\/api\/ical\/[\w-]{20,}\.ics$/);
		// No cookie needed: the phone's calendar app fetches the secret URL.
		const res = await fetch(server.url + path);
		expect(res.headers.get('content-type')).toMatch(/text\/calendar/);
		const vcalendar = new ICAL.Component(ICAL.parse(await res.text()));
		const events = vcalendar.getAllSubcomponents('vevent').map((e) => new ICAL.Event(e));
		expect(events.map((e) => e.uid).sort()).toEqual([
			'calendar:01JPAUL0000000000000000002',
			'mission:01JPAUL0000000000000000001'
		]);
		const mission = events.find((e) => e.uid.startsWith('mission:'))!;
		expect(mission.summary).toMatch(/^Intervention — /);
		expect(mission.description).toBe('Changer le switch');
		expect(events.find((e) => e.uid.startsWith('calendar:'))!.summary).toBe('Absence — congés');
	});

	it('is revocable by the technician, and rotating gives a new secret', async () => {
		const paul = new Client(server.url);
		await paul.signIn('tech.paul', 'long-enough-1');
		const first = String(
			(await paul.request('/api/ical/token', { method: 'POST', body: {} })).body.path
		);
		const second = String(
			(await paul.request('/api/ical/token', { method: 'POST', body: {} })).body.path
		);
		expect(second).not.toBe(first);
		expect((await fetch(server.url + first)).status).toBe(404);
		expect((await fetch(server.url + second)).status).toBe(200);
		await paul.request('/api/ical/token', { method: 'DELETE', body: {} });
		expect((await fetch(server.url + second)).status).toBe(404);
	});

	it('lets an admin manage another technician’s feed, and nobody else', async () => {
		const other = new Client(server.url);
		await other.signIn('tech.other', 'long-enough-1');
		expect(
			(
				await other.request('/api/ical/token', {
					method: 'POST',
					body: { technician: 'tech.paul' }
				})
			).status
		).toBe(403);
		const boss = new Client(server.url);
		await boss.signIn('boss', 'long-enough-1');
		const made = await boss.request('/api/ical/token', {
			method: 'POST',
			body: { technician: 'tech.paul' }
		});
		expect(made.status).toBe(200);
		expect((await fetch(server.url + String(made.body.path))).status).toBe(200);
		expect((await fetch(`${server.url}/api/ical/not-a-real-secret-at-all.ics`)).status).toBe(404);
	});
});
