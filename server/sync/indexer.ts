/**
 * Keeps the access model (model.ts) current: a full scan at start, then each batch of the
 * changes feed — the changed documents, the documents whose readers were derived from them or
 * that now point to them, and the events of all of these. Bodies are read first; the model is
 * then changed in one synchronous step, so a request never sees half a batch.
 */
import { techfileIdFor } from '#lib/domain/ids.ts';
import { parseDoc, type Doc } from '#lib/domain/schemas.ts';
import { canonical } from '#lib/domain/stamps.ts';
import { SLA_FACT_PREFIX } from '#lib/domain/sla-facts.ts';
import {
	aclFor,
	everyPrincipal,
	ticketFact,
	type Acl,
	type AclEntry,
	type FactSource
} from './acl.ts';
import type { TicketFact } from '#lib/domain/access.ts';
import type { CouchHttp } from './couch-http.ts';
import { AccessModel } from './model.ts';

type Raw = Record<string, unknown>;

const PAGE = 1000;

/** Who must hear about an indexing pass: the readers, before and after, of what changed. */
export interface Concerned {
	all: boolean;
	principals: Set<string>;
}

/** A business document as stored, or null when it is deleted, a design document or invalid. */
export function parsed(raw: unknown): Doc | null {
	if (raw === null || raw === undefined) return null;
	const r = raw as Raw;
	if (r._deleted === true || typeof r._id !== 'string' || r._id.startsWith('_')) return null;
	const result = parseDoc(raw);
	return result.ok ? result.value : null;
}

/**
 * A document with open conflicts: its winner may be a branch the server has not merged yet,
 * so nothing about access is derived from it until the merge is written.
 */
export function conflictedRaw(raw: unknown): boolean {
	const conflicts = (raw as Raw | null | undefined)?._conflicts;
	return Array.isArray(conflicts) && conflicts.length > 0;
}

export function windowDaysOf(config: unknown): number | undefined {
	const days = (config as { windowDays?: unknown } | null)?.windowDays;
	return typeof days === 'number' && Number.isInteger(days) && days >= 0 ? days : undefined;
}

export function sameAcl(a: Acl | undefined | null, b: Acl | undefined | null): boolean {
	if (!a || !b) return !a && !b;
	return (
		canonical(a.entries) === canonical(b.entries) && canonical(a.sources) === canonical(b.sources)
	);
}

interface Body {
	doc: Doc | null;
	rev: string | null;
	/** Open conflicts: keep what the model holds until the merge arrives. */
	held?: boolean;
	/** The winning revision read, deleted or not (null: not said). */
	seen?: string | null;
	/** The copy read does not know the document at all. */
	missing?: boolean;
	/** The body as read (held documents: to read their branches). */
	raw?: Raw | null;
	/** Held, not yet in the model: every live branch, parsed (null: one is not valid). */
	leaves?: Doc[] | null;
}

/** How long a read that lags behind the model is tried again, in ms between attempts. */
const STALE_RETRY_MS = [25, 50, 100, 200, 400, 800, 1200];

/** How many times a document read at a lower revision than the model's is read again. */
const LOWER_RETRIES = 2;

const generation = (rev: string): number => Number.parseInt(rev, 10);

function bodyOf(raw: Raw | null): Body {
	const live = raw !== null && raw._deleted !== true;
	const rev = raw && typeof raw._rev === 'string' ? raw._rev : null;
	return { doc: parsed(raw), rev: live ? rev : null, held: conflictedRaw(raw), seen: rev, raw };
}

/**
 * The readers of a document whose conflicts are open, from every live branch: a principal
 * reads it only while it reads every branch, so no branch (a forged one included) widens
 * access, and the desk does not lose a ticket while its branches wait to be merged.
 */
export function heldAcl(leaves: readonly Doc[], facts: FactSource): Acl | null {
	if (leaves.length === 0) return null;
	const acls = leaves.map((leaf) => aclFor(leaf, facts));
	let entries = acls[0]!.entries;
	for (const other of acls.slice(1)) entries = intersectEntries(entries, other.entries);
	return { entries, sources: union(...acls.map((a) => a.sources)) };
}

const union = (...lists: ReadonlyArray<readonly string[]>): string[] =>
	[...new Set(lists.flat())].sort();

/**
 * The facts of a ticket in conflict as strict as its branches (and what the model had):
 * ended at the earliest end, in a group only if every branch names the same one. Null when
 * a branch could not be read.
 */
export function agreedTicketFact(
	leaves: readonly Doc[] | null,
	known: TicketFact | undefined
): TicketFact | null {
	const tickets = (leaves ?? []).filter((d) => d.type === 'ticket');
	if (!leaves || tickets.length === 0) return null;
	const facts = [...tickets.map((t) => ticketFact(t)), ...(known ? [known] : [])];
	const ends = facts.flatMap((f) => (f.endedAt === undefined ? [] : [f.endedAt])).sort();
	const groups = new Set(facts.map((f) => f.group));
	const agreed: TicketFact = {
		group: groups.size === 1 ? facts[0]!.group : undefined,
		endedAt: ends[0]
	};
	// Working-set marks: only those every branch carries.
	const marks = facts.map((f) => f.holds ?? []);
	agreed.holds = marks.reduce((a, b) => a.filter((m) => b.includes(m)));
	return agreed;
}

const lo = (t: number | null) => t ?? -Infinity;
const hi = (t: number | null) => t ?? Infinity;

export function intersectEntries(a: readonly AclEntry[], b: readonly AclEntry[]): AclEntry[] {
	const out: AclEntry[] = [];
	for (const [p, from1, until1] of a) {
		for (const [q, from2, until2] of b) {
			if (p !== q) continue;
			const from = lo(from1) >= lo(from2) ? from1 : from2;
			const until = hi(until1) <= hi(until2) ? until1 : until2;
			if (lo(from) < hi(until)) out.push([p, from, until]);
		}
	}
	return out;
}

/**
 * `ids` ordered so that a document comes after the one it is about when both are among them
 * (an event's readers are its subject's: a merge's note on a duplicated notice is an event about
 * an event). Otherwise in the given order.
 */
export function subjectsFirst(ids: Iterable<string>, subjectOf: (id: string) => string): string[] {
	const all = [...ids];
	const among = new Set(all);
	const depth = (id: string) => {
		let d = 0;
		const seen = new Set([id]);
		for (let s = subjectOf(id); among.has(s) && !seen.has(s); s = subjectOf(s)) {
			seen.add(s);
			d++;
		}
		return d;
	};
	return all
		.map((id, i) => [depth(id), i, id] as const)
		.sort((a, b) => a[0] - b[0] || a[1] - b[1])
		.map(([, , id]) => id);
}

export class Indexer {
	readonly #http: CouchHttp;
	readonly #wait: (ms: number) => Promise<void>;
	#model = new AccessModel();
	/** Reads found behind the model and read again (a figure for the logs and tests). */
	staleReads = 0;

	constructor(http: CouchHttp, wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))) {
		this.#http = http;
		this.#wait = wait;
	}

	get model(): AccessModel {
		return this.#model;
	}

	/** Puts a model derived earlier in place (loaded from a checkpoint). */
	restore(model: AccessModel): void {
		this.#model = model;
	}

	/**
	 * Derives the whole model from a scan of the database, then puts it in place.
	 * @param visit sees every stored document of the scan (the ticket numbering uses it).
	 * @returns the ids of documents with unresolved conflicts (to merge).
	 */
	async build(visit?: (id: string, raw: Raw) => void): Promise<string[]> {
		const conflicted: string[] = [];
		const config = await this.#load(['config:access']);
		const model = new AccessModel(windowDaysOf(config.get('config:access')?.doc));
		for (const prefix of ['mission:', 'grant:', 'ticket:', 'user:', SLA_FACT_PREFIX]) {
			for await (const page of this.#pages(prefix, `${prefix}\ufff0`)) {
				for (const raw of page) {
					if (!conflictedRaw(raw)) model.noteFacts(String(raw._id), parsed(raw));
					else if (String(raw._id).startsWith('ticket:')) {
						// A ticket in conflict: what its branches agree on (ended at the earliest).
						const fact = agreedTicketFact(await this.#leaves(raw), undefined);
						if (fact) model.noteTicketFact(String(raw._id), fact);
					}
				}
			}
		}
		const derive = async (raw: Raw) => {
			if (conflictedRaw(raw)) {
				conflicted.push(String(raw._id));
				const leaves = await this.#leaves(raw);
				const acl = leaves && heldAcl(leaves, model);
				if (acl) model.set(String(raw._id), { rev: String(raw._rev), acl });
				return;
			}
			const doc = parsed(raw);
			if (doc) model.set(doc._id, { rev: String(raw._rev), acl: aclFor(doc, model) });
		};
		const aboutEvents: Raw[] = [];
		// Events last: their readers are their subject's.
		for (const [start, end] of [
			['', 'event:'],
			['event:\ufff0', '\ufff0'],
			['event:', 'event:\ufff0']
		] as const) {
			for await (const page of this.#pages(start, end)) {
				for (const raw of page) {
					visit?.(String(raw._id), raw);
					// About another event (a merge's note on a duplicated notice): once that one is in.
					if (String(raw.subjectId ?? '').startsWith('event:')) aboutEvents.push(raw);
					else await derive(raw);
				}
			}
		}
		const byId = new Map(aboutEvents.map((raw) => [String(raw._id), raw] as const));
		for (const id of subjectsFirst(byId.keys(), (id) => String(byId.get(id)?.subjectId ?? '')))
			await derive(byId.get(id)!);
		this.#model = model;
		return conflicted;
	}

	/** True when the batch changes the access window: every deadline moves, so rebuild. */
	changesWindow(changes: ReadonlyMap<string, Raw | null>): boolean {
		if (!changes.has('config:access')) return false;
		return windowDaysOf(parsed(changes.get('config:access'))) !== this.#model.windowDays();
	}

	/**
	 * Applies a batch of the changes feed (new bodies; null when deleted). A batch that changes
	 * the access window is for `build`.
	 */
	async apply(changes: ReadonlyMap<string, Raw | null>): Promise<Concerned> {
		const model = this.#model;
		const concerned: Concerned = { all: false, principals: new Set() };
		const changed = [...changes.keys()].filter((id) => !id.startsWith('_'));
		if (changed.length === 0) return concerned;
		const bodies = new Map<string, Body>();
		for (const id of changed) bodies.set(id, bodyOf(changes.get(id) ?? null));

		const dirty = new Set(changed);
		// What a mission or grant points to, before and after: its ticket, client and file.
		const pointedTo = (r: { ticketId?: string; clientId: string }) => {
			if (r.ticketId) dirty.add(r.ticketId);
			dirty.add(r.clientId);
			dirty.add(techfileIdFor(r.clientId));
		};
		for (const id of changed) {
			for (const dep of model.dependentsOf(id)) dirty.add(dep);
			const old = model.factRow(id);
			if (old) pointedTo(old);
			const body = bodies.get(id);
			if (body?.held) continue;
			const doc = body?.doc;
			if (doc?.type === 'mission' || doc?.type === 'grant') pointedTo(doc);
		}
		const events = new Set([...dirty].filter((id) => id.startsWith('event:')));
		for (const id of dirty) {
			if (id.startsWith('event:')) continue;
			for (const dep of model.dependentsOf(id)) if (dep.startsWith('event:')) events.add(dep);
		}
		const toLoad = [...dirty, ...events].filter((id) => !bodies.has(id));
		for (const [id, body] of await this.#load(toLoad)) bodies.set(id, body);
		await this.#catchUpStale(bodies);
		// A document with open conflicts: what all its branches agree on, until merged.
		for (const body of bodies.values())
			if (body.held && body.raw) body.leaves = await this.#leaves(body.raw);

		// From here on, synchronous: the model moves from one batch to the next in one step.
		for (const id of changed) {
			const body = bodies.get(id);
			if (!body?.held) model.noteFacts(id, body?.doc ?? null);
			else if (id.startsWith('ticket:')) {
				const fact = agreedTicketFact(body.leaves ?? null, model.ticket(id));
				if (fact) model.noteTicketFact(id, fact);
			}
		}
		const changedSet = new Set(changed);
		const update = (id: string) => {
			const body = bodies.get(id);
			if (body?.held) {
				// The readers every branch agrees on, and, for a document judged before its
				// conflict, no more than it had then: a change of its sources (a mission
				// cancelled, a grant revoked) still narrows it until the merge is written.
				const kept = model.get(id);
				const agreed = body.leaves ? heldAcl(body.leaves, model) : null;
				const acl = kept
					? agreed && {
							entries: intersectEntries(kept.acl.entries, agreed.entries),
							sources: union(kept.acl.sources, agreed.sources)
						}
					: agreed;
				const rev = kept?.rev ?? body.seen;
				if (!acl || !rev || sameAcl(kept?.acl, acl)) return;
				model.set(id, { rev, acl });
				for (const p of everyPrincipal(kept?.acl.entries ?? [])) concerned.principals.add(p);
				for (const p of everyPrincipal(acl.entries)) concerned.principals.add(p);
				return;
			}
			const acl = body?.doc ? aclFor(body.doc, model) : null;
			const rev = body?.rev ?? null;
			const before = model.set(id, acl && rev ? { rev, acl } : null);
			if (changedSet.has(id) || !sameAcl(before?.acl, acl)) {
				for (const p of everyPrincipal(before?.acl.entries ?? [])) concerned.principals.add(p);
				for (const p of everyPrincipal(acl?.entries ?? [])) concerned.principals.add(p);
			}
		};
		for (const id of dirty) if (!id.startsWith('event:')) update(id);
		const subjectOf = (id: string) => {
			const doc = bodies.get(id)?.doc;
			return doc?.type === 'event' ? doc.subjectId : '';
		};
		for (const id of subjectsFirst(events, subjectOf)) update(id);
		return concerned;
	}

	/**
	 * On a cluster, a read may come from a copy of a shard that lags behind what the model
	 * already holds (a document it knows is missing, or at an older revision): a changes feed
	 * resumed on another node, or `_all_docs` answered by the lagging copy. Taking that as the
	 * document's state would take access away until its next change, so such documents are read
	 * again until the copy has caught up. A regression that lasts (a purge, a winner chosen
	 * again) is taken as it is after the last attempt.
	 */
	async #catchUpStale(bodies: Map<string, Body>): Promise<void> {
		let attempt = 0;
		const stale = () =>
			[...bodies].flatMap(([id, b]) => (this.#behind(id, b, attempt) ? [id] : []));
		let ids = stale();
		if (ids.length > 0)
			console.warn(
				`sync: ${ids.length} document(s) read older than the model, read again: ${ids.slice(0, 5).join(', ')}`
			);
		for (const ms of STALE_RETRY_MS) {
			if (ids.length === 0) return;
			this.staleReads += ids.length;
			await this.#wait(ms);
			for (const [id, body] of await this.#load(ids)) bodies.set(id, body);
			attempt++;
			ids = stale();
		}
		if (ids.length > 0)
			console.warn(
				`sync: ${ids.length} document(s) still read older than the model, taken as read: ${ids.slice(0, 5).join(', ')}`
			);
	}

	/** Every live branch of a conflicted document, parsed; null when one is not valid. */
	async #leaves(raw: Raw): Promise<Doc[] | null> {
		const id = String(raw._id);
		const revs = [String(raw._rev), ...((raw._conflicts as unknown[]) ?? []).map(String)];
		const res = await this.#http.json<{
			results: Array<{ docs: Array<{ ok?: Raw }> }>;
		}>(`${this.#http.db}/_bulk_get?revs=false`, {
			body: { docs: revs.map((rev) => ({ id, rev })) }
		});
		const docs = res.results.flatMap((r) => r.docs.flatMap((d) => (d.ok ? [d.ok] : [])));
		// A branch not read (a lagging copy) is not agreed on: nothing is derived then.
		if (docs.length < revs.length) return null;
		const leaves = docs.filter((d) => d._deleted !== true).map((d) => parsed(d));
		if (leaves.length === 0 || leaves.some((d) => d === null)) return null;
		return leaves as Doc[];
	}

	/**
	 * Read from a copy behind the model: missing although known, or at a lower generation. A
	 * lower generation can also be a true winner (a conflict's higher branch deleted, a kept
	 * branch that is not the longest), so `lower` is told apart: only a missing document is read
	 * again for the whole delay, a lower revision for the first two attempts (75 ms).
	 */
	#behind(id: string, body: Body, attempt: number): boolean {
		const known = this.#model.get(id)?.rev;
		if (!known || body.held) return false;
		if (body.missing) return true;
		const lower = typeof body.seen === 'string' && generation(body.seen) < generation(known);
		return lower && attempt < LOWER_RETRIES;
	}

	async #load(ids: string[]): Promise<Map<string, Body>> {
		const out = new Map<string, Body>();
		if (ids.length === 0) return out;
		const res = await this.#http.json<{
			rows: Array<{
				key: string;
				doc?: Raw | null;
				value?: { rev?: string };
				error?: string;
			}>;
		}>(`${this.#http.db}/_all_docs?include_docs=true&conflicts=true`, {
			body: { keys: [...new Set(ids)] }
		});
		for (const row of res.rows) {
			const doc = parsed(row.doc);
			out.set(row.key, {
				doc,
				rev: doc ? String(row.doc?._rev) : null,
				held: conflictedRaw(row.doc),
				raw: row.doc ?? null,
				seen: typeof row.value?.rev === 'string' ? row.value.rev : null,
				missing: row.error === 'not_found'
			});
		}
		return out;
	}

	async *#pages(start: string, end: string): AsyncGenerator<Raw[]> {
		let startkey = start;
		let skip = 0;
		for (;;) {
			const qs = new URLSearchParams({
				include_docs: 'true',
				conflicts: 'true',
				limit: String(PAGE),
				skip: String(skip),
				startkey: JSON.stringify(startkey),
				endkey: JSON.stringify(end),
				inclusive_end: 'false'
			});
			const res = await this.#http.json<{ rows: Array<{ key: string; doc?: Raw }> }>(
				`${this.#http.db}/_all_docs?${qs}`
			);
			const docs = res.rows.flatMap((r) => (r.doc ? [r.doc] : []));
			if (docs.length > 0) yield docs;
			if (res.rows.length < PAGE) return;
			startkey = res.rows[res.rows.length - 1]!.key;
			skip = 1;
		}
	}
}
