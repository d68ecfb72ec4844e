import { describe, expect, it } from 'vitest';
import { anEvent, aTicket } from '../domain/testing/factories.ts';
import { memoryDb } from '../sync/testing.ts';
import { en } from '../i18n/messages.en.ts';
import { fr, type MessageKey } from '../i18n/messages.ts';
import { describeWriteError } from '../i18n/problems.ts';
import { readAll, readDoc, writeAll, WriteError } from './docs.ts';

const t = (key: MessageKey, params: Record<string, string | number> = {}) =>
	fr[key].replace(/\{(\w+)\}/g, (_, n: string) => String(params[n]));

describe('the checked write path', () => {
	it('throws a typed error naming each document refused (a 409), and what was saved', async () => {
		const db = memoryDb('write');
		const ticket = aTicket();
		await writeAll(db, [ticket]);
		// The same document again without its revision: PouchDB answers a 409 for it, per
		// document, without throwing — the batch's other document is saved.
		const error = await writeAll(db, [{ ...ticket, title: 'Autre titre' }, anEvent()]).catch(
			(e: unknown) => e
		);
		expect(error).toBeInstanceOf(WriteError);
		const failure = error as WriteError;
		expect(failure.failures).toEqual([
			expect.objectContaining({ id: ticket._id, status: 409, error: 'conflict' })
		]);
		expect(failure.saved).toEqual(['event:E1']);
		expect(failure.conflict).toBe(true);
		expect(failure.message).toContain(ticket._id);
		// The screen says it in words, naming the document by what it is.
		const words = describeWriteError(t, failure);
		expect(words).toContain('le ticket');
		expect(words).toContain('modifié entre-temps');
		expect(words).toContain('l’entrée du suivi');
		expect(words).not.toMatch(/ticket:|conflict|409/);
		expect(en['write.failed']).not.toBe(fr['write.failed']);
		// Nothing reported saved that was not: the stored ticket kept its title.
		expect((await readDoc(db, 'ticket', ticket._id))?.title).toBe(ticket.title);
	});

	it('returns the new revisions when every document is saved', async () => {
		const db = memoryDb('write-ok');
		const revs = await writeAll(db, [aTicket(), anEvent()]);
		expect([...revs.keys()]).toEqual(['ticket:K1', 'event:E1']);
		expect(revs.get('ticket:K1')).toMatch(/^1-/);
	});

	it('reads null when absent, throws on an invalid stored document, skips it in lists', async () => {
		const db = memoryDb('read');
		expect(await readDoc(db, 'ticket', 'ticket:none')).toBeNull();
		await db.put({ _id: 'ticket:BAD', type: 'ticket', title: 3 } as never);
		await expect(readDoc(db, 'ticket', 'ticket:BAD')).rejects.toThrow(/not a valid ticket/);
		await writeAll(db, [aTicket()]);
		expect((await readAll(db, 'ticket')).map((x) => x._id)).toEqual(['ticket:K1']);
	});
});
