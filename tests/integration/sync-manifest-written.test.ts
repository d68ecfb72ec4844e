// The manifest request that names the device's own pushed writes (read-your-writes across
// server instances): validated, bounded, and never a failure when a named id is unknown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	aClient,
	aConfig,
	aMission,
	aTechfile,
	aTicket,
	actor,
	people,
	qualify,
	ticketThrough,
	T0
} from '../../src/lib/domain/testing/factories.ts';
import { MANIFEST_WRITTEN_MAX } from '../../server/sync/routes.ts';
import {
	addAccounts,
	Clock,
	LightDevice,
	putAll,
	startSyncServer,
	type Json,
	type SyncServer
} from '../support/sync-device.ts';

const dina = people.dispatcher();
const theo = people.technician('theo');
const mission = aMission();

let server: SyncServer;
let device: LightDevice;

beforeAll(async () => {
	server = await startSyncServer(new Clock(T0));
	await addAccounts(server.couch, [dina, theo]);
	await putAll(server.couch, [
		aConfig('access'),
		aClient(),
		aTechfile(),
		ticketThrough([[qualify, actor(dina)]]),
		mission,
		// A ticket Theo has nothing to do with: it exists, he may not read it.
		{ ...aTicket(), _id: 'ticket:NOT-THEOS', assignees: [], createdBy: dina._id }
	] as unknown as Json[]);
	device = await new LightDevice(server.url, 'theo').signIn();
});

afterAll(async () => {
	await server?.stop();
});

const post = (body: unknown) =>
	device.client.request('/api/sync/manifest', { method: 'POST', body });

describe('manifest naming the device’s own writes', () => {
	it('answers the same list as the plain request, at once when the model holds the ids', async () => {
		const plain = await device.client.request('/api/sync/manifest');
		expect(plain.status).toBe(200);
		const t0 = performance.now();
		const named = await post({ written: [mission._id] });
		expect(performance.now() - t0).toBeLessThan(2_000);
		expect(named.status).toBe(200);
		expect(named.body.docs).toEqual(plain.body.docs);
		expect((named.body.docs as Array<[string, string]>).map(([id]) => id)).toContain(mission._id);
	});

	it('waits a bounded time for an id the model does not know, then answers anyway', async () => {
		const t0 = performance.now();
		const res = await post({ written: ['event:never-written'] });
		const ms = performance.now() - t0;
		expect(res.status).toBe(200);
		expect(ms).toBeGreaterThan(2_500);
		expect(ms).toBeLessThan(8_000);
		expect((res.body.docs as Array<[string, string]>).map(([id]) => id)).not.toContain(
			'event:never-written'
		);
	});

	it('tells nothing of a document the user may not read: it waits as for an unknown one', async () => {
		const t0 = performance.now();
		const res = await post({ written: ['ticket:NOT-THEOS'] });
		expect(res.status).toBe(200);
		expect(performance.now() - t0).toBeGreaterThan(2_500);
		expect((res.body.docs as Array<[string, string]>).map(([id]) => id)).not.toContain(
			'ticket:NOT-THEOS'
		);
	});

	it('refuses a malformed or oversized list in words', async () => {
		for (const body of [
			{ written: 'event:x' },
			{ written: [42] },
			{ written: [''] },
			{ written: ['x'.repeat(201)] },
			{ written: Array.from({ length: MANIFEST_WRITTEN_MAX + 1 }, (_, i) => `event:${i}`) }
		]) {
			const res = await post(body);
			expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(400);
			expect(res.body.error).toBe('invalid_request');
			expect(String(res.body.message)).toMatch(/written/);
		}
	});
});
