/**
 * Issue #15, point 5: a desk edit of a client's technical file is written with a
 * `techfile_change` event about it, the file's history. The support staff who may change the
 * file may write that history; the commercial service (who cannot read the file) may not, a
 * history line about a ticket instead of a technical file is refused, and one in another
 * person's name too — nothing is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TechfileDoc } from '../../src/lib/domain/schemas.ts';
import { touch } from '../../src/lib/domain/stamps.ts';
import {
	aClient,
	aConfig,
	aTechfile,
	at,
	people,
	T0
} from '../../src/lib/domain/testing/factories.ts';
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
const bea = people.billing();
const ada = people.admin();

let server: SyncServer;

beforeAll(async () => {
	server = await startSyncServer(new Clock(T0));
	await addAccounts(server.couch, [dina, bea, ada]);
	await putAll(server.couch, [aConfig('access'), aClient(), aTechfile()] as unknown as Json[]);
});

afterAll(async () => {
	await server?.stop();
});

async function push(user: { name: string }, docs: Json[]): Promise<Array<Record<string, unknown>>> {
	const session = await new Session(server.url, user.name).signIn();
	const res = await session.pushRaw(docs);
	expect(res.status).toBe(201);
	return res.body as Array<Record<string, unknown>>;
}

let n = 0;
function historyLine(author: string, overrides: Record<string, unknown> = {}): Json {
	n++;
	const id = `event:01M9TFCH${String(n).padStart(18, '0')}`;
	const hash = `${n}`.padStart(32, 'a');
	return {
		_id: id,
		_rev: `1-${hash}`,
		_revisions: { start: 1, ids: [hash] },
		type: 'event',
		subjectId: 'techfile:C1',
		kind: 'techfile_change',
		visibility: 'internal',
		author,
		at: at(30),
		body: '',
		data: { changes: [{ section: 'equipment', action: 'added', summary: 'Switch GS724 ajouté' }] },
		...overrides
	} as Json;
}

async function missing(id: string): Promise<boolean> {
	return (await stored(server.couch, id)) === null;
}

describe('the technical file’s history from the desk', () => {
	it('takes a dispatcher’s edit: the file and its history line', async () => {
		const before = (await stored(server.couch, 'techfile:C1')) as unknown as TechfileDoc;
		const next = touch(
			before,
			{
				...before,
				equipment: [...before.equipment, { id: 'e2', kind: 'network', label: 'Switch GS724' }]
			},
			at(30),
			dina._id
		);
		const edited = nextRevision(next as unknown as Json, before as unknown as Json);
		const line = historyLine(dina._id);
		const answers = await push(dina, [edited, line]);
		expect(answers.map((a) => [a.error, a.reason])).toEqual([
			[undefined, undefined],
			[undefined, undefined]
		]);
		await server.settled();
		expect(await missing(String(line._id))).toBe(false);
	});

	it('refuses the commercial service’s line, a line about a ticket, and a line in another’s name', async () => {
		const cases: Array<[{ name: string }, Json, RegExp]> = [
			[bea, historyLine(bea._id), /support staff|may not read|readable/],
			[dina, historyLine(dina._id, { subjectId: 'ticket:K1' }), /technical file|no such document/],
			[dina, historyLine(ada._id), /author/]
		];
		for (const [user, line, why] of cases) {
			const [answer] = await push(user, [line]);
			expect(answer?.error, JSON.stringify(line)).toBe('forbidden');
			expect(String(answer?.reason)).toMatch(why);
			await server.settled();
			expect(await missing(String(line._id))).toBe(true);
		}
	});

	it('refuses a malformed history (a change of an unknown section)', async () => {
		const line = historyLine(dina._id, {
			data: { changes: [{ section: 'passwords', action: 'added', summary: 'x' }] }
		});
		const [answer] = await push(dina, [line]);
		expect(answer?.error).toBe('forbidden');
		await server.settled();
		expect(await missing(String(line._id))).toBe(true);
	});
});
