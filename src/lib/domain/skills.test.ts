import { describe, expect, it } from 'vitest';
import { hasSkill, normalizeSkill, requiredSkills, skillIdOf, skillLabel } from './skills.ts';
import type { SkillEntry, Taxonomy } from './schemas.ts';

const catalog: SkillEntry[] = [
	{ id: 'reseau', label: 'Réseau', labelEn: 'Network' },
	{ id: 'wifi', label: 'Wi-Fi' },
	{ id: 'poste-de-travail', label: 'Poste de travail', labelEn: 'Workstation' }
];

const taxonomy: Taxonomy = [
	{
		id: 'reseau',
		label: 'Réseau',
		routingGroup: 'support-n2',
		skills: ['reseau'],
		subcategories: [
			{ id: 'lan', label: 'Réseau local' },
			{ id: 'wifi', label: 'Wi-Fi', skills: ['wifi', 'reseau'] }
		]
	}
];

describe('skills', () => {
	it('normalizes case, accents and spaces', () => {
		expect(normalizeSkill('  Réseau ')).toBe('reseau');
		expect(normalizeSkill('TÉLÉPHONIE')).toBe('telephonie');
		expect(normalizeSkill('Poste   de  travail')).toBe('poste de travail');
	});

	it('reads ids and labels in both languages, whatever the case and accents', () => {
		expect(skillIdOf(catalog, 'reseau')).toBe('reseau');
		expect(skillIdOf(catalog, 'RÉSEAU')).toBe('reseau');
		expect(skillIdOf(catalog, 'network')).toBe('reseau');
		expect(skillIdOf(catalog, 'poste de travail')).toBe('poste-de-travail');
		expect(skillIdOf(catalog, 'plomberie')).toBeNull();
	});

	it('matches a technician holding ids with what the dispatcher typed', () => {
		expect(hasSkill(catalog, ['reseau', 'wifi'], 'reseau')).toBe(true);
		expect(hasSkill(catalog, ['reseau'], 'Réseau')).toBe(true);
		expect(hasSkill(catalog, ['reseau'], 'RESEAU')).toBe(true);
		expect(hasSkill(catalog, ['reseau'], 'wi-fi')).toBe(false);
		// Old profiles with words, not ids, still match.
		expect(hasSkill(catalog, ['Réseau'], 'reseau')).toBe(true);
		expect(hasSkill([], ['Sécurité'], 'securite')).toBe(true);
	});

	it('gives the label in the reader’s language, the id when unknown', () => {
		expect(skillLabel(catalog, 'reseau')).toBe('Réseau');
		expect(skillLabel(catalog, 'reseau', 'en')).toBe('Network');
		expect(skillLabel(catalog, 'wifi', 'en')).toBe('Wi-Fi');
		expect(skillLabel(catalog, 'inconnu')).toBe('inconnu');
	});

	it('takes the skills of the sub-category, else of the category', () => {
		expect(requiredSkills(taxonomy, 'reseau', 'wifi')).toEqual(['wifi', 'reseau']);
		expect(requiredSkills(taxonomy, 'reseau', 'lan')).toEqual(['reseau']);
		expect(requiredSkills(taxonomy, 'reseau', undefined)).toEqual(['reseau']);
		expect(requiredSkills(taxonomy, 'autre', 'lan')).toEqual([]);
	});
});
