import { parseDoc } from '../../src/lib/domain/schemas.ts';

/**
 * Structure checks only, with the same schemas and messages as the app; the server checks
 * authority (who may write what) before anything reaches CouchDB.
 */
export function validate(newDoc: Record<string, unknown>): void {
	if (newDoc._deleted === true) return;
	if (typeof newDoc._id === 'string' && newDoc._id.startsWith('_design/')) return;
	const result = parseDoc(newDoc);
	if (!result.ok) throw { forbidden: result.error.join('; ') };
}
