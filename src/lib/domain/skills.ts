/**
 * Skills as a referential (`config:planning`): technicians' profiles hold skill ids, the
 * taxonomy says which skills a category or sub-category needs, and people read labels.
 * Matching ignores case and accents, so "reseau", "Réseau" and the id `reseau` are one skill.
 */
import type { SkillEntry, Taxonomy } from './schemas/config.ts';

export type { SkillEntry };

/** Lower case, no diacritics, single spaces: what two spellings of one word share. */
export function normalizeSkill(s: string): string {
	return s
		.normalize('NFD')
		.replace(/\p{Diacritic}/gu, '')
		.toLowerCase()
		.replace(/\s+/g, ' ')
		.trim();
}

/** The words for a skill id in the reader's language (the id itself when it is not listed). */
export function skillLabel(
	catalog: readonly SkillEntry[],
	id: string,
	locale: 'fr' | 'en' = 'fr'
): string {
	const entry = catalog.find((s) => s.id === id);
	if (!entry) return id;
	return locale === 'en' ? (entry.labelEn ?? entry.label) : entry.label;
}

/**
 * The referential's id for what someone typed or picked: an id or a label in either language,
 * whatever its case and accents. `null` when nothing in the referential matches.
 */
export function skillIdOf(catalog: readonly SkillEntry[], term: string): string | null {
	const wanted = normalizeSkill(term);
	if (wanted === '') return null;
	const found = catalog.find(
		(s) =>
			normalizeSkill(s.id) === wanted ||
			normalizeSkill(s.label) === wanted ||
			(s.labelEn !== undefined && normalizeSkill(s.labelEn) === wanted)
	);
	return found?.id ?? null;
}

/**
 * Whether a technician holding `held` has the skill `wanted`: both read through the
 * referential (an id or a label), else compared as normalized words.
 */
export function hasSkill(
	catalog: readonly SkillEntry[],
	held: readonly string[],
	wanted: string
): boolean {
	const key = (s: string) => skillIdOf(catalog, s) ?? normalizeSkill(s);
	const target = key(wanted);
	return held.some((s) => key(s) === target);
}

/** The skills a ticket of this category (and sub-category) needs, as ids; the sub-category's first. */
export function requiredSkills(
	taxonomy: Taxonomy,
	category: string | undefined,
	subcategory: string | undefined
): string[] {
	const cat = taxonomy.find((c) => c.id === category);
	if (!cat) return [];
	const sub = cat.subcategories.find((s) => s.id === subcategory);
	return [...(sub?.skills ?? cat.skills ?? [])];
}
