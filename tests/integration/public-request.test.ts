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
