import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aClient, aTicket } from '../../src/lib/domain/testing/factories.ts';
import { statusOf } from '../../server/errors.ts';
import { startTestServer } from '../support/test-server.ts';

let server: Awaited<ReturnType<typeof startTestServer>>;

beforeAll(async () => {
	server = await startTestServer();
});

afterAll(async () => {
	await server?.stop();
});

/** Writes straight to the database (as admin), so only validate_doc_update stands in the way. */
async function refusal(doc: Record<string, unknown>): Promise<string | null> {
	try {
		await server.couch.db.insert(doc);
		return null;
	} catch (error) {
		expect(statusOf(error)).toBe(403);
		return (error as Error).message;
	}
}

describe('validate_doc_update bundled from the domain schemas', () => {
	it('accepts valid documents', async () => {
		expect(await refusal({ ...aClient() })).toBeNull();
		expect(await refusal({ ...aTicket() })).toBeNull();
	});

	it('refuses a malformed document with the schema’s message', async () => {
		const message = await refusal({
			...aTicket({ _id: 'ticket:01JBADIMPACT0000000000000' }),
			impact: 7
		});
		expect(message).toMatch(/ticket\.impact: must be 1, 2 or 3/);
	});

	it('refuses an unknown document type', async () => {
		expect(await refusal({ _id: 'spaceship:1', type: 'spaceship' })).toMatch(
			/unknown document type "spaceship"/
		);
	});

	it('refuses a document with no type', async () => {
		expect(await refusal({ _id: 'loose:1', hello: 'world' })).not.toBeNull();
	});
});
