import { describe, expect, it } from 'vitest';
import { en } from './messages.en.ts';
import { fr, type MessageKey } from './messages.ts';
import { candidateReasons } from './planning.ts';

const translate =
	(dict: Record<MessageKey, string>) =>
	(key: MessageKey, params: Record<string, string | number> = {}) =>
		dict[key].replace(/\{(\w+)\}/g, (_, n: string) => String(params[n]));
const dateTime = (locale: string) => (iso: string, options?: Intl.DateTimeFormatOptions) =>
	new Intl.DateTimeFormat(locale, { timeZone: 'Europe/Paris', ...options }).format(new Date(iso));
const catalog = [{ id: 'reseau', label: 'Réseau', labelEn: 'Networking' }];
const candidate = {
	skills: ['reseau'],
	slot: { start: '2026-11-23T09:30:00.000Z', end: '2026-11-23T10:30:00.000Z' },
	weekLoadMinutes: 245,
	distanceKm: 12.5,
	travelFrom: 'previous_mission' as const
};

describe('why a technician is offered, in words', () => {
	it('says skills by label, the Paris time, the load and the trip in French', () => {
		const words = { t: translate(fr), dateTime: dateTime('fr-FR'), locale: 'fr' as const, catalog };
		expect(candidateReasons(candidate, words)).toEqual([
			'compétences : Réseau',
			'libre lun. 23 nov., 10:30',
			'charge sur la semaine : 4 h',
			'à 12,5 km de sa mission précédente'
		]);
		expect(
			candidateReasons({ ...candidate, skills: [], distanceKm: null, travelFrom: null }, words)
		).toEqual([
			'aucune compétence demandée',
			'libre lun. 23 nov., 10:30',
			'charge sur la semaine : 4 h',
			'distance inconnue'
		]);
	});

	it('in English when chosen', () => {
		const words = { t: translate(en), dateTime: dateTime('en-GB'), locale: 'en' as const, catalog };
		const lines = candidateReasons({ ...candidate, travelFrom: 'base' }, words);
		expect(lines[0]).toBe('skills: Networking');
		expect(lines[3]).toBe('12.5 km from their base');
		expect(lines.join(' ')).not.toMatch(/[àé]|compétence/);
	});
});
