/** What the device knows about a document's place on the server. */
export interface PushFacts {
	/** The server's revision the device last stored, by id. */
	readonly serverRevs: ReadonlyMap<string, string>;
	/** Ids removed from the device (revoked or expired): never sent back. */
	readonly removed: { has(id: string): boolean };
}

/**
 * Whether a document (its winning revision) is to be pushed. A revoked document, or a
 * tombstone left by removing one, is never pushed: the server copy stays as it is. A
 * document still at the revision the server sent has nothing to push, which spares the
 * first push a `_revs_diff` of every document just pulled.
 */
export function shouldPush(
	doc: { _id: string; _rev?: string | undefined },
	facts: PushFacts
): boolean {
	if (doc._id.startsWith('_design/') || doc._id.startsWith('_local/')) return false;
	if (facts.removed.has(doc._id)) return false;
	return doc._rev === undefined || facts.serverRevs.get(doc._id) !== doc._rev;
}
