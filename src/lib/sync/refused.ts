/** The push's refusals, named the way a person recognises the documents (sync status). */
import type { LocalDb } from '../data/local-db.ts';
import { docNameOf, relatedIds } from './describe.ts';
import { docsById } from './local.ts';
import type { SyncProblem } from './problem.ts';
import type { Refusal } from './push.ts';

/** Documents by id and what they refer to (their tickets, missions, clients, missions' tickets). */
export async function withRelated(
	db: LocalDb,
	ids: readonly string[]
): Promise<{
	docs: Map<string, Record<string, unknown>>;
	related: Map<string, Record<string, unknown>>;
}> {
	const docs = await docsById(db, ids);
	const related = await docsById(db, [...docs.values()].flatMap(relatedIds));
	const missionTickets = [...related.values()].flatMap((d) =>
		typeof d.ticketId === 'string' ? [d.ticketId] : []
	);
	for (const [id, doc] of await docsById(db, missionTickets)) related.set(id, doc);
	return { docs, related };
}

/**
 * The push's refusals as a problem the status puts in words: each refused document named by
 * what this device has of it (its ticket's number and title…), with the server's coded reason.
 */
export async function refusalProblem(
	db: LocalDb,
	refused: readonly Refusal[]
): Promise<SyncProblem | null> {
	if (refused.length === 0) return null;
	const { docs, related } = await withRelated(
		db,
		refused.map((r) => r.id)
	);
	for (const [id, doc] of docs) related.set(id, doc);
	const items = refused.map((r) => ({ doc: docNameOf(r.id, docs.get(r.id), related), why: r.why }));
	return { kind: 'refused', count: refused.length, items };
}
