import { describe, expect, it } from 'vitest';
import { fr, type MessageKey } from '../i18n/messages.ts';
import { en } from '../i18n/messages.en.ts';
import { describeDoc, summarize, type Translate } from './describe.ts';

const translator =
	(dict: Record<MessageKey, string>): Translate =>
	(key, params = {}) =>
		dict[key].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
const t = translator(fr);

const numbered = { _id: 'ticket:01A', type: 'ticket', number: 10421, title: 'Imprimante HS' };
const fresh = { _id: 'ticket:01B', type: 'ticket', title: 'Poste lent' };
const mission = { _id: 'mission:01M', type: 'mission', ticketId: 'ticket:01A' };
const related = new Map<string, Record<string, unknown>>([
	[numbered._id, numbered],
	[fresh._id, fresh],
	[mission._id, mission],
	['client:01C', { _id: 'client:01C', name: 'Mairie de Lens' }]
]);

describe('describeDoc', () => {
	it('names tickets by number, or by title while the number is provisional', () => {
		expect(describeDoc(numbered, related, t)).toBe('ticket n° 10421');
		expect(describeDoc(fresh, related, t)).toBe('ticket « Poste lent » (n° provisoire)');
	});

	it('names missions, reports and follow-ups by their ticket', () => {
		expect(describeDoc(mission, related, t)).toBe('mission du ticket n° 10421');
		const report = { _id: 'report:01R', missionId: 'mission:01M' };
		expect(describeDoc(report, related, t)).toBe('rapport du ticket n° 10421');
		const event = { _id: 'event:01E', ticketId: 'ticket:01B' };
		expect(describeDoc(event, related, t)).toBe('suivi du ticket « Poste lent » (n° provisoire)');
	});

	it('names clients and technical files by the client name', () => {
		expect(describeDoc({ _id: 'client:01C', name: 'Mairie de Lens' }, related, t)).toBe(
			'client Mairie de Lens'
		);
		expect(describeDoc({ _id: 'techfile:01C', clientId: 'client:01C' }, related, t)).toBe(
			'dossier technique Mairie de Lens'
		);
	});

	it('speaks English too', () => {
		expect(describeDoc(mission, related, translator(en))).toBe('mission of ticket no. 10421');
	});
});

describe('summarize', () => {
	it('counts and lists the unsynced changes, the way the sign-out warning shows them', () => {
		const names = ['ticket n° 10421', 'rapport du ticket n° 10421', 'suivi du ticket n° 10421'];
		expect(summarize(names, t)).toBe(
			'3 modifications non synchronisées : ticket n° 10421, rapport du ticket n° 10421, suivi du ticket n° 10421'
		);
		expect(summarize(names.slice(0, 1), t)).toBe(
			'1 modification non synchronisée : ticket n° 10421'
		);
		expect(summarize([], t)).toBe('Aucune modification en attente : tout est sur le serveur.');
	});

	it('shortens a long list', () => {
		const names = Array.from({ length: 8 }, (_, i) => `ticket n° ${i + 1}`);
		expect(summarize(names, t, 2)).toBe(
			'8 modifications non synchronisées : ticket n° 1, ticket n° 2 et 6 autres'
		);
	});
});
