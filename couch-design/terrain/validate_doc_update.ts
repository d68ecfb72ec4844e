import { checkShape, parseDoc } from '../../src/lib/domain/schemas.ts';

/**
 * Structure checks only, with the same schemas and messages as the app, and the same bounds
 * (src/lib/domain/limits.ts: nesting, fields, lists, texts, numbers, dates, size), checked
 * before the schemas without recursion; the server checks authority (who may write what)
 * before anything reaches CouchDB. Stamps are not held to "at most a day ahead" here: that
 * needs the server's clock (tests move it), so the server checks it on push
 * (`parseDoc(raw, { now })`); here they are only held to 2000–2100, like every time.
 */
export function validate(newDoc: Record<string, unknown>): void {
	if (newDoc._deleted === true) {
		// A deletion needs no schema, but CouchDB keeps its body and sends it along with the
		// deleted revision: it is held to the same bounds.
		const shape = checkShape(newDoc, 'document');
		if (shape.length > 0) throw { forbidden: shape.join('; ') };
		return;
	}
	if (typeof newDoc._id === 'string' && newDoc._id.startsWith('_design/')) return;
	const result = parseDoc(newDoc);
	if (!result.ok) throw { forbidden: result.error.join('; ') };
}
