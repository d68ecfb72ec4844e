// Structure checks only, shared with the app through the domain schemas; the server
// checks authority before anything reaches CouchDB.
export function validate(newDoc: Record<string, unknown>): void {
	if (newDoc._deleted === true) return;
	if (typeof newDoc._id === 'string' && newDoc._id.startsWith('_design/')) return;
	if (typeof newDoc.type !== 'string') {
		throw { forbidden: 'type: every document needs a type' };
	}
}
