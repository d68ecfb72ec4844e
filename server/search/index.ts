/**
 * The server's search over every ticket and client (issue #15): a derived index in SQLite FTS5
 * (Node's built-in `node:sqlite`, in memory), that each server instance builds from the
 * database at start and keeps current from its changes feed (the sync follower's batches). A
 * query is answered from the index — never a scan of the database — and every hit is checked
 * against the access model before it is returned (the caller's `readable`).
 *
 * French-aware enough for a desk: case and accents ignored (`remove_diacritics 2`), prefixes
 * as you type. The knowledge-base issue (#17) brings stemming and typo tolerance.
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { numberFromEvent } from '#lib/domain/numbering.ts';

type Raw = Record<string, unknown>;

export const TICKET_STATES = ['open', 'resolved', 'closed', 'cancelled'] as const;

export interface TicketQuery {
	/** Words (each a prefix), or a ticket number. */
	readonly q?: string | undefined;
	/** `open` (not resolved, closed or cancelled), or one status. */
	readonly status?: string | undefined;
	readonly priority?: string | undefined;
	readonly group?: string | undefined;
	readonly clientId?: string | undefined;
	readonly category?: string | undefined;
	/** Created on or after / before (ISO dates). */
	readonly from?: string | undefined;
	readonly to?: string | undefined;
	readonly limit?: number | undefined;
}

export interface TicketHit {
	readonly id: string;
	readonly number: number | null;
	readonly title: string;
	readonly status: string;
	readonly priority: string;
	readonly clientId: string | null;
	readonly clientName: string;
	readonly requester: string;
	readonly group: string | null;
	readonly category: string | null;
	readonly createdAt: string;
	readonly updatedAt: string;
	readonly endedAt: string | null;
	/** Where the words matched, with `[` `]` around them (plain text: the page escapes it). */
	readonly excerpt: string | null;
}

export interface ClientHit {
	readonly id: string;
	readonly name: string;
	readonly contract: string;
	readonly status: string;
}

/** How many candidates a query looks at, at most, to find `limit` readable ones. */
const SCAN_MAX = 5_000;
const LIMIT_MAX = 100;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const opt = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const gen = (rev: unknown): number => Number.parseInt(str(rev), 10) || 0;

/** The words of a query as an FTS5 expression: each a quoted prefix, all required. */
export function ftsQuery(q: string): string | null {
	const words = q
		.normalize('NFKC')
		.split(/[^\p{L}\p{N}]+/u)
		.filter((w) => w.length > 0)
		.slice(0, 12);
	if (words.length === 0) return null;
	return words.map((w) => `"${w.replaceAll('"', '')}"*`).join(' AND ');
}

export class SearchIndex {
	readonly #db = new DatabaseSync(':memory:');
	readonly #put: StatementSync;
	readonly #ftsDelete: StatementSync;
	readonly #ftsInsert: StatementSync;
	readonly #rowOf: StatementSync;
	readonly #numbers = new Map<string, number>();
	readonly #clientNames = new Map<string, string>();

	constructor() {
		this.#db.exec(`
			CREATE TABLE tickets (
				rowid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, gen INTEGER NOT NULL,
				number INTEGER, title TEXT NOT NULL, body TEXT NOT NULL, status TEXT NOT NULL,
				state TEXT NOT NULL, priority TEXT NOT NULL, grp TEXT, clientId TEXT,
				requester TEXT NOT NULL, category TEXT, createdAt TEXT NOT NULL,
				updatedAt TEXT NOT NULL, endedAt TEXT);
			CREATE INDEX tickets_client ON tickets (clientId, updatedAt);
			CREATE INDEX tickets_updated ON tickets (updatedAt);
			CREATE INDEX tickets_number ON tickets (number);
			CREATE VIRTUAL TABLE tickets_fts USING fts5 (
				number, title, body, client, requester, category,
				tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
			CREATE TABLE clients (
				rowid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, gen INTEGER NOT NULL,
				name TEXT NOT NULL, contract TEXT NOT NULL, status TEXT NOT NULL, words TEXT NOT NULL);
			CREATE VIRTUAL TABLE clients_fts USING fts5 (
				name, words, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
		`);
		this.#put = this.#db.prepare(`
			INSERT INTO tickets (id, gen, number, title, body, status, state, priority, grp, clientId,
				requester, category, createdAt, updatedAt, endedAt)
			VALUES (:id, :gen, :number, :title, :body, :status, :state, :priority, :grp, :clientId,
				:requester, :category, :createdAt, :updatedAt, :endedAt)
			ON CONFLICT (id) DO UPDATE SET gen = excluded.gen, number = excluded.number,
				title = excluded.title, body = excluded.body, status = excluded.status,
				state = excluded.state, priority = excluded.priority, grp = excluded.grp,
				clientId = excluded.clientId, requester = excluded.requester,
				category = excluded.category, createdAt = excluded.createdAt,
				updatedAt = excluded.updatedAt, endedAt = excluded.endedAt
			RETURNING rowid`);
		this.#ftsDelete = this.#db.prepare('DELETE FROM tickets_fts WHERE rowid = ?');
		this.#ftsInsert = this.#db.prepare(
			'INSERT INTO tickets_fts (rowid, number, title, body, client, requester, category) VALUES (?, ?, ?, ?, ?, ?, ?)'
		);
		this.#rowOf = this.#db.prepare('SELECT rowid, gen FROM tickets WHERE id = ?');
	}

	get ticketCount(): number {
		return Number((this.#db.prepare('SELECT count(*) AS n FROM tickets').get() as { n: number }).n);
	}

	/** Takes in documents as stored (a deletion: `{_id, _deleted: true}`), in any order. */
	apply(docs: Iterable<Raw>): void {
		const renamed = new Set<string>();
		const tickets: Raw[] = [];
		this.#db.exec('BEGIN');
		try {
			for (const raw of docs) {
				const id = str(raw._id);
				const number = numberFromEvent(raw);
				if (number) {
					this.#numbers.set(number.ticketId, number.number);
					tickets.push({ _id: number.ticketId, _renumber: true });
				} else if (id.startsWith('client:')) {
					if (this.#client(raw)) renamed.add(id);
				} else if (id.startsWith('ticket:')) tickets.push(raw);
			}
			for (const raw of tickets) {
				if (raw._renumber === true) this.#renumber(str(raw._id));
				else this.#ticket(raw);
			}
			// A renamed client: its tickets are found by its new name.
			for (const clientId of renamed) {
				const rows = this.#db
					.prepare('SELECT id FROM tickets WHERE clientId = ?')
					.all(clientId) as Array<{ id: string }>;
				for (const { id } of rows) this.#reindex(id);
			}
			this.#db.exec('COMMIT');
		} catch (error) {
			this.#db.exec('ROLLBACK');
			throw error;
		}
	}

	/** Forgets everything (before a full load again). */
	clear(): void {
		this.#db.exec(
			'DELETE FROM tickets; DELETE FROM tickets_fts; DELETE FROM clients; DELETE FROM clients_fts;'
		);
		this.#numbers.clear();
		this.#clientNames.clear();
	}

	/** True when the client's name changed (its tickets are indexed again). */
	#client(raw: Raw): boolean {
		const id = str(raw._id);
		const known = this.#db.prepare('SELECT rowid, gen, name FROM clients WHERE id = ?').get(id) as
			{ rowid: number; gen: number; name: string } | undefined;
		if (known && gen(raw._rev) < known.gen) return false;
		if (known) {
			this.#db.prepare('DELETE FROM clients_fts WHERE rowid = ?').run(known.rowid);
			this.#db.prepare('DELETE FROM clients WHERE rowid = ?').run(known.rowid);
		}
		if (raw._deleted === true || raw.type !== 'client') {
			this.#clientNames.delete(id);
			return known !== undefined;
		}
		const name = str(raw.name);
		const contract = str((raw.contract as Raw | undefined)?.kind);
		const objects = (list: unknown): Raw[] =>
			Array.isArray(list) ? list.filter((x): x is Raw => typeof x === 'object' && x !== null) : [];
		const sites = objects(raw.sites);
		const contacts = objects(raw.contacts);
		const words = [
			...sites.flatMap((s) => [str(s.name), str(s.address), str(s.city)]),
			...contacts.flatMap((c) => [str(c.name), str(c.email)])
		].join(' ');
		const { rowid } = this.#db
			.prepare(
				'INSERT INTO clients (id, gen, name, contract, status, words) VALUES (?, ?, ?, ?, ?, ?) RETURNING rowid'
			)
			.get(id, gen(raw._rev), name, contract, str(raw.commercialStatus), words) as {
			rowid: number;
		};
		this.#db
			.prepare('INSERT INTO clients_fts (rowid, name, words) VALUES (?, ?, ?)')
			.run(rowid, name, words);
		this.#clientNames.set(id, name);
		return known?.name !== name;
	}

	#ticket(raw: Raw): void {
		const id = str(raw._id);
		const known = this.#rowOf.get(id) as { rowid: number; gen: number } | undefined;
		if (known && gen(raw._rev) < known.gen) return;
		if (raw._deleted === true || raw.type !== 'ticket') {
			if (known) {
				this.#ftsDelete.run(known.rowid);
				this.#db.prepare('DELETE FROM tickets WHERE rowid = ?').run(known.rowid);
			}
			return;
		}
		const status = str(raw.status);
		const closure = raw.closure as Raw | undefined;
		const cancellation = raw.cancellation as Raw | undefined;
		const resolution = raw.resolution as Raw | undefined;
		const number = typeof raw.number === 'number' ? raw.number : (this.#numbers.get(id) ?? null);
		const row = {
			id,
			gen: gen(raw._rev),
			number,
			title: str(raw.title),
			body: [
				str(raw.description),
				str(resolution?.solution),
				str(closure?.solution),
				str(cancellation?.reason)
			]
				.filter((s) => s !== '')
				.join('\n'),
			status,
			state: ['resolved', 'closed', 'cancelled'].includes(status) ? status : 'open',
			priority: str(raw.priority),
			grp: opt(raw.group),
			clientId: opt(raw.clientId),
			requester: str((raw.requester as Raw | undefined)?.name),
			category: opt(raw.category),
			createdAt: str(raw.createdAt),
			updatedAt: str(raw.updatedAt),
			endedAt: opt(closure?.at) ?? opt(cancellation?.at)
		};
		const { rowid } = this.#put.get(row) as { rowid: number };
		this.#ftsDelete.run(rowid);
		this.#ftsInsert.run(
			rowid,
			number === null ? '' : String(number),
			row.title,
			row.body,
			row.clientId ? (this.#clientNames.get(row.clientId) ?? '') : '',
			row.requester,
			row.category ?? ''
		);
	}

	#renumber(id: string): void {
		const number = this.#numbers.get(id);
		const known = this.#rowOf.get(id) as { rowid: number } | undefined;
		if (!known || number === undefined) return;
		this.#db.prepare('UPDATE tickets SET number = ? WHERE rowid = ?').run(number, known.rowid);
		this.#reindex(id);
	}

	#reindex(id: string): void {
		const t = this.#db.prepare('SELECT * FROM tickets WHERE id = ?').get(id) as
			(Record<string, string | number | null> & { rowid: number }) | undefined;
		if (!t) return;
		this.#ftsDelete.run(t.rowid);
		this.#ftsInsert.run(
			t.rowid,
			t.number === null || t.number === undefined ? '' : String(t.number),
			str(t.title),
			str(t.body),
			typeof t.clientId === 'string' ? (this.#clientNames.get(t.clientId) ?? '') : '',
			str(t.requester),
			str(t.category)
		);
	}

	/**
	 * Tickets matching `query`, best first (by relevance with words, else the latest changed),
	 * only those `readable` says the caller may read. `total` is how many readable ones were
	 * found among the candidates looked at (`complete` false when the look stopped short).
	 */
	searchTickets(
		query: TicketQuery,
		readable: (id: string) => boolean
	): { hits: TicketHit[]; total: number; complete: boolean } {
		const where: string[] = [];
		const params: Record<string, string | number> = {};
		const q = query.q?.trim() ?? '';
		const asNumber = /^\d{1,9}$/.test(q) ? Number(q) : null;
		const match = asNumber === null ? ftsQuery(q) : null;
		if (asNumber !== null) {
			where.push('t.number = :number');
			params.number = asNumber;
		}
		if (query.status) {
			where.push(query.status === 'open' ? "t.state = 'open'" : 't.status = :status');
			if (query.status !== 'open') params.status = query.status;
		}
		for (const [key, column] of [
			['priority', 't.priority'],
			['group', 't.grp'],
			['clientId', 't.clientId'],
			['category', 't.category']
		] as const) {
			const value = query[key];
			if (value) {
				where.push(`${column} = :${key}`);
				params[key] = value;
			}
		}
		if (query.from) {
			where.push('t.createdAt >= :from');
			params.from = query.from;
		}
		if (query.to) {
			where.push('t.createdAt < :to');
			params.to = query.to;
		}
		// First the ids in order (cheap: no columns, no excerpt), checked for access; then the
		// rows and excerpts of the page only.
		let sql: string;
		if (match !== null) {
			params.match = match;
			sql = `SELECT t.rowid AS rowid, t.id AS id
				FROM tickets_fts JOIN tickets t ON t.rowid = tickets_fts.rowid
				WHERE tickets_fts MATCH :match ${where.map((w) => `AND ${w}`).join(' ')}
				ORDER BY bm25(tickets_fts, 4.0, 3.0, 1.0, 2.0, 2.0, 1.0), t.updatedAt DESC LIMIT ${SCAN_MAX}`;
		} else {
			sql = `SELECT t.rowid AS rowid, t.id AS id FROM tickets t
				${where.length ? `WHERE ${where.join(' AND ')}` : ''}
				ORDER BY t.updatedAt DESC LIMIT ${SCAN_MAX}`;
		}
		const limit = Math.max(1, Math.min(query.limit ?? 50, LIMIT_MAX));
		const page: number[] = [];
		let total = 0;
		let seen = 0;
		for (const row of this.#db.prepare(sql).iterate(params) as Iterable<Raw>) {
			seen++;
			if (!readable(str(row.id))) continue;
			total++;
			if (page.length < limit) page.push(Number(row.rowid));
		}
		const hits = this.#page(page, match);
		return { hits, total, complete: seen < SCAN_MAX };
	}

	/** The rows of these tickets, in this order, with where `match` matched. */
	#page(rowids: readonly number[], match: string | null): TicketHit[] {
		if (rowids.length === 0) return [];
		const marks = rowids.map(() => '?').join(',');
		const rows = (
			match === null
				? this.#db
						.prepare(`SELECT t.*, NULL AS excerpt FROM tickets t WHERE t.rowid IN (${marks})`)
						.all(...rowids)
				: this.#db
						.prepare(
							`SELECT t.*, snippet(tickets_fts, 2, '[', ']', '…', 12) AS excerpt
							FROM tickets_fts JOIN tickets t ON t.rowid = tickets_fts.rowid
							WHERE tickets_fts MATCH ? AND tickets_fts.rowid IN (${marks})`
						)
						.all(match, ...rowids)
		) as Raw[];
		const byRow = new Map(rows.map((r) => [Number(r.rowid ?? NaN), r]));
		return rowids.flatMap((id) => {
			const row = byRow.get(id);
			return row ? [this.#hit(row)] : [];
		});
	}

	#hit(row: Raw): TicketHit {
		const clientId = opt(row.clientId);
		const excerpt = opt(row.excerpt);
		return {
			id: str(row.id),
			number: typeof row.number === 'number' ? row.number : null,
			title: str(row.title),
			status: str(row.status),
			priority: str(row.priority),
			clientId,
			clientName: clientId ? (this.#clientNames.get(clientId) ?? '') : '',
			requester: str(row.requester),
			group: opt(row.grp),
			category: opt(row.category),
			createdAt: str(row.createdAt),
			updatedAt: str(row.updatedAt),
			endedAt: opt(row.endedAt),
			excerpt: excerpt && excerpt.includes('[') ? excerpt : null
		};
	}

	/** Clients by name, site, contact (all when `q` is empty), readable ones only. */
	clients(q: string, readable: (id: string) => boolean, limit = 50): ClientHit[] {
		const match = ftsQuery(q);
		const rows = (
			match === null
				? this.#db.prepare('SELECT * FROM clients ORDER BY name LIMIT 5000').all()
				: this.#db
						.prepare(
							'SELECT c.* FROM clients_fts JOIN clients c ON c.rowid = clients_fts.rowid WHERE clients_fts MATCH ? ORDER BY bm25(clients_fts, 4.0, 1.0) LIMIT 5000'
						)
						.all(match)
		) as Raw[];
		const out: ClientHit[] = [];
		for (const row of rows) {
			if (out.length >= Math.min(limit, LIMIT_MAX)) break;
			const id = str(row.id);
			if (!readable(id)) continue;
			out.push({ id, name: str(row.name), contract: str(row.contract), status: str(row.status) });
		}
		return out;
	}
}
