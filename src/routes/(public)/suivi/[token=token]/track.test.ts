// The requester's timeline in words: every entry says something, in French or English, from
// its codes; an acknowledgement e-mail names its kind, never an empty subject.
import { describe, expect, it } from 'vitest';
import type { PublicEvent } from '#lib/domain/requester.ts';
import type { Translate } from '#lib/i18n/labels.ts';
import { en } from '#lib/i18n/messages.en.ts';
import { fr, type MessageKey } from '#lib/i18n/messages.ts';
import { sentenceOf } from './track.ts';

const words =
	(dict: Record<MessageKey, string>): Translate =>
	(key, params = {}) =>
		dict[key].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name]));
const when = (iso: string) => iso.slice(0, 10);

function anEntry(overrides: Partial<PublicEvent>): PublicEvent {
	return {
		id: 'E1',
		kind: 'status_change',
		at: '2026-12-01T09:00:00.000Z',
		author: 'system',
		body: '',
		data: {},
		...overrides
	};
}

describe('the requester’s timeline', () => {
	it('says the request was received, not its status code', () => {
		const opened = anEntry({ author: 'you', data: { action: 'open', to: 'new' } });
		expect(sentenceOf(opened, words(fr), when)).toBe('Votre demande a été reçue.');
		expect(sentenceOf(opened, words(en), when)).toBe('Your request was received.');
	});

	it('names the kind of e-mail sent from its template', () => {
		const notice = anEntry({ kind: 'notice_sent', data: { template: 'ticket_created' } });
		expect(sentenceOf(notice, words(fr), when)).toBe('E-mail envoyé : accusé de réception');
		expect(sentenceOf(notice, words(en), when)).toMatch(/^E-mail sent: \S/);
		// An unknown template and no subject: the entry still says what it is.
		const bare = anEntry({ kind: 'notice_sent', data: { template: 'bogus' } });
		expect(sentenceOf(bare, words(fr), when)).toBe('Avis envoyé');
	});

	it('says a closure by timeout is one, not a bare status change', () => {
		const data = { action: 'close', how: 'timeout', from: 'resolved', to: 'closed' };
		const timeout = anEntry({ data });
		expect(sentenceOf(timeout, words(fr), when)).toBe(
			'Sans retour de votre part dans le délai prévu, la demande a été clôturée automatiquement.'
		);
		expect(sentenceOf(timeout, words(en), when)).toMatch(/closed automatically/);
		// Without the code, the status it reached.
		const bare = anEntry({ data: { action: 'close', from: 'resolved', to: 'closed' } });
		expect(sentenceOf(bare, words(fr), when)).toBe('La demande est passée au statut « Clos ».');
	});
});
