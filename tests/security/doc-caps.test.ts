/**
 * Issue #15, point 6: the document cap per role (`config:access` `docCaps`, defaults in
 * `domain/doc-cap.ts`). A role's limit applies to its users' manifests, with the figures a screen
 * needs to say what happened (count, limit, role) and the admin's sync health keeping them. Only
 * an admin may change the limits: a dispatcher's forged referential raising its own is refused
 * and nothing is stored; an admin's malformed one (zero, text, an unknown role) is refused by
 * the schema; an admin's valid one applies at the next manifest.
 */
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
	nextRevision,
	putAll,
	Session,
	startSyncServer,
	stored,
	type Json,
	type SyncServer
} from '../support/sync-device.ts';

const dina = people.dispatcher();
const theo = people.technician('theo');
const ada = people.admin();

let server: SyncServer;

beforeAll(async () => {
	// No DOC_CAP: the server's ceiling is its default (10,000); the referential sets the roles'.
	server = await startSyncServer(new Clock(T0));
	await addAccounts(server.couch, [dina, theo, ada]);
	await putAll(server.couch, [
		{ ...aConfig('access'), docCaps: { technician: 3 } },
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

const access = async () => (await stored(server.couch, 'config:access')) as Json;

async function push(user: { name: string }, doc: Json): Promise<Record<string, unknown>> {
	const session = await new Session(server.url, user.name).signIn();
	const res = await session.pushRaw([doc]);
	expect(res.status).toBe(201);
	const [answer] = res.body as Array<Record<string, unknown>>;
	return answer ?? {};
}

async function manifestOf(name: string) {
	const device = await new LightDevice(server.url, name).signIn();
	return device.client.request('/api/sync/manifest');
}

describe('the document cap per role', () => {
	it('refuses a technician past the technician’s limit, with the figures and the role', async () => {
		const res = await manifestOf('theo');
		expect(res.status).toBe(507);
		expect(res.body.error).toBe('doc_cap');
		const params = res.body.params as Record<string, unknown>;
		expect(params).toMatchObject({ cap: 3, role: 'technician' });
		expect(params.count as number).toBeGreaterThan(3);
		// The admin's sync health keeps them, for the devices screen's words.
		const admin = await new LightDevice(server.url, 'ada').signIn();
		const health = await admin.client.request('/api/admin/sync-health');
		const row = (health.body.users as Array<Record<string, unknown>>).find(
			(u) => u.user === 'theo'
		);
		expect(row).toMatchObject({
			failures: 1,
			lastError: { code: 'doc_cap', params: { cap: 3, role: 'technician' } }
		});
	});

	it('lets the dispatcher’s desk hold more: another role, another limit', async () => {
		const res = await manifestOf('dina');
		expect(res.status).toBe(200);
		expect(res.body.total as number).toBeGreaterThan(3);
	});

	it('refuses a dispatcher’s forged referential raising the limits, and stores nothing', async () => {
		const before = await access();
		const forged = nextRevision(
			{ ...before, docCaps: { technician: 1_000_000, dispatcher: 1_000_000 } },
			before
		);
		expect(await push(dina, forged)).toMatchObject({
			id: 'config:access',
			error: 'forbidden',
			reason: 'only an admin may change the referentials'
		});
		await server.settled();
		const after = await access();
		expect(after._rev).toBe(before._rev);
		expect(after.docCaps).toEqual({ technician: 3 });
		expect((await manifestOf('theo')).status).toBe(507);
	});

	it('refuses an admin’s malformed limits (zero, text, an unknown role)', async () => {
		for (const docCaps of [
			{ technician: 0 },
			{ technician: '5000' },
			{ technician: 2.5 },
			{ requester: 5000 }
		]) {
			const before = await access();
			const answer = await push(ada, nextRevision({ ...before, docCaps }, before));
			expect(answer, JSON.stringify(docCaps)).toMatchObject({ error: 'forbidden' });
			await server.settled();
			expect((await access())._rev).toBe(before._rev);
		}
	});

	it('applies an admin’s valid limits at the next manifest', async () => {
		const before = await access();
		const answer = await push(
			ada,
			nextRevision({ ...before, docCaps: { technician: 500 } }, before)
		);
		expect(answer.error).toBeUndefined();
		await server.settled();
		expect((await access()).docCaps).toEqual({ technician: 500 });
		const res = await manifestOf('theo');
		expect(res.status).toBe(200);
	});
});
