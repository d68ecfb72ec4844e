/**
 * What a pushed document is judged with (push.ts): the stored versions of the documents it
 * names, gathered into the domain's WriteContext, and, for a branch, the revision it was made
 * from.
 */
import type { WriteContext } from '#lib/domain/access.ts';
import type { Doc } from '#lib/domain/schemas.ts';
import type { CouchHttp } from './couch-http.ts';
import { parsed } from './indexer.ts';

type Raw = Record<string, unknown>;

const GROUPS_ID = 'config:groups';

/** A pushed revision: its id, its history (newest first), whether it branches off the server's. */
export interface Branching {
	readonly id: string;
	readonly history: readonly string[];
	branches?: boolean;
}

/** Stored documents by id (with their conflicts), as CouchDB's `_all_docs` gives them. */
export async function loadCurrent(http: CouchHttp, ids: string[]): Promise<Map<string, Raw>> {
	const out = new Map<string, Raw>();
	if (ids.length === 0) return out;
	const res = await http.json<{ rows: Array<{ key: string; doc?: Raw | null }> }>(
		`${http.db}/_all_docs?include_docs=true&conflicts=true`,
		{ body: { keys: [...new Set(ids)] } }
	);
	for (const row of res.rows) if (row.doc) out.set(row.key, row.doc);
	return out;
}

/** The documents a pushed document points to, whose stored versions judge it. */
export function pointsTo(doc: Doc | null): string[] {
	if (doc === null) return [];
	const ids: string[] = [];
	if ('ticketId' in doc && typeof doc.ticketId === 'string') ids.push(doc.ticketId);
	if (doc.type === 'report') ids.push(doc.missionId);
	if (doc.type === 'event') ids.push(doc.subjectId);
	if (doc.type === 'ticket') {
		// What the ticket names must exist: its client, its people, its group.
		if (doc.clientId !== undefined) ids.push(doc.clientId);
		ids.push(...doc.assignees, GROUPS_ID);
	}
	if (doc.type === 'ticket' && doc.closure?.reportId !== undefined) ids.push(doc.closure.reportId);
	// A client's or person's team must be a group.
	if ((doc.type === 'client' || doc.type === 'user') && doc.team !== undefined) ids.push(GROUPS_ID);
	return ids;
}

export function contextFor(
	doc: Doc,
	before: Doc | null,
	lookup: (id: string | undefined) => Doc | null,
	profile: { displayName: string },
	replanOf: (ticketId: string) => WriteContext['replan'] = () => undefined
): WriteContext {
	const ticketOf = (id: string | undefined) => {
		const found = lookup(id);
		return found?.type === 'ticket' ? found : null;
	};
	switch (doc.type) {
		case 'mission':
			return {
				ticket: ticketOf(doc.ticketId),
				...(before === null ? { replan: replanOf(doc.ticketId) } : {}),
				...(before?.type === 'mission' ? { ticketBefore: ticketOf(before.ticketId) } : {})
			};
		case 'report': {
			const mission = lookup(doc.missionId);
			return { mission: mission?.type === 'mission' ? mission : null };
		}
		case 'event':
			return {
				subject: lookup(doc.subjectId),
				...(doc.ticketId === undefined ? {} : { ticket: ticketOf(doc.ticketId) }),
				profile
			};
		case 'ticket': {
			const client = doc.clientId === undefined ? undefined : lookup(doc.clientId);
			const groups = lookup(GROUPS_ID);
			// A closure names the signed report it comes from: judged against that report.
			const reportId = doc.closure?.reportId;
			const report = reportId === undefined ? undefined : lookup(reportId);
			return {
				...(client === undefined ? {} : { client: client?.type === 'client' ? client : null }),
				people: new Map(
					doc.assignees.map((id) => {
						const found = lookup(id);
						return [id, found?.type === 'user' ? found : null] as const;
					})
				),
				groups: groups?.type === 'config' && groups.kind === 'groups' ? groups.groups : null,
				...(before?.type === 'ticket' && before.status === 'in_progress' && doc.status === 'planned'
					? { replan: replanOf(doc._id) }
					: {}),
				...(reportId === undefined
					? {}
					: { closureReport: report?.type === 'report' ? report : null })
			};
		}
		case 'client':
		case 'user': {
			if (doc.team === undefined) return {};
			const groups = lookup(GROUPS_ID);
			return {
				groups: groups?.type === 'config' && groups.kind === 'groups' ? groups.groups : null
			};
		}
		default:
			return {};
	}
}

/**
 * For each pushed branch, the body of the newest revision it shares with the server's winner
 * (what the device edited), or null when the database no longer has that body (compacted);
 * no entry when the branch shares no revision with the server's.
 */
export async function loadAncestors(
	http: CouchHttp,
	candidates: readonly Branching[],
	current: ReadonlyMap<string, Raw>
): Promise<Map<string, Doc | null>> {
	const out = new Map<string, Doc | null>();
	for (const c of candidates) {
		if (!c.branches) continue;
		const stored = current.get(c.id);
		const withRevs = await http.json<Raw>(
			`${http.db}/${encodeURIComponent(c.id)}?revs=true&rev=${encodeURIComponent(String(stored?._rev))}`
		);
		const r = withRevs._revisions as { start: number; ids: string[] } | undefined;
		const known = new Set(r ? r.ids.map((h, i) => `${r.start - i}-${h}`) : []);
		const shared = c.history.slice(1).find((rev) => known.has(rev));
		if (shared === undefined) continue;
		const res = await http.fetch(
			`${http.db}/${encodeURIComponent(c.id)}?rev=${encodeURIComponent(shared)}`
		);
		// 404: the revision is in the history but its body was compacted away (null).
		if (res.ok) out.set(c.id, parsed(await res.json()));
		else if (res.status === 404) out.set(c.id, null);
	}
	return out;
}
