import { describe, expect, it } from 'vitest';
import { DEFAULT_NOTICE_TEMPLATES, renderNotice } from '#lib/domain/notices.ts';
import { NOTICE_KEYS } from '#lib/domain/schemas.ts';
import { actor, aTicket, people, qualify, ticketThrough } from '#lib/domain/testing/factories.ts';
import { frenchWhen, noticeValues, ticketLabel } from './messages.ts';
import { messageIdOf } from './outbox.ts';

const dina = people.dispatcher();
const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const closed = ticketThrough([
	[qualify, actor(dina)],
	[{ type: 'resolve', solution: 'Pilote réinstallé' }, actor(dina)],
	[{ type: 'close' }, actor(dina)]
]);
const URL = 'https://terrain.example.fr/suivi/Abcdefghijklmnopqrstuv';

function render(ticket: Record<string, unknown>, number: number | null) {
	return NOTICE_KEYS.map((key) =>
		renderNotice(DEFAULT_NOTICE_TEMPLATES[key], {
			...noticeValues(ticket, number, 'Dina', URL),
			date: frenchWhen('2026-12-01T09:36:06.696Z'),
			technician: 'Julien Petit',
			level: '2',
			deadline: 'de prise en charge',
			priority: 'P2'
		})
	);
}

describe('requester notices', () => {
	it('name the real number, the solution, how it closed and the page; no ISO time', () => {
		const values = noticeValues(closed, 10302, 'Dina', URL);
		const mail = renderNotice(DEFAULT_NOTICE_TEMPLATES.ticket_closed, values);
		expect(mail.subject).toBe('Demande n° 10302 clôturée');
		expect(mail.body).toContain(
			'Votre demande n° 10302 est maintenant clôturée (par l’équipe d’assistance).'
		);
		expect(mail.body).toContain('Réponse : Pilote réinstallé');
		expect(mail.body).toContain(URL);
		for (const { subject, body } of render(closed, 10302)) {
			expect(subject + body).toContain('10302');
			expect(subject + body).not.toMatch(ISO);
			expect(subject + body).not.toMatch(/provisoire|K1|\{\{/);
		}
		expect(render(closed, 10302)[NOTICE_KEYS.indexOf('mission_planned')]!.subject).toBe(
			'Demande n° 10302 : intervention prévue le mar. 1 déc. à 10:36'
		);
	});

	it('name no number at all before the server gave one, never a provisional id', () => {
		const ticket = { ...aTicket(), _id: 'ticket:01JQ3M7ZB4K8T2W9XQ0RN5DV6C' };
		const [created] = render(ticket, null);
		expect(created!.subject).toBe('Demande enregistrée');
		expect(created!.body).toContain('Votre demande a bien été enregistrée.');
		for (const { subject, body } of render(ticket, null)) {
			expect(subject + body).not.toMatch(/n°|provisoire|DV6C|\{\{|ticket:/);
			expect(subject + body).not.toMatch(ISO);
		}
		expect(ticketLabel(ticket, null)).toBe('Imprimante hors service');
		expect(ticketLabel(ticket, 10302)).toBe('n° 10302 Imprimante hors service');
	});
});

describe('messageIdOf', () => {
	it('is the same for every attempt at one mail, on the sender’s domain', () => {
		const id = 'mail:2026-12-01:ticket:K1:ticket_created';
		expect(messageIdOf(id, 'Assistance <support@aprile.fr>')).toBe(
			'<mail.2026-12-01.ticket.K1.ticket_created@aprile.fr>'
		);
		expect(messageIdOf(id, 'support@aprile.fr')).toBe(
			messageIdOf(id, 'Hotline <support@aprile.fr>')
		);
		expect(messageIdOf(id, 'Terrain')).toMatch(/@terrain\.invalid>$/);
	});
});
