import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	aClient,
	aConfig,
	aMission,
	aTechfile,
	actor,
	anEvent,
	people,
	qualify,
	ticketThrough,
	T0
} from '../../src/lib/domain/testing/factories.ts';
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
const ada = people.admin();

let server: SyncServer;

beforeAll(async () => {
	server = await startSyncServer(new Clock(T0), { DOC_CAP: '3' });
	await addAccounts(server.couch, [dina, theo, people.technician('lea'), ada]);
	await putAll(server.couch, [
		aConfig('access'),
		aClient(),
		aTechfile(),
		ticketThrough([[qualify, actor(dina)]]),
		anEvent(),
		aMission()
	] as unknown as Json[]);
});

afterAll(async () => {
	await server?.stop();
});

describe('document cap', () => {
	it('refuses the manifest past the cap with a message, and tells the admin', async () => {
		const device = await new LightDevice(server.url, 'theo').signIn();
		const res = await device.client.request('/api/sync/manifest');
		expect(res.status).toBe(507);
		expect(res.body.error).toBe('doc_cap');
		expect(String(res.body.message)).toMatch(/Trop de documents.*limite de 3/);

		const admin = await new LightDevice(server.url, 'ada').signIn();
		const health = await admin.client.request('/api/admin/sync-health');
		expect(health.status).toBe(200);
		const users = health.body.users as Array<Record<string, unknown>>;
		expect(users.find((u) => u.user === 'theo')).toMatchObject({
			failures: 1,
			lastSuccessAt: null,
			lastError: { code: 'doc_cap' }
		});
		expect((await device.client.request('/api/admin/sync-health')).status).toBe(403);
	});

	it('records a success with the number of documents held', async () => {
		const device = await new LightDevice(server.url, 'lea').signIn();
		const res = await device.client.request('/api/sync/manifest');
		expect(res.status).toBe(200);
		expect(res.body.total).toBe(2);
		const admin = await new LightDevice(server.url, 'ada').signIn();
		const health = await admin.client.request('/api/admin/sync-health');
		const lea = (health.body.users as Array<Record<string, unknown>>).find((u) => u.user === 'lea');
		expect(lea).toMatchObject({ failures: 0, docCount: 2, lastError: null });
		expect(typeof lea?.lastSuccessAt).toBe('string');
	});
});
