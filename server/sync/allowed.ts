import type { Couch } from '../couch/connect.ts';

export interface AllowedDoc {
	readonly id: string;
	readonly rev: string;
}

/**
 * Which documents, at which revisions, the principals may hold now: one view query keyed by
 * principal (the documents' `access` lists), so a grant shows up without the document changing.
 */
export async function allowedDocs(
	couch: Couch,
	principals: readonly string[]
): Promise<AllowedDoc[]> {
	const result = await couch.db.view<string>('terrain', 'by_principal', { keys: [...principals] });
	const seen = new Map<string, string>();
	for (const row of result.rows) seen.set(row.id, row.value);
	return [...seen].map(([id, rev]) => ({ id, rev })).sort((a, b) => (a.id < b.id ? -1 : 1));
}
