import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDocOf } from '../../src/lib/domain/schemas.ts';
import { Client, startTestServer } from '../support/test-server.ts';

let server: Awaited<ReturnType<typeof startTestServer>>;

beforeAll(async () => {
	server = await startTestServer();
});

afterAll(async () => {
	await server?.stop();
});

const request = {
	name: 'Jeanne Usager',
	email: 'jeanne@example.org',
	title: 'Imprimante du 2e en panne',
	text: 'Elle affiche une erreur de bourrage.'
};

describe('public request form', () => {
	it('creates a numbered pre-ticket that waits for an operator, and answers the number', async () => {
		const first = await new Client(server.url).request('/api/public/requests', {
			method: 'POST',
			body: request
		});
		expect(first.status).toBe(201);
		expect(first.body.message).toMatch(/n° \d+/);
		const second = await new Client(server.url).request('/api/public/requests', {
			method: 'POST',
			body: { ...request, title: 'Autre demande' }
		});
		expect(second.body.number).toBe(Number(first.body.number) + 1);
		const ticket: unknown = await server.couch.db.get(String(first.body.id));
		expect(isDocOf('ticket', ticket)).toBe(true);
		expect(ticket).toMatchObject({
			preTicket: true,
			status: 'new',
			source: 'form',
			number: first.body.number,
			requester: { email: 'jeanne@example.org' }
		});
		// Its timeline starts with its opening from the form, then the acknowledgement the
		// notifier records once it has queued the mail (once, whatever the instances).
		const timeline = async (id: unknown) => {
			const all = await server.couch.db.list({ include_docs: true });
			return all.rows
				.map((r) => r.doc as unknown)
				.filter((d) => isDocOf('event', d) && d.ticketId === id)
				.sort((a, b) => ((a as { at: string }).at < (b as { at: string }).at ? -1 : 1));
		};
		// Both requests' notices are written before the next test counts documents.
		for (const id of [first.body.id, second.body.id])
			await expect.poll(async () => (await timeline(id)).length, { timeout: 15_000 }).toBe(2);
		expect(await timeline(first.body.id)).toMatchObject([
			{
				kind: 'status_change',
				visibility: 'requester',
				author: 'requester',
				data: { action: 'open', to: 'new', source: 'form' }
			},
			{ kind: 'notice_sent', data: { template: 'ticket_created' } }
		]);
	});

	it('refuses bad input with words and writes nothing', async () => {
		const before = (await server.couch.db.info()).doc_count;
		const bad = await new Client(server.url).request('/api/public/requests', {
			method: 'POST',
			body: { ...request, email: 'not-an-address' }
		});
		expect(bad.status).toBe(400);
		expect(bad.body.message).toBe('E-mail : adresse invalide');
		const missing = await new Client(server.url).request('/api/public/requests', {
			method: 'POST',
			body: { name: 'X' }
		});
		expect(missing.status).toBe(400);
		expect((await server.couch.db.info()).doc_count).toBe(before);
	});
});
