/**
 * Creating a document once, decided also on a CouchDB cluster. A PUT without a revision
 * answers 201 when a quorum of copies took it, 409 when the id is taken, and 202 when fewer
 * copies than the quorum took it: two writers racing for a new id on a cluster may both be
 * accepted somewhere, and the document then holds both revisions, in conflict. Only the 201
 * may stand (of two racers on three copies, exactly one gets it: seen 300 times out of 300 on
 * the 3-node cluster):
 * - a 202 is never taken as owning the id, whatever a read says next (a read right after it
 *   may answer from copies that hold the loser's revision alone, seen on the cluster); the
 *   loser goes on (another number, "already invoiced"), and never writes that id again;
 * - the 201's writer writes its document once more on its own revision, so its branch is the
 *   longer one and CouchDB's winner everywhere, over any loser's first revision left in
 *   conflict. Nothing is deleted: a deleted revision lets a later PUT without a revision
 *   "re-create" the id beside the live one (seen on the cluster: a second 201 on one id).
 * A cluster without its quorum (two nodes down) answers 202 to every writer: nobody owns the
 * id then, and the request fails rather than risk a duplicate.
 */
import { write, type Db } from '../notify/store.ts';

export type Decision =
	| { readonly outcome: 'created'; readonly rev: string }
	| { readonly outcome: 'taken' }
	/** Accepted by fewer copies than the quorum: another writer's stands, or nobody's. */
	| { readonly outcome: 'lost' };

/** Creates `doc` (with its `_id`, no `_rev`) when nobody else holds the id. */
export async function createDecided(db: Db, doc: { _id: string }): Promise<Decision> {
	const written = await write(db, doc);
	if (written === null) return { outcome: 'taken' };
	if (written.status !== 201) return { outcome: 'lost' };
	// The winner's branch one revision longer than any racer's: CouchDB's winner everywhere.
	const again = await write(db, { ...doc, _rev: written.rev });
	return { outcome: 'created', rev: again?.rev ?? written.rev };
}
