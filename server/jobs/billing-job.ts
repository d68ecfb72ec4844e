/**
 * Billing at closure (issue #14, seed 000 F9) as a server job: every closed ticket — closed
 * by the desk, by a technician's signed report, or by the timeout job's fact — gets, for each
 * of its signed reports, its billing item (out of contract: time, travel, parts at the
 * `config:billing_rates` rates; maintenance: a zero "included" item; managed services: an
 * hour-bank item) and, under managed services, the hour-bank movement that takes the time
 * from the bank. The decision is the domain's (closure-billing.ts); the job's first run on an
 * instance reads every closed ticket, so it catches up after downtime; later runs take the
 * closures the instance's feed saw since (ticket-feed.ts) and read only their reports, items,
 * clients and movements. It writes each document once with a fixed id (`createOnce`): a
 * repeated run, or two instances at once, write nothing twice.
 * It never edits a ticket, an item or a movement: a re-close that changes the amounts adds a
 * correction.
 */
import { DEFAULT_BILLING_RATES, type BillingRates } from '#lib/domain/billing.ts';
import { closedAtOf, closureBilling } from '#lib/domain/closure-billing.ts';
import { numberEventId, numberFromEvent } from '#lib/domain/numbering.ts';
import {
	isDocOf,
	parseAs,
	type BillingDoc,
	type ClientDoc,
	type EventDoc,
	type HourBankDoc,
	type ReportDoc,
	type TicketDoc
} from '#lib/domain/schemas.ts';
import { SLA_FACT_PREFIX, slaFactsOf, withSlaFacts } from '#lib/domain/sla-facts.ts';
import { messageOf } from '../errors.ts';
import { createOnce, getOrNull, type Db } from './lease.ts';
import type { Job, JobOutcome } from './runner.ts';
import type { SlaJobContext } from './sla-jobs.ts';
import { TicketFeed, type Closure } from './ticket-feed.ts';

type Raw = Record<string, unknown>;

async function range(db: Db, prefix: string): Promise<Raw[]> {
	const res = await db.list({ startkey: prefix, endkey: `${prefix}\ufff0`, include_docs: true });
	return res.rows.flatMap((r) => (r.doc ? [r.doc as unknown as Raw] : []));
}

function groupBy<T>(items: readonly T[], keyOf: (t: T) => string | undefined): Map<string, T[]> {
	const out = new Map<string, T[]>();
	for (const item of items) {
		const k = keyOf(item);
		if (k === undefined) continue;
		const list = out.get(k) ?? [];
		list.push(item);
		out.set(k, list);
	}
	return out;
}

async function rates(db: Db): Promise<BillingRates> {
	const doc = await getOrNull<Raw>(db, 'config:billing_rates');
	if (!doc) return DEFAULT_BILLING_RATES;
	const parsed = parseAs('config', doc);
	return parsed.ok && parsed.value.kind === 'billing_rates'
		? parsed.value.rates
		: DEFAULT_BILLING_RATES;
}

async function numberOf(db: Db, ticket: TicketDoc): Promise<number | null> {
	if (ticket.number !== undefined) return ticket.number;
	return numberFromEvent(await getOrNull(db, numberEventId(ticket._id)))?.number ?? null;
}

/** Ids of documents by one of their fields (a report's ticket, a movement's client…). */
class IdIndex {
	readonly #field: string;
	readonly #keyOf = new Map<string, string>();
	readonly #ids = new Map<string, Set<string>>();
	constructor(field: string) {
		this.#field = field;
	}
	clear(): void {
		this.#keyOf.clear();
		this.#ids.clear();
	}
	/** Notes the document (or its deletion: null). */
	set(id: string, doc: Raw | null): void {
		const key = doc?.[this.#field];
		const was = this.#keyOf.get(id);
		if (was !== undefined && was !== key) {
			this.#ids.get(was)?.delete(id);
			if (this.#ids.get(was)?.size === 0) this.#ids.delete(was);
			this.#keyOf.delete(id);
		}
		if (typeof key !== 'string') return;
		this.#keyOf.set(id, key);
		const ids = this.#ids.get(key) ?? new Set<string>();
		ids.add(id);
		this.#ids.set(key, ids);
	}
	get(key: string): string[] {
		return [...(this.#ids.get(key) ?? [])];
	}
}

/**
 * Where the billing documents of a ticket are: its reports, its items, its client's hour-bank
 * movements (ids only). Built from a full read, kept current from the feed's changes; not
 * trusted (`ready` false) until built, nor after the feed lost track (its epoch moved).
 */
class BillingIndex {
	ready = false;
	readonly reports = new IdIndex('ticketId');
	readonly billing = new IdIndex('ticketId');
	readonly moves = new IdIndex('clientId');
	note(id: string, doc: Raw | null): void {
		if (id.startsWith('report:')) this.reports.set(id, doc);
		else if (id.startsWith('billing:')) this.billing.set(id, doc);
		else if (id.startsWith('hourbank:')) this.moves.set(id, doc);
	}
	rebuild(docs: readonly Raw[]): void {
		this.reports.clear();
		this.billing.clear();
		this.moves.clear();
		for (const doc of docs) this.note(String(doc._id), doc);
		this.ready = true;
	}
}

/** What billing the closures needs, read from the database. */
interface Inputs {
	reports: Raw[];
	billing: Raw[];
	moves: Raw[];
	clients: Raw[];
	read: number;
}

/** Closures past this many: the ranges are read whole rather than by key. */
const BY_KEY_MAX = 200;

async function readAll(db: Db, index: BillingIndex): Promise<Inputs> {
	const [reports, billing, moves, clients] = await Promise.all([
		range(db, 'report:'),
		range(db, 'billing:'),
		range(db, 'hourbank:'),
		range(db, 'client:')
	]);
	index.rebuild([...reports, ...billing, ...moves]);
	return {
		reports,
		billing,
		moves,
		clients,
		read: reports.length + billing.length + moves.length + clients.length
	};
}

/** The closures' reports, items, clients and their movements, by key from the index. */
async function readFor(db: Db, index: BillingIndex, closed: readonly Closure[]): Promise<Inputs> {
	const clientIds = new Set(closed.flatMap((c) => (c.ticket.clientId ? [c.ticket.clientId] : [])));
	const keys = new Set<string>(clientIds);
	for (const { ticket } of closed) {
		for (const id of index.reports.get(ticket._id)) keys.add(id);
		for (const id of index.billing.get(ticket._id)) keys.add(id);
	}
	for (const id of clientIds) for (const move of index.moves.get(id)) keys.add(move);
	const res = await db.fetch({ keys: [...keys] });
	const docs = res.rows.flatMap((r) => ('doc' in r && r.doc ? [r.doc as unknown as Raw] : []));
	const of = (prefix: string) => docs.filter((d) => String(d._id).startsWith(prefix));
	return {
		reports: of('report:'),
		billing: of('billing:'),
		moves: of('hourbank:'),
		clients: of('client:'),
		read: docs.length
	};
}

export function billingJob(ctx: SlaJobContext): Job {
	// The closures come from the instance's feed: its first run here (and any run after the
	// feed lost track) reads every ticket and settles every closure; later runs only those the
	// feed saw since — a ticket closed, re-closed, or closed by a timeout fact. A report
	// signed after its ticket's closure is billed by the next closure, or the next full read.
	const feed = ctx.feed ?? new TicketFeed(ctx.db);
	const index = new BillingIndex();
	feed.listen((changes) => {
		if (index.ready) for (const c of changes) index.note(c.id, c.doc);
	});
	let epoch: number | null = null;
	return {
		name: 'billing',
		async run(now) {
			const out: JobOutcome = { read: 0, written: 0, actions: [], errors: [] };
			out.read += await feed.refresh();
			let closed: Closure[];
			const full = epoch !== feed.epoch;
			if (full) {
				const seen = feed.epoch;
				feed.takeClosures(); // the full read below has them, and every other
				index.ready = false;
				const [rawTickets, factDocs] = await Promise.all([
					range(ctx.db, 'ticket:'),
					range(ctx.db, SLA_FACT_PREFIX)
				]);
				out.read += rawTickets.length + factDocs.length;
				const facts = groupBy(
					factDocs.filter((d): d is EventDoc => isDocOf('event', d)),
					(e) => e.ticketId
				);
				closed = [];
				for (const doc of rawTickets) {
					if (!isDocOf('ticket', doc)) continue;
					const shown = withSlaFacts(doc, slaFactsOf(facts.get(doc._id) ?? [], doc._id));
					const closedAt = closedAtOf(shown);
					if (closedAt !== null) closed.push({ ticket: shown, closedAt });
				}
				epoch = seen;
			} else closed = feed.takeClosures();
			if (closed.length === 0) return out;
			let inputs: Inputs;
			let billingRates: BillingRates;
			try {
				[inputs, billingRates] = await Promise.all([
					index.ready && closed.length <= BY_KEY_MAX
						? readFor(ctx.db, index, closed)
						: readAll(ctx.db, index),
					rates(ctx.db)
				]);
			} catch (error) {
				// Nothing settled: the next run takes them again (all of them after a full read).
				if (full) epoch = null;
				else for (const c of closed) feed.putBack(c);
				throw error;
			}
			out.read += inputs.read;
			const reports = groupBy(
				inputs.reports.filter((r): r is ReportDoc => isDocOf('report', r)),
				(r) => r.ticketId
			);
			const billed = groupBy(
				inputs.billing.filter((b): b is BillingDoc => isDocOf('billing', b)),
				(b) => b.ticketId
			);
			const moves = groupBy(
				inputs.moves.filter((m): m is HourBankDoc => isDocOf('hourbank', m)),
				(m) => m.clientId
			);
			const have = new Set(inputs.billing.map((b) => String(b._id)));
			const clients = new Map(
				inputs.clients.filter((c): c is ClientDoc => isDocOf('client', c)).map((c) => [c._id, c])
			);
			for (const closure of closed) {
				const { ticket, closedAt } = closure;
				const ticketReports = reports.get(ticket._id) ?? [];
				if (!ticketReports.some((r) => r.signedAt !== undefined)) continue;
				try {
					const client = ticket.clientId ? (clients.get(ticket.clientId) ?? null) : null;
					const clientMoves = client ? (moves.get(client._id) ?? []) : [];
					const done = closureBilling({
						ticket,
						closedAt,
						reports: ticketReports,
						client,
						rates: billingRates,
						billed: billed.get(ticket._id) ?? [],
						movements: clientMoves,
						now
					});
					let wrote = 0;
					let corrected = false;
					// The item first, then its movement: a run stopped between them writes the
					// movement next time (same ids, the item's 409 is "already done").
					for (const item of done.items) {
						if (!have.has(item._id) && (await writeOnce(ctx, item))) {
							wrote++;
							if (item.corrects) corrected = true;
						}
						index.note(item._id, item as unknown as Raw);
						const move = done.moves.find((m) => m.billingId === item._id);
						if (!move) continue;
						const known = clientMoves.some((m) => m._id === move._id);
						if (!known && (await writeOnce(ctx, move))) {
							wrote++;
							clientMoves.push(move);
							if (client) moves.set(client._id, clientMoves);
						}
						index.note(move._id, move as unknown as Raw);
					}
					if (wrote === 0) continue;
					out.written += wrote;
					out.actions.push({
						code: corrected ? 'corrected' : 'billed',
						ticketId: ticket._id,
						number: await numberOf(ctx.db, ticket),
						at: now.toISOString()
					});
				} catch (error) {
					out.errors.push(`${ticket._id}: ${messageOf(error)}`);
					feed.putBack(closure);
				}
			}
			return out;
		}
	};
}

/** Creates the document once. @returns true when this call wrote it. @throws when invalid. */
async function writeOnce(ctx: SlaJobContext, doc: BillingDoc | HourBankDoc): Promise<boolean> {
	const checked = parseAs(doc.type, doc);
	if (!checked.ok) throw new Error(`${doc._id}: ${checked.error.join('; ')}`);
	const rev = await createOnce(ctx.db, checked.value);
	if (rev) ctx.written(doc._id, rev);
	return rev !== null;
}
