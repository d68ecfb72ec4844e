/**
 * Issue #13, point 7: the company's name and details (`config:company`) head every report PDF a
 * client receives. Only an admin may change them: a desk or field device that pushes its own
 * version, on top of the server's revision or as a new branch, is refused and nothing is stored;
 * an admin's valid edit is kept, and an admin's malformed one is refused by the schema.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aConfig, people, T0 } from '../../src/lib/domain/testing/factories.ts';
import {
	addAccounts,
	Clock,
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
	server = await startSyncServer(new Clock(Date.parse(T0)));
	await addAccounts(server.couch, [dina, theo, ada]);
	await putAll(server.couch, [aConfig('access'), aConfig('company')] as unknown as Json[]);
});

afterAll(async () => {
	await server?.stop();
});

async function push(user: { name: string }, doc: Json): Promise<Record<string, unknown>> {
	const session = await new Session(server.url, user.name).signIn();
	const res = await session.pushRaw([doc]);
	expect(res.status).toBe(201);
	const [answer] = res.body as Array<Record<string, unknown>>;
	return answer ?? {};
}

const current = async () => (await stored(server.couch, 'config:company')) as Json;

describe('config:company is the admin’s alone', () => {
	it('a dispatcher’s new revision renaming the company is refused and not stored', async () => {
		const before = await current();
		const forged = nextRevision({ ...before, name: 'Arnaques & Cie', siret: undefined }, before);
		expect(await push(dina, forged)).toMatchObject({
			id: 'config:company',
			error: 'forbidden',
			reason: 'only an admin may change the referentials'
		});
		await server.settled();
		const after = await current();
		expect(after._rev).toBe(before._rev);
		expect(after.name).toBe('Maintenance Informatique Ouest');
	});

	it('a technician’s unrelated branch is refused too, and leaves no conflict', async () => {
		const before = await current();
		const hash = randomBytes(16).toString('hex');
		const branch = {
			...before,
			email: 'paiement@escroc.example',
			_rev: `40-${hash}`,
			_revisions: { start: 40, ids: [hash] }
		};
		expect(await push(theo, branch)).toMatchObject({ error: 'forbidden' });
		await server.settled();
		const after = (await server.couch.db.get('config:company', { conflicts: true })) as Json;
		expect(after._rev).toBe(before._rev);
		expect(after._conflicts).toBeUndefined();
		expect(after.email).toBe('contact@mio.example');
	});

	it('an admin’s edit is kept; a malformed one (a SIRET of 3 digits) is refused', async () => {
		const before = await current();
		const edited = nextRevision({ ...before, phone: '02 40 11 22 33' }, before);
		const answer = await push(ada, edited);
		expect(answer.error).toBeUndefined();
		await server.settled();
		const after = await current();
		expect(after.phone).toBe('02 40 11 22 33');
		const bad = nextRevision({ ...after, siret: '123' }, after);
		expect(await push(ada, bad)).toMatchObject({ error: 'forbidden' });
		await server.settled();
		expect((await current()).siret).toBe('12345678900011');
	});
});
