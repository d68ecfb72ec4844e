/**
 * What the server's jobs of one instance know of the tickets, kept current from the database's
 * changes feed instead of read again on every sweep (issue #14: a sweep scales with what is
 * due, not with the size of the database). Shared by the escalation, timeout and billing jobs
 * of one instance (service.ts).
 *
 * - The first refresh (the catch-up) notes the database's `update_seq`, then reads the
 *   `ticket:` and `event:sla:` ranges once. Later refreshes read only `_changes` since the
 *   cursor, with the documents, and apply the ticket and SLA-fact changes. The cursor is the
 *   feed's own `last_seq`, kept as given: on a CouchDB cluster it is an opaque string.
 * - Kept in memory: the valid tickets not closed nor cancelled as their facts show them
 *   (`withSlaFacts`: a ticket closed by a timeout fact is closed), each with its facts — what
 *   the escalation and timeout jobs look at; and the closures seen since the billing job last
 *   took them (`takeClosures`): a ticket whose document or facts changed and that is closed
 *   now. Closed tickets are not kept.
 * - The cursor moves only once a batch of changes is applied: a failed read, or a failed
 *   application, is retried from the same place by the next refresh; a second failure in a row
 *   falls back to a full catch-up. Whatever cannot be followed exactly (a catch-up after the
 *   first, too many closures waiting) bumps `epoch`, which tells the billing job to read
 *   everything again instead of trusting the closures it was given.
 *
 * Applying a change twice is harmless (a cluster's feed may repeat some after a node restart).
 */
import { closedAtOf } from '#lib/domain/closure-billing.ts';
import { isDocOf, type EventDoc, type TicketDoc } from '#lib/domain/schemas.ts';
import { SLA_FACT_PREFIX, slaFactsOf, withSlaFacts, type SlaFacts } from '#lib/domain/sla-facts.ts';
import type { Db } from './lease.ts';

type Raw = Record<string, unknown>;
export type Seq = string | number;

/** One document changed: its latest body, or null when deleted. */
export interface FeedChange {
	readonly id: string;
	readonly doc: Raw | null;
}

/** A ticket closed (as its facts show it) and when. */
export interface Closure {
	readonly ticket: TicketDoc;
	readonly closedAt: string;
}

export interface TicketFeedOptions {
	/** Changes read per request. */
	readonly batch?: number;
	/** Closures kept for the billing job at most; past it, the billing job reads everything. */
	readonly maxClosures?: number;
	/** Tickets whose facts are read one range each at most; past it, the whole fact range. */
	readonly factRanges?: number;
}

interface Held {
	readonly ticket: TicketDoc;
	readonly facts: Map<string, EventDoc>;
}

const TICKET_PREFIX = 'ticket:';

async function range(db: Db, low: string, high = `${low}\ufff0`): Promise<Raw[]> {
	const res = await db.list({ startkey: low, endkey: high, include_docs: true });
	return res.rows.flatMap((r) => (r.doc ? [r.doc as unknown as Raw] : []));
}

const factOf = (doc: Raw | null): EventDoc | null =>
	doc && isDocOf('event', doc) && doc.ticketId !== undefined ? doc : null;

export class TicketFeed {
	readonly #db: Db;
	readonly #batch: number;
	readonly #maxClosures: number;
	readonly #factRanges: number;
	#cursor: Seq | null = null;
	#failures = 0;
	#epoch = 0;
	#open = new Map<string, Held>();
	readonly #closures = new Map<string, Closure>();
	readonly #listeners: Array<(changes: readonly FeedChange[]) => void> = [];
	#refreshing: Promise<unknown> = Promise.resolve();

	constructor(db: Db, options: TicketFeedOptions = {}) {
		this.#db = db;
		this.#batch = options.batch ?? 500;
		this.#maxClosures = options.maxClosures ?? 5000;
		this.#factRanges = options.factRanges ?? 50;
	}

	/** Bumped by every catch-up and by every loss of closures: the billing job reads all again. */
	get epoch(): number {
		return this.#epoch;
	}

	/** The feed position applied (null before the first refresh). */
	get cursor(): Seq | null {
		return this.#cursor;
	}

	/** How many tickets are held (open or resolved). */
	get held(): number {
		return this.#open.size;
	}

	/** Closures waiting for the billing job. */
	get waiting(): number {
		return this.#closures.size;
	}

	/** Calls `fn` with every batch of changes applied (not with a catch-up: see `epoch`). */
	listen(fn: (changes: readonly FeedChange[]) => void): void {
		this.#listeners.push(fn);
	}

	/**
	 * Brings the feed up to the database's current state: the catch-up the first time, then
	 * the changes since. One refresh at a time (a second call waits for the first, then reads
	 * what followed it).
	 * @returns the documents read. @throws when the database could not be read (nothing lost).
	 */
	refresh(): Promise<number> {
		const run = this.#refreshing.then(
			() => this.#refresh(),
			() => this.#refresh()
		);
		this.#refreshing = run.catch(() => undefined);
		return run;
	}

	async #refresh(): Promise<number> {
		try {
			const read =
				this.#cursor === null || this.#failures >= 2 ? await this.#catchUp() : await this.#follow();
			this.#failures = 0;
			return read;
		} catch (error) {
			this.#failures++;
			throw error;
		}
	}

	/** The tickets held that `keep` keeps, in id order, with their facts. */
	tickets(keep: (t: TicketDoc) => boolean): Array<{ ticket: TicketDoc; facts: SlaFacts }> {
		const out: Array<{ ticket: TicketDoc; facts: SlaFacts }> = [];
		for (const { ticket, facts } of this.#open.values())
			if (keep(ticket)) out.push({ ticket, facts: slaFactsOf([...facts.values()], ticket._id) });
		return out.sort((a, b) => (a.ticket._id < b.ticket._id ? -1 : 1));
	}

	/** The closures seen since the last call, in id order; they are no longer kept. */
	takeClosures(): Closure[] {
		const out = [...this.#closures.values()].sort((a, b) => (a.ticket._id < b.ticket._id ? -1 : 1));
		this.#closures.clear();
		return out;
	}

	/** Gives back a closure the billing job could not settle (unless a newer one came). */
	putBack(closure: Closure): void {
		if (this.#closures.has(closure.ticket._id)) return;
		this.#closures.set(closure.ticket._id, closure);
		this.#bound();
	}

	async #catchUp(): Promise<number> {
		const info = await this.#db.info();
		const [tickets, factDocs] = await Promise.all([
			range(this.#db, TICKET_PREFIX),
			range(this.#db, SLA_FACT_PREFIX)
		]);
		const facts = new Map<string, Map<string, EventDoc>>();
		for (const doc of factDocs) {
			const fact = factOf(doc);
			if (!fact) continue;
			const of = facts.get(fact.ticketId!) ?? new Map<string, EventDoc>();
			of.set(fact._id, fact);
			facts.set(fact.ticketId!, of);
		}
		const open = new Map<string, Held>();
		for (const doc of tickets) {
			if (!isDocOf('ticket', doc)) continue;
			const held = { ticket: doc, facts: facts.get(doc._id) ?? new Map<string, EventDoc>() };
			if (isOpen(held)) open.set(doc._id, held);
		}
		this.#open = open;
		this.#closures.clear();
		this.#cursor = info.update_seq as Seq;
		this.#epoch++;
		return tickets.length + factDocs.length;
	}

	async #follow(): Promise<number> {
		let read = 0;
		for (;;) {
			const res = await this.#db.changes({
				since: String(this.#cursor),
				include_docs: true,
				limit: this.#batch
			});
			read += res.results.length;
			const changes: FeedChange[] = [];
			for (const r of res.results as Array<(typeof res.results)[number] & { doc?: Raw }>) {
				if (r.id.startsWith('_')) continue;
				changes.push({ id: r.id, doc: r.deleted || !r.doc ? null : r.doc });
			}
			read += await this.#apply(changes);
			for (const listener of this.#listeners) listener(changes);
			this.#cursor = res.last_seq as Seq;
			if (res.results.length < this.#batch) return read;
		}
	}

	/** Applies ticket and fact changes. @returns the documents read (facts of tickets not held). */
	async #apply(changes: readonly FeedChange[]): Promise<number> {
		const tickets = new Map<string, Raw | null>();
		const facts = new Map<string, Raw | null>();
		for (const c of changes) {
			if (c.id.startsWith(SLA_FACT_PREFIX)) facts.set(c.id, c.doc);
			else if (c.id.startsWith(TICKET_PREFIX)) tickets.set(c.id, c.doc);
		}
		if (tickets.size === 0 && facts.size === 0) return 0;

		const touched = new Set(tickets.keys());
		const newFacts = new Map<string, EventDoc[]>();
		for (const [id, doc] of facts) {
			const fact = factOf(doc);
			// The ticket its id names (the server writes a fact under its ticket's id), when it
			// differs from the one it tells of (a fact deleted, or never written by the server).
			const named = ticketOfFactId(id);
			if (named !== null && named !== fact?.ticketId && this.#open.get(named)?.facts.delete(id))
				touched.add(named);
			if (!fact) continue;
			touched.add(fact.ticketId!);
			newFacts.set(fact.ticketId!, [...(newFacts.get(fact.ticketId!) ?? []), fact]);
		}

		// Tickets that come into view (not held, changed): their facts from the database.
		const fresh = [...tickets].filter(([id, doc]) => doc !== null && !this.#open.has(id));
		let read = 0;
		const loaded = new Map<string, Map<string, EventDoc>>();
		if (fresh.length > this.#factRanges) {
			const all = await range(this.#db, SLA_FACT_PREFIX);
			read += all.length;
			for (const doc of all) {
				const fact = factOf(doc);
				if (!fact || !tickets.has(fact.ticketId!)) continue;
				const of = loaded.get(fact.ticketId!) ?? new Map<string, EventDoc>();
				of.set(fact._id, fact);
				loaded.set(fact.ticketId!, of);
			}
		} else {
			await Promise.all(
				fresh.map(async ([id]) => {
					const docs = await range(this.#db, `${SLA_FACT_PREFIX}${id}:`);
					read += docs.length;
					const of = new Map<string, EventDoc>();
					for (const doc of docs) {
						const fact = factOf(doc);
						if (fact) of.set(fact._id, fact);
					}
					loaded.set(id, of);
				})
			);
		}

		for (const id of touched) {
			const held = this.#open.get(id);
			const changed = tickets.get(id);
			const doc = changed === undefined ? (held?.ticket ?? null) : changed;
			if (changed === undefined && !held) continue; // a fact of a ticket not held: closed
			if (!doc || !isDocOf('ticket', doc)) {
				this.#open.delete(id);
				this.#closures.delete(id);
				continue;
			}
			const of = held?.facts ?? loaded.get(id) ?? new Map<string, EventDoc>();
			for (const fact of newFacts.get(id) ?? []) of.set(fact._id, fact);
			const next: Held = { ticket: doc, facts: of };
			if (isOpen(next)) {
				this.#open.set(id, next);
				this.#closures.delete(id);
				continue;
			}
			this.#open.delete(id);
			const shown = withSlaFacts(doc, slaFactsOf([...of.values()], id));
			const closedAt = closedAtOf(shown);
			if (closedAt === null) this.#closures.delete(id);
			else this.#closures.set(id, { ticket: shown, closedAt });
		}
		this.#bound();
		return read;
	}

	/** Too many closures waiting (the billing job runs on another instance): drop them. */
	#bound(): void {
		if (this.#closures.size <= this.#maxClosures) return;
		this.#closures.clear();
		this.#epoch++;
	}
}

/** `ticket:X` of `event:sla:ticket:X:…` (ticket ids have no colon after their type's). */
function ticketOfFactId(id: string): string | null {
	const rest = id.slice(SLA_FACT_PREFIX.length);
	if (!rest.startsWith(TICKET_PREFIX)) return null;
	const end = rest.indexOf(':', TICKET_PREFIX.length);
	return end < 0 ? null : rest.slice(0, end);
}

/** Whether the jobs of open work look at the ticket: neither closed nor cancelled, as shown. */
function isOpen({ ticket, facts }: Held): boolean {
	const shown = withSlaFacts(ticket, slaFactsOf([...facts.values()], ticket._id));
	return shown.status !== 'closed' && shown.status !== 'cancelled';
}
