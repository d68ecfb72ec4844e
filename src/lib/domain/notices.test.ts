import { describe, expect, it } from 'vitest';
import { DEFAULT_NOTICE_TEMPLATES, noticeTemplate, renderNotice } from './notices.ts';
import { NOTICE_KEYS, unknownPlaceholders } from './schemas.ts';

describe('notices', () => {
	it('has a default for every key, using only known placeholders', () => {
		for (const key of NOTICE_KEYS) {
			const t = DEFAULT_NOTICE_TEMPLATES[key];
			expect(unknownPlaceholders(t.subject + t.body), key).toEqual([]);
		}
	});

	it('fills placeholders and leaves missing ones visible', () => {
		const out = renderNotice(DEFAULT_NOTICE_TEMPLATES.ticket_closed, {
			number: '10421',
			title: 'Imprimante',
			solution: 'Pilote réinstallé'
		});
		expect(out.subject).toBe('Demande n° 10421 clôturée');
		expect(out.body).toContain('Réponse : Pilote réinstallé');
		expect(out.body).toContain('{{url}}');
	});

	it("prefers the admin's template", () => {
		const mine = { subject: 'S', body: 'B' };
		expect(noticeTemplate('ticket_created', { ticket_created: mine })).toBe(mine);
		expect(noticeTemplate('ticket_created')).toBe(DEFAULT_NOTICE_TEMPLATES.ticket_created);
	});
});
