/**
 * Category and sub-category decide the group a ticket is routed to (seed 004 §III-B-2, the
 * "critère de redirection"): a sub-category may name its own group, else the category's.
 */
import { err, ok, type Result } from './result.ts';
import type { Category, Taxonomy } from './schemas/config.ts';

export type { Category, Taxonomy };

export function findCategory(taxonomy: Taxonomy, categoryId: string): Category | undefined {
	return taxonomy.find((c) => c.id === categoryId);
}

/** The routing group for a classification, or why there is none. */
export function routingGroup(
	taxonomy: Taxonomy,
	categoryId: string,
	subcategoryId?: string
): Result<string> {
	const category = findCategory(taxonomy, categoryId);
	if (category === undefined) return err(`unknown category "${categoryId}"`);
	if (subcategoryId === undefined) return ok(category.routingGroup);
	const sub = category.subcategories.find((s) => s.id === subcategoryId);
	if (sub === undefined)
		return err(`unknown sub-category "${subcategoryId}" in category "${categoryId}"`);
	return ok(sub.routingGroup ?? category.routingGroup);
}

/** Every group the taxonomy routes to, for the admin's list of groups and for checks. */
export function routingGroups(taxonomy: Taxonomy): string[] {
	const groups = new Set<string>();
	for (const c of taxonomy) {
		groups.add(c.routingGroup);
		for (const s of c.subcategories) if (s.routingGroup !== undefined) groups.add(s.routingGroup);
	}
	return [...groups].sort();
}

/** Label for display: "Réseau › Wi-Fi". */
export function classificationLabel(
	taxonomy: Taxonomy,
	categoryId: string,
	subcategoryId?: string
): string {
	const category = findCategory(taxonomy, categoryId);
	if (category === undefined) return categoryId;
	const sub = category.subcategories.find((s) => s.id === subcategoryId);
	return sub === undefined ? category.label : `${category.label} › ${sub.label}`;
}
