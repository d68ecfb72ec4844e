import type { DocType } from '../domain/ids.ts';
import { isDocOf, type DocOf } from '../domain/schemas.ts';
import type { LocalDb } from './local-db.ts';

/** All raw documents of one type (ids are prefixed by type, so a key range is cheap). */
export async function allOfType(db: LocalDb, type: string): Promise<Record<string, unknown>[]> {
	const result = await db.allDocs({ startkey: `${type}:`, endkey: `${type}:\ufff0`, include_docs: true });
	return result.rows.flatMap((row) => (row.doc ? [row.doc as Record<string, unknown>] : []));
}

/**
 * All documents of one type that pass the domain schema; the rest are skipped (and counted
 * in the console), so one bad document never blanks a screen.
 */
export async function typedOfType<T extends DocType>(db: LocalDb, type: T): Promise<DocOf<T>[]> {
	const raw = await allOfType(db, type);
	const docs = raw.filter((doc): doc is DocOf<T> => isDocOf(type, doc));
	if (docs.length < raw.length) console.warn(`${raw.length - docs.length} invalid ${type} document(s) skipped`);
	return docs;
}

/**
 * One document of a type, checked, or null when absent or invalid.
 * @throws when the database fails for another reason than "not found".
 */
export async function getTyped<T extends DocType>(db: LocalDb, type: T, id: string): Promise<DocOf<T> | null> {
	try {
		const doc: unknown = await db.get(id);
		return isDocOf(type, doc) ? doc : null;
	} catch (error) {
		if ((error as { status?: number }).status === 404) return null;
		throw error;
	}
}

export function str(value: unknown, fallback = ''): string {
	return typeof value === 'string' ? value : fallback;
}
