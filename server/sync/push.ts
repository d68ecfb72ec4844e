/**
 * Push: the documents a device's PouchDB replicator sends to `_bulk_docs` (new_edits: false).
 * Each is checked on its own — shape and size, schema, readable before, `mayWrite` with what
 * it points to (its ticket, mission, subject), readable after — and answered in order; a
 * refused document writes nothing. Accepted revisions are stored as they came (their revision
 * ids are the device's). A revision that branches off the server's is judged twice — its own
 * content against the version it was made from (when compaction removed that version's body,
 * against the server's without the changes the branch never saw: merge.ts `branchBase`), and
 * what the merge would make of the document against the server's — then
 * merged at once (resolve.ts); when the merge fails the pushed branch is closed and refused.
 */
import { mayWrite, type Deletion, type UserLike, type WriteContext } from '#lib/domain/access.ts';
import { branchBase, mergeRevisions, setAsideEvents } from '#lib/domain/merge.ts';
import {
	invalid,
	refusal,
	type Refusal,
	type RefusalCode,
	type RefusalKey,
	type RefusalParams
} from '#lib/domain/refusals.ts';
import { checkShape, parseDoc, type Doc, type MissionStatus } from '#lib/domain/schemas.ts';
import { canonical, MERGE_SPECS, type MergeableDoc } from '#lib/domain/stamps.ts';
import { messageOf } from '../errors.ts';
import { aclFor, validAt, type Acl } from './acl.ts';
import type { CouchHttp } from './couch-http.ts';
import type { Couch } from '../couch/connect.ts';
import { parsed } from './indexer.ts';
import type { AccessModel } from './model.ts';
import { OverlayFacts } from './overlay-facts.ts';
import { contextFor, loadAncestors, loadCurrent, pointsTo } from './push-context.ts';
import { keeper, resolveConflicts } from './resolve.ts';
import type { RevisionWriter } from './revision-writer.ts';

export interface PushLimits {
	/** Largest JSON body of one document, attachments left out. */
	readonly maxDocBytes: number;
	/** Largest total of one document's inline attachments (decoded). */
	readonly maxAttachmentBytes: number;
}

/**
 * One document's answer, in CouchDB's shape. A refusal keeps CouchDB's `error` and English
 * `reason` (logs, stock replicators) and adds the domain's `code`, `key` and `params`
 * (domain/refusals.ts), which the device puts in words in its person's language.
 */
export type PushAnswer =
	| { id: string; rev: string; ok: true }
	| {
			id: string;
			rev?: string;
			error: string;
			reason: string;
			name?: string;
			status?: number;
			code: RefusalCode;
			key: RefusalKey;
			params?: RefusalParams;
	  };

type Raw = Record<string, unknown>;

interface Candidate {
	readonly index: number;
	readonly raw: Raw;
	readonly id: string;
	readonly rev: string;
	readonly history: readonly string[];
	readonly deleted: boolean;
	readonly doc: Doc | null;
	refusal?: Refusal;
	/**
	 * Not a refusal: the database failed while storing it (a node going down). The
	 * device is told to try again (PouchDB retries any error but `forbidden`/`unauthorized`).
	 */
	retry?: string;
	present?: boolean;
	before?: Doc | null;
	after?: Doc | null;
	branches?: boolean;
	/** The body of the newest revision the branch shares with the server's, when known. */
	ancestor?: Doc | null;
	/**
	 * The branch shares a revision with the server's history, but the database no longer has
	 * that revision's body (compaction keeps the leaves' bodies only).
	 */
	ancestorGone?: boolean;
	/**
	 * For a deletion that closes a server revision the device merged into its own branch: that
	 * branch's revision, pushed in the same batch. The deletion stands or falls with it.
	 */
	mergedInto?: Candidate;
}

/** The order in which documents are judged, so what others point to comes first. */
// What others name comes first (a ticket names its client, people and groups).
const RANK: Record<string, number> = {
	client: -1,
	user: -1,
	config: -1,
	techfile: 1,
	mission: 1,
	report: 2,
	event: 3
};
const REV = /^[1-9][0-9]*-[0-9a-zA-Z]+$/;
const SPECIAL = new Set(['_id', '_rev', '_deleted', '_revisions', '_attachments']);

export interface PushDeps {
	readonly couch: Couch;
	readonly http: CouchHttp;
	readonly write: RevisionWriter;
	readonly model: () => AccessModel;
	readonly now: () => Date;
}

export async function pushDocs(
	deps: PushDeps,
	session: UserLike & { displayName?: string },
	raws: readonly unknown[],
	limits: PushLimits
): Promise<PushAnswer[]> {
	const received = deps.now();
	const candidates = raws.map((raw, i) => inspect(raw, i, limits, received));
	const live = candidates.filter((c) => c.refusal === undefined);
	await markPresent(deps.http, live);
	const todo = live.filter((c) => !c.present);
	const now = received.getTime();
	const user = deps.model().current(session);
	const held = new Set(deps.model().principalsOf(user));

	const current = await loadCurrent(
		deps.http,
		todo.map((c) => c.id)
	);
	for (const c of todo) c.branches = branchesOff(c, current.get(c.id) ?? null);
	const merged = pairMerges(todo, current);
	const ancestors = await loadAncestors(deps.http, todo, current);
	await loadMergedAncestors(deps.http, merged, ancestors);
	const pointed = await loadCurrent(
		deps.http,
		todo.flatMap((c) => pointsTo(c.doc))
	);
	const model = deps.model();
	const profile = { displayName: session.displayName ?? '' };
	const judged = new Map<string, Doc | null>();
	const lookup = (id: string | undefined): Doc | null => {
		if (id === undefined) return null;
		if (judged.has(id)) return judged.get(id) ?? null;
		return parsed(current.get(id) ?? pointed.get(id) ?? null);
	};
	// A ticket as stored before this push, and its missions as the model knows them with those
	// this push already took (mayReplan: the board's batch also moves the ticket to planned).
	const replanOf = (ticketId: string) => {
		const out = new Map<string, { _id: string; ticketId: string; status: MissionStatus }>();
		for (const row of model.missionsOfTicket(ticketId))
			out.set(row.id, { _id: row.id, ticketId: row.ticketId, status: row.status });
		for (const [id, doc] of judged) {
			if (doc?.type === 'mission' && doc.ticketId === ticketId)
				out.set(id, { _id: id, ticketId, status: doc.status });
			else out.delete(id);
		}
		const stored = parsed(current.get(ticketId) ?? pointed.get(ticketId) ?? null);
		return { ticket: stored?.type === 'ticket' ? stored : null, missions: [...out.values()] };
	};
	for (const c of [...todo].sort((a, b) => rank(a) - rank(b))) {
		if (c.mergedInto) continue;
		try {
			c.ancestor = ancestors.get(c.id) ?? null;
			c.ancestorGone = ancestors.has(c.id) && c.ancestor === null;
			judge(c, user, current.get(c.id) ?? null, model, held, now, (doc, before) =>
				contextFor(doc, before, lookup, profile, replanOf)
			);
		} catch (error) {
			c.refusal = refusal(
				'rule',
				'not_checked',
				`this document could not be checked: ${messageOf(error)}`
			);
		}
		if (c.refusal === undefined && c.after !== undefined) judged.set(c.id, c.after);
	}
	checkReadableAfter(model, todo, held, now);
	for (const c of todo) if (c.mergedInto?.refusal !== undefined) c.refusal = c.mergedInto.refusal;

	// The merged branches first, then the deletions that close what they merged: a deletion
	// written without its branch would delete the document.
	const accepted = todo.filter((c) => c.refusal === undefined);
	const failures = await write(
		deps.write,
		accepted.filter((c) => !c.mergedInto)
	);
	const closing = accepted.filter((c) => {
		if (!c.mergedInto) return false;
		const failure = failures.get(`${c.mergedInto.id} ${c.mergedInto.rev}`);
		if (failure) failures.set(`${c.id} ${c.rev}`, failure);
		return !failure;
	});
	for (const [key, failure] of await write(deps.write, closing)) failures.set(key, failure);
	for (const c of accepted) {
		const failure = failures.get(`${c.id} ${c.rev}`);
		if (failure && 'retry' in failure) c.retry = failure.retry;
		else if (failure) c.refusal = failure;
	}
	for (const c of accepted) {
		if (c.refusal !== undefined || c.retry !== undefined || !c.branches) continue;
		try {
			// The leaves this push knows of: a cluster's first read may not show the new branch yet.
			const stored = current.get(c.id)?._rev;
			await resolveConflicts(deps.couch, c.id, deps.now(), [
				...(typeof stored === 'string' ? [stored] : []),
				...(c.rev ? [c.rev] : [])
			]);
		} catch (error) {
			// Never keep what could not be merged: close the pushed branch, refuse the push.
			c.refusal = refusal(
				'rule',
				'not_merged',
				`this change could not be merged with the server's version: ${messageOf(error)}`
			);
			await closeBranch(deps.couch, c).catch((e: unknown) =>
				console.error(`sync: could not close the refused branch ${c.id} ${c.rev}: ${messageOf(e)}`)
			);
		}
	}
	const answers: PushAnswer[] = candidates.map((c) =>
		c.refusal === undefined
			? { id: c.id, rev: c.rev, ok: true as const }
			: {
					id: c.id,
					...(c.rev ? { rev: c.rev } : {}),
					error: 'forbidden',
					name: 'forbidden',
					status: 403,
					reason: c.refusal.message,
					code: c.refusal.code,
					key: c.refusal.key,
					...(c.refusal.params ? { params: c.refusal.params } : {})
				}
	);
	return answers.map((answer, i) => retried(candidates[i]!, answer));
}

const rank = (c: Candidate) => {
	// A closing ticket is judged after the reports of the push: it may name one of them.
	if (c.doc?.type === 'ticket' && c.doc.closure?.reportId !== undefined) return 2.5;
	return RANK[c.doc?.type ?? c.before?.type ?? ''] ?? 0;
};

function inspect(raw: unknown, index: number, limits: PushLimits, now: Date): Candidate {
	const refuse = (reason: Refusal | string, fields: Partial<Candidate> = {}): Candidate => ({
		index,
		raw: {},
		id: '',
		rev: '',
		history: [],
		deleted: false,
		doc: null,
		refusal: typeof reason === 'string' ? refusal('invalid', 'push_malformed', reason) : reason,
		...fields
	});
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
		return refuse('document: must be an object with fields');
	const r = raw as Raw;
	const docId = typeof r._id === 'string' ? r._id : '';
	const rev = typeof r._rev === 'string' ? r._rev : '';
	const base = { raw: r, id: docId, rev };
	if (docId === '') return refuse('document._id: is required', base);
	if (docId.startsWith('_')) return refuse('design and local documents are not synced', base);
	if (!REV.test(rev)) return refuse('document._rev: is required (push through replication)', base);
	const special = Object.keys(r).find((k) => k.startsWith('_') && !SPECIAL.has(k));
	if (special !== undefined)
		return refuse(`document.${special}: is not a field CouchDB keeps`, base);
	const history = revisionHistory(r, rev);
	if (history === null) return refuse('document._revisions: does not match _rev', base);
	const { _attachments: attachments, ...body } = r;
	// Bounded first, without recursion: JSON.stringify would overflow its stack on a document
	// nested thousands of levels deep.
	const shape = checkShape(r, 'document');
	const nested = shape.find((p) => p.includes('nested deeper'));
	if (nested !== undefined) {
		const named = r._deleted === true ? null : parseDoc(r);
		return refuse(invalid(named === null || named.ok ? [nested] : named.error), base);
	}
	const bytes = Buffer.byteLength(JSON.stringify(body));
	if (bytes > limits.maxDocBytes)
		return refuse(
			refusal(
				'invalid',
				'too_large',
				`the document is too large: ${bytes} bytes (limit ${limits.maxDocBytes})`,
				{ part: 'document', bytes, limit: limits.maxDocBytes }
			),
			base
		);
	const attached = attachmentBytes(attachments);
	if (attached > limits.maxAttachmentBytes)
		return refuse(
			refusal(
				'invalid',
				'too_large',
				`the attachments are too large: ${attached} bytes (limit ${limits.maxAttachmentBytes})`,
				{ part: 'attachments', bytes: attached, limit: limits.maxAttachmentBytes }
			),
			base
		);
	const deleted = r._deleted === true;
	if (deleted) {
		// A deletion keeps no body: what it carried is checked, then left out of what is stored.
		if (shape.length > 0) return refuse(invalid(shape), base);
		const tomb: Raw = { _id: docId, _rev: rev, _deleted: true };
		if (r._revisions !== undefined) tomb._revisions = r._revisions;
		return { index, raw: tomb, id: docId, rev, history, deleted, doc: null };
	}
	// Stamps may not run ahead of the server's clock (a stamp in the future wins every merge).
	const result = parseDoc(r, { now });
	if (!result.ok) return refuse(invalid(result.error), base);
	return { index, ...base, history, deleted, doc: result.value };
}

function revisionHistory(r: Raw, rev: string): string[] | null {
	const revisions = r._revisions as { start?: unknown; ids?: unknown } | undefined;
	if (revisions === undefined) return [rev];
	const { start, ids } = revisions;
	if (typeof start !== 'number' || !Array.isArray(ids) || ids.length === 0) return null;
	const history = ids.map((h, i) => `${start - i}-${String(h)}`);
	return history[0] === rev ? history : null;
}

function attachmentBytes(attachments: unknown): number {
	if (typeof attachments !== 'object' || attachments === null) return 0;
	let total = 0;
	for (const a of Object.values(attachments as Record<string, { data?: unknown }>)) {
		if (typeof a?.data === 'string') total += Math.floor((a.data.length * 3) / 4);
	}
	return total;
}

/** Revisions the server already has are answered ok with nothing to check or write. */
async function markPresent(http: CouchHttp, candidates: Candidate[]): Promise<void> {
	if (candidates.length === 0) return;
	const ask: Record<string, string[]> = {};
	for (const c of candidates) (ask[c.id] ??= []).push(c.rev);
	const missing = await http.json<Record<string, { missing?: string[] }>>(`${http.db}/_revs_diff`, {
		body: ask
	});
	for (const c of candidates) c.present = !(missing[c.id]?.missing ?? []).includes(c.rev);
}

/**
 * A device that pulled a server revision beside its own unpushed edits merges them (the
 * domain's merge, src/lib/sync/conflicts.ts): the merged body goes on its own branch and the
 * server's revision gets a deletion on top. Both arrive in one push. The merged revision is
 * then no branch beside the server's: it already holds it, and is judged as an update of it
 * (or, when the server moved on since, its own content is judged against the revision it
 * merged); the deletion is no deletion of the document, it closes the merged-in branch.
 * Judged alone, the merged revision would read as the device changing what it took from the
 * server (fields it may not change), and the deletion as deleting the document.
 * @returns the merged revisions whose merged-in server revision is not the current one, with
 * that revision, to judge their own content against.
 */
function pairMerges(todo: Candidate[], current: ReadonlyMap<string, Raw>): Map<Candidate, string> {
	const older = new Map<Candidate, string>();
	for (const c of todo) {
		if (c.deleted || !c.branches) continue;
		const stored = current.get(c.id);
		const closer = todo.find(
			(d) =>
				d.id === c.id &&
				d.deleted &&
				!d.mergedInto &&
				d.history.length > 1 &&
				!c.history.includes(d.history[1] as string)
		);
		if (!closer || !stored) continue;
		const parent = closer.history[1] as string;
		closer.mergedInto = c;
		if (parent === stored._rev) c.branches = false;
		else older.set(c, parent);
	}
	return older;
}

/** For merged revisions whose merged-in revision the server has moved past: that revision. */
async function loadMergedAncestors(
	http: CouchHttp,
	merged: ReadonlyMap<Candidate, string>,
	ancestors: Map<string, Doc | null>
): Promise<void> {
	for (const [c, rev] of merged) {
		const res = await http.fetch(
			`${http.db}/${encodeURIComponent(c.id)}?rev=${encodeURIComponent(rev)}`
		);
		if (res.ok) ancestors.set(c.id, parsed(await res.json()));
		else if (res.status === 404) ancestors.set(c.id, null);
	}
}

function branchesOff(c: Candidate, stored: Raw | null): boolean {
	return stored !== null && stored._deleted !== true && !c.history.includes(String(stored._rev));
}

/** Closes a pushed branch the server could not merge: a deletion on top of it. */
async function closeBranch(couch: Couch, c: Candidate): Promise<void> {
	await couch.db.destroy(c.id, c.rev);
}

function judge(
	c: Candidate,
	user: UserLike,
	stored: Raw | null,
	model: AccessModel,
	held: ReadonlySet<string>,
	now: number,
	context: (doc: Doc, before: Doc | null) => WriteContext
): void {
	const exists = stored !== null && stored._deleted !== true;
	const before = exists ? parsed(stored) : null;
	if (exists && before === null) {
		c.refusal = refusal(
			'rule',
			'stored_invalid',
			'the stored document is not valid: an administrator must repair it'
		);
		return;
	}
	if (before !== null && !model.readable(c.id, held, now)) {
		// Answered as if the document did not exist, so a refusal never tells that it does.
		c.refusal = unreadable(c, user, context);
		return;
	}
	c.before = before;
	if (c.deleted && c.branches) {
		// Closes a branch beside the server's version (e.g. one a merge already replaced): the
		// document itself stays as it is, so there is nothing for mayWrite to judge.
		c.after = before;
		return;
	}
	if (c.deleted) {
		const deletion: Deletion = { _id: c.id, _rev: c.rev, _deleted: true };
		const verdict = mayWrite(user, before, deletion);
		if (!verdict.ok) c.refusal = verdict.error;
		c.after = null;
		return;
	}
	const doc = c.doc as Doc;
	if (!c.branches || before === null) {
		const verdict = mayWrite(user, before, doc, context(doc, before));
		if (!verdict.ok) c.refusal = verdict.error;
		c.after = doc;
		return;
	}
	// A branch is judged on its own content, against the version it was made from — when the
	// database no longer has that version's body (compacted), against the server's version
	// without the changes made there since that the branch never saw (`branchBase`); against
	// the server's version when the branch shares no history with it: nothing to lean on…
	const base = c.ancestor ?? (c.ancestorGone ? baseWithoutAncestor(before, doc) : before);
	const own = mayWrite(user, base, doc, context(doc, base));
	if (!own.ok) {
		c.refusal = own.error;
		return;
	}
	// …and as what it would make of the document: the merge (mergeable types) or the branch
	// kept by the fixed rule, against the server's version.
	const after = outcome(before, doc, c);
	c.after = after;
	if (sameBody(after, before)) return;
	const merged = mayWrite(user, before, after, context(after, before));
	if (!merged.ok) c.refusal = merged.error;
}

/**
 * The version a branch is judged against when the one it was made from was compacted away:
 * for mergeable documents, the server's version with the branch's values in the registers
 * where the server's are newer (merge.ts `branchBase`); for the others, the server's version.
 * Such values lose the merge, so they never reach the document; a device that names a
 * compacted revision as its parent can at most have one set aside in an internal
 * `merge_set_aside` event, like any losing edit.
 */
function baseWithoutAncestor(before: Doc, doc: Doc): Doc {
	if (before.type !== doc.type || !(doc.type in MERGE_SPECS)) return before;
	return branchBase(before as MergeableDoc, doc as MergeableDoc) as Doc;
}

/** What storing `doc` beside the server's `before` leaves once resolved (resolve.ts). */
function outcome(before: Doc, doc: Doc, c: Candidate): Doc {
	if (before.type === doc.type && doc.type in MERGE_SPECS) {
		const ancestor = c.ancestor && c.ancestor.type in MERGE_SPECS ? c.ancestor : undefined;
		const result = mergeRevisions([before as MergeableDoc, doc as MergeableDoc], {
			ancestor: ancestor as MergeableDoc | undefined
		});
		// The record of what the merge sets aside must be writable too, or nothing is stored.
		setAsideEvents(result.merged, result.setAside);
		return result.merged as Doc;
	}
	const kept = keeper([before as unknown as Raw, { ...(doc as unknown as Raw), _rev: c.rev }]);
	return kept._rev === c.rev ? doc : before;
}

function sameBody(a: Doc, b: Doc): boolean {
	const strip = (d: Doc) => {
		const { _rev: _r, _conflicts: _c, ...rest } = d as unknown as Raw;
		return canonical(rest);
	};
	return strip(a) === strip(b);
}

/** The refusal a creation of this id would get (the same words whether it exists or not). */
function unreadable(
	c: Candidate,
	user: UserLike,
	context: (doc: Doc, before: Doc | null) => WriteContext
): Refusal {
	if (c.deleted) return refusal('rule', 'nothing_to_delete', 'there is nothing to delete');
	const doc = c.doc as Doc;
	const verdict = mayWrite(user, null, doc, context(doc, null));
	return verdict.ok ? NOT_READABLE_AFTER : verdict.error;
}

const NOT_READABLE_AFTER = refusal(
	'rule',
	'unreadable_after',
	'after this change you could no longer read the document'
);

/**
 * The user must still read each document once written, computed with the batch applied (a
 * new ticket and its first follow-up may travel together). Refusing one document can change
 * what another depends on, so this runs until nothing more is refused.
 */
function checkReadableAfter(
	model: AccessModel,
	candidates: Candidate[],
	held: ReadonlySet<string>,
	now: number
): void {
	for (let round = 0; round < 3; round++) {
		const ok = candidates.filter((c) => c.refusal === undefined && c.after !== undefined);
		const overlay = new Map<string, Doc | null>(ok.map((c) => [c.id, c.after ?? null]));
		const computed = new Map<string, Acl>();
		const facts = new OverlayFacts(model, overlay, computed);
		const judged = ok.filter((c) => c.after);
		const ordered = [
			...judged.filter((c) => c.after?.type !== 'event'),
			...judged.filter((c) => c.after?.type === 'event')
		];
		for (const c of ordered) computed.set(c.id, aclFor(c.after as Doc, facts));
		const reads = (acl: Acl | undefined) =>
			(acl?.entries ?? []).some((e) => held.has(e[0]) && validAt(e, now));
		let refused = false;
		for (const c of judged) {
			const after = c.after as Doc;
			// A credential reveal is read by its author alone: its subject must be readable too.
			if (after.type === 'event' && after.kind === 'credential_reveal') {
				const subject = overlay.has(after.subjectId)
					? computed.get(after.subjectId)
					: model.get(after.subjectId)?.acl;
				if (!reads(subject)) {
					c.refusal = NOT_READABLE_AFTER;
					refused = true;
					continue;
				}
			}
			// A branch's own content must be readable by its writer as well as the merge.
			const own = c.branches && c.doc && c.doc !== after ? aclFor(c.doc, facts) : undefined;
			if (!reads(computed.get(c.id)) || (own !== undefined && !reads(own))) {
				c.refusal = NOT_READABLE_AFTER;
				refused = true;
			}
		}
		if (!refused) return;
	}
}

/** A document the database failed to store: an error the replicator retries, not a refusal. */
function retried(c: Candidate, answer: PushAnswer): PushAnswer {
	if (c.retry === undefined || c.refusal !== undefined) return answer;
	return {
		id: c.id,
		rev: c.rev,
		error: 'unavailable',
		name: 'unavailable',
		status: 503,
		reason: `the database could not store this change, try again: ${c.retry}`,
		// Words for a screen, should one show it: the app's push retries it (not a refusal).
		code: 'rule',
		key: 'not_stored'
	};
}

/**
 * Stores the accepted revisions; returns the refusals the database itself made (its
 * validation: `forbidden`), and its failures (any other error) as `retry`: not refusals.
 */
async function write(
	writer: RevisionWriter,
	accepted: Candidate[]
): Promise<Map<string, Refusal | { retry: string }>> {
	const failures = new Map<string, Refusal | { retry: string }>();
	if (accepted.length === 0) return failures;
	for (const r of await writer(accepted.map((c) => c.raw))) {
		if (!r.error) continue;
		const c = accepted.find((x) => x.id === r.id && (r.rev === undefined || x.rev === r.rev));
		const refused = r.error === 'forbidden' || r.error === 'unauthorized';
		if (c)
			failures.set(
				`${c.id} ${c.rev}`,
				refused
					? refusal('rule', 'not_stored', r.reason ?? r.error)
					: { retry: r.reason ?? r.error }
			);
	}
	return failures;
}
