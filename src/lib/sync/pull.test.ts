import { describe, expect, it } from 'vitest';
import { Ledger } from './ledger.ts';
import { pendingIds } from './local.ts';
import { pull, PULL_BATCH, type PullProgress } from './pull.ts';
import { memoryDb, serverTransport } from './testing.ts';

const events = (n: number) =>
	Array.from({ length: n }, (_, i) => ({
		_id: `event:${String(i).padStart(4, '0')}`,
		type: 'event',
		body: `suivi ${i}`
	}));

async function liveIds(db: ReturnType<typeof memoryDb>): Promise<string[]> {
	return (await db.allDocs()).rows.map((r) => r.id);
}

describe('pull', () => {
	it('names its own pushed writes with the manifest request, so a lagging server does not revoke them', async () => {
		const server = memoryDb('server');
		const device = memoryDb('device');
		await server.bulkDocs(events(2));
		const all = (await server.allDocs()).rows.map((r) => r.id);
		const ledger = new Ledger();
		await pull(
			device,
			ledger,
			serverTransport(server, () => all),
			new Set(),
			() => undefined
		);
		// Written here and pushed through another instance: not pending, never listed yet.
		await device.put({ _id: 'event:mine', type: 'event', body: 'écrit ici' });
		const copy = await device.get('event:mine');
		const asked: Array<readonly string[]> = [];
		// This server's copy lags: it has the document only once it waited for the ids named.
		const lagging = serverTransport(server, () => all);
		const transport = {
			...lagging,
			async manifest(written: readonly string[] = []) {
				asked.push(written);
				if (written.includes('event:mine')) {
					await server.bulkDocs([copy], { new_edits: false });
					return serverTransport(server, () => [...all, 'event:mine']).manifest();
				}
				return lagging.manifest();
			}
		};
		const outcome = await pull(device, ledger, transport, new Set(), () => undefined);
		expect(asked).toEqual([['event:mine']]);
		expect(outcome.removed).toEqual([]);
		expect(await liveIds(device)).toContain('event:mine');
		// Listed once at its revision, it is no longer named, unless a manifest leaves it out:
		// then it is named before it would leave the device (and it stays).
		await pull(device, ledger, transport, new Set(), () => undefined);
		expect(asked.slice(1)).toEqual([[], ['event:mine']]);
		expect(await liveIds(device)).toContain('event:mine');
		// Still pending (not pushed yet), it is not named either: the server cannot have it.
		await device.put({ _id: 'event:draft', type: 'event', body: 'brouillon' });
		await pull(device, ledger, transport, new Set(['event:draft']), () => undefined);
		expect(asked.slice(3)).toEqual([[], ['event:mine']]);
		expect(await liveIds(device)).toContain('event:draft');
	});

	it('asks again, naming them, before taking documents off the device', async () => {
		const server = memoryDb('server');
		const device = memoryDb('device');
		await server.bulkDocs([
			{ _id: 'ticket:t1', type: 'ticket', title: 'A' },
			{ _id: 'event:e1', type: 'event', subjectId: 'ticket:t1' },
			{ _id: 'mission:m1', type: 'mission', status: 'planned' }
		]);
		const ledger = new Ledger();
		const all = ['event:e1', 'mission:m1', 'ticket:t1'];
		await pull(
			device,
			ledger,
			serverTransport(server, () => all),
			new Set(),
			() => {}
		);
		// This instance lags: it lists the ticket and its event only once asked for them; the
		// mission was really taken away.
		const asked: Array<readonly string[]> = [];
		const plain = serverTransport(server, () => []);
		const named = (ids: readonly string[]) =>
			serverTransport(server, () => ids.filter((id) => id !== 'mission:m1'));
		const transport = {
			...plain,
			async manifest(written: readonly string[] = []) {
				asked.push([...written].sort());
				return written.length === 0 ? plain.manifest() : named(written).manifest();
			}
		};
		const outcome = await pull(device, ledger, transport, new Set(), () => {});
		expect(asked).toEqual([[], all]);
		expect(outcome.removed).toEqual(['mission:m1']);
		expect(await liveIds(device)).toEqual(['event:e1', 'ticket:t1']);
	});

	it('takes off only what both answers leave out, when the second comes from a lagging instance', async () => {
		const server = memoryDb('server');
		const device = memoryDb('device');
		await server.bulkDocs([
			{ _id: 'ticket:t1', type: 'ticket', title: 'A' },
			{ _id: 'ticket:y', type: 'ticket', title: 'Y' },
			{ _id: 'mission:x', type: 'mission', status: 'planned' }
		]);
		const ledger = new Ledger();
		const everything = ['mission:x', 'ticket:t1', 'ticket:y'];
		await pull(
			device,
			ledger,
			serverTransport(server, () => everything),
			new Set(),
			() => {}
		);
		// The first answer is current (x revoked); the second, from a lagging instance, does
		// not list y yet and lists x still.
		const current = serverTransport(server, () => ['ticket:t1', 'ticket:y']);
		const lagging = serverTransport(server, () => ['ticket:t1', 'mission:x']);
		let calls = 0;
		const transport = {
			...current,
			manifest: () => (calls++ === 0 ? current.manifest() : lagging.manifest())
		};
		const outcome = await pull(device, ledger, transport, new Set(), () => {});
		expect(calls).toBe(2);
		expect(outcome.removed).toEqual([]);
		expect(await liveIds(device)).toEqual(everything);
	});

	it('fetches the allowed documents in batches, with count/total progress', async () => {
		const server = memoryDb('server');
		const device = memoryDb('device');
		await server.bulkDocs(events(450));
		const all = (await server.allDocs()).rows.map((r) => r.id);
		const transport = serverTransport(server, () => all);
		const seen: PullProgress[] = [];
		const outcome = await pull(device, new Ledger(), transport, new Set(), (p) => seen.push(p));
		expect(outcome.fetched).toHaveLength(450);
		expect(transport.calls.bulkGet).toBe(Math.ceil(450 / PULL_BATCH));
		expect(seen.map((p) => p.done)).toEqual([0, 200, 400, 450]);
		expect(seen.every((p) => p.total === 450)).toBe(true);
		expect(await liveIds(device)).toEqual(all);
	});

	it('fetches the referentials, people, clients and tickets before the timelines, and says when the list is in', async () => {
		const server = memoryDb('server');
		const device = memoryDb('device');
		// Manifest order puts the timeline first (event ids sort before the rest).
		const tickets = Array.from({ length: 250 }, (_, i) => ({
			_id: `ticket:T${String(i).padStart(3, '0')}`,
			type: 'ticket'
		}));
		await server.bulkDocs([
			...events(300),
			...tickets,
			{ _id: 'client:C1', type: 'client' },
			{ _id: 'config:taxonomy', type: 'config' },
			{ _id: 'event:number:ticket:T000', type: 'event' },
			{ _id: 'mission:M1', type: 'mission' }
		]);
		const all = (await server.allDocs()).rows.map((r) => r.id);
		const transport = serverTransport(server, () => all);
		const seen: PullProgress[] = [];
		await pull(device, new Ledger(), transport, new Set(), (p) => seen.push(p));
		const order = transport.calls.fetchedIds;
		expect(order.slice(0, 2)).toEqual(['config:taxonomy', 'client:C1']);
		const lastListed = Math.max(
			...order.flatMap((id, i) => (/^(ticket|event:number):/.test(id) ? [i] : []))
		);
		expect(lastListed).toBe(252);
		expect(order.slice(253).every((id) => !id.startsWith('ticket:'))).toBe(true);
		// The tickets are counted apart; the list is ready from the second batch on.
		expect(seen.map((p) => p.tickets)).toEqual([
			{ done: 0, total: 250 },
			{ done: 197, total: 250 },
			{ done: 250, total: 250 },
			{ done: 250, total: 250 }
		]);
		expect(seen.map((p) => p.listReady)).toEqual([false, false, true, true]);
	});

	it('resumes an interrupted first sync without fetching again what is stored', async () => {
		const server = memoryDb('server');
		const device = memoryDb('device');
		await server.bulkDocs(events(450));
		const all = (await server.allDocs()).rows.map((r) => r.id);
		const transport = serverTransport(server, () => all);
		transport.failAfter = 1;
		const ledger = new Ledger();
		await expect(pull(device, ledger, transport, new Set(), () => undefined)).rejects.toThrow();
		expect(await liveIds(device)).toHaveLength(PULL_BATCH);

		// As after a reload: a new ledger, the same database.
		transport.failAfter = null;
		const before = transport.calls.fetchedIds.length;
		const seen: PullProgress[] = [];
		await pull(device, new Ledger(), transport, new Set(), (p) => seen.push(p));
		expect(seen[0]).toMatchObject({ done: 200, total: 450 });
		expect(seen.at(-1)).toMatchObject({ done: 450, total: 450 });
		const refetched = transport.calls.fetchedIds.slice(before);
		expect(refetched).toHaveLength(250);
		expect(new Set(refetched).size).toBe(250);
		expect(await liveIds(device)).toEqual(all);
	});

	it('stores attachments and the revision history as the server has them', async () => {
		const server = memoryDb('server');
		const device = memoryDb('device');
		await server.put({
			_id: 'report:r1',
			type: 'report',
			_attachments: {
				'signature.png': { content_type: 'image/png', data: Buffer.from('png!').toString('base64') }
			}
		});
		const doc = await server.get('report:r1');
		await server.put({ ...doc, outcome: 'ok' });
		await pull(
			device,
			new Ledger(),
			serverTransport(server, () => ['report:r1']),
			new Set(),
			() => {}
		);
		const local = await device.get('report:r1', { attachments: true, revs: true });
		expect(local._rev).toBe((await server.get('report:r1'))._rev);
		expect(local._revisions?.ids).toHaveLength(2);
		expect(local._attachments?.['signature.png']).toMatchObject({ content_type: 'image/png' });
	});

	it('removes revoked documents from the device only, and takes them back when granted again', async () => {
		const server = memoryDb('server');
		const device = memoryDb('device');
		await server.bulkDocs([
			{ _id: 'mission:m1', type: 'mission', status: 'planned' },
			{ _id: 'ticket:t1', type: 'ticket', title: 'A' }
		]);
		let allowed = ['mission:m1', 'ticket:t1'];
		const transport = serverTransport(server, () => allowed);
		const ledger = new Ledger();
		await pull(device, ledger, transport, new Set(), () => {});
		// A new document written on the device and not pushed yet is not on any manifest.
		await device.put({ _id: 'event:local', type: 'event', body: 'à envoyer' });

		allowed = ['ticket:t1'];
		const outcome = await pull(device, ledger, transport, new Set(['event:local']), () => {});
		expect(outcome.removed).toEqual(['mission:m1']);
		expect(await liveIds(device)).toEqual(['event:local', 'ticket:t1']);
		expect(ledger.removed.get('mission:m1')?.reason).toBe('revoked');
		expect((await server.get('mission:m1')).status).toBe('planned');

		// Granted again after a change on the server: back on the device, mark forgotten.
		const mission = await server.get('mission:m1');
		await server.put({ ...mission, status: 'in_progress' });
		allowed = ['mission:m1', 'ticket:t1'];
		await pull(device, ledger, transport, new Set(['event:local']), () => {});
		expect((await device.get('mission:m1')).status).toBe('in_progress');
		expect(ledger.removed.has('mission:m1')).toBe(false);
	});
	it('keeps the mark over a revoked document’s tombstone while the server no longer lists it, so the push never sends the tombstone', async () => {
		const server = memoryDb('server');
		const device = memoryDb('device');
		await server.bulkDocs([
			{ _id: 'event:x', type: 'event', body: 'note' },
			{ _id: 'ticket:t1', type: 'ticket', title: 'A' }
		]);
		let allowed = ['event:x', 'ticket:t1'];
		const transport = serverTransport(server, () => allowed);
		const ledger = new Ledger();
		await pull(device, ledger, transport, new Set(), () => {});
		allowed = ['ticket:t1'];
		expect((await pull(device, ledger, transport, new Set(), () => {})).removed).toEqual([
			'event:x'
		]);
		// The memory adapter cannot purge: a tombstone is left. Later pulls still do not list it.
		await pull(device, ledger, transport, new Set(), () => {});
		await pull(device, ledger, transport, new Set(), () => {});
		expect(ledger.removed.get('event:x')?.reason).toBe('revoked');
		expect(await pendingIds(device, 0, ledger)).toEqual([]);
	});
});
