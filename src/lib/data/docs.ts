import type { LocalDb } from './local-db.ts';

/** All documents of one type (ids are prefixed by type, so a key range is cheap). */
export async function allOfType(db: LocalDb, type: string): Promise<Record<string, unknown>[]> {
	const result = await db.allDocs({ startkey: `${type}:`, endkey: `${type}:\ufff0`, include_docs: true });
	return result.rows.flatMap((row) => (row.doc ? [row.doc as Record<string, unknown>] : []));
}

export function str(value: unknown, fallback = ''): string {
	return typeof value === 'string' ? value : fallback;
}
