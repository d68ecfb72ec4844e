/**
 * Human ticket numbers ("n° 10421") for tickets opened on a device, online or offline.
 *
 * A device never writes a number (mayWrite refuses it): the server gives one when the changes
 * follower first sees a ticket without one, and writes it to a separate document, the event
 * `event:number:<ticketId>` (kind `ticket_numbered`, in the ticket's timeline), so the server
 * never edits a document a device may be editing. The event's readers are the ticket's, so it
 * reaches every device that holds the ticket at its next sync. Two instances racing for one
 * ticket both allocate a number, one event is stored (the id is fixed), the other number is
 * skipped: numbers are unique, not gap-free. Tickets the server creates itself (the public
 * form) carry their number from the start.
 */
import type { DocumentScope } from 'nano';
import { NUMBER_EVENT_PREFIX as PREFIX, numberEventId } from '#lib/domain/numbering.ts';
import type { EventDoc } from '#lib/domain/schemas.ts';
import { messageOf, statusOf } from '../errors.ts';
import { highestTicketNumber, nextTicketNumber } from '../public/numbering.ts';

type Db = DocumentScope<Record<string, unknown>>;
type Raw = Record<string, unknown>;

export class Numberer {
	readonly #db: Db;
	readonly #privateDb: Db;
	readonly #now: () => Date;
	/** Tickets known to have a number (on the ticket or in their event). */
	readonly #numbered = new Set<string>();
	readonly #pending = new Set<string>();
	#work: Promise<void> = Promise.resolve();
	/** Batches of numbering started so far. */
	started = 0;

	/** Told of each number event written (the service's read-your-writes). */
	readonly #written: (id: string, rev: string) => void;

	constructor(
		db: Db,
		privateDb: Db,
		now: () => Date,
		written: (id: string, rev: string) => void = () => {}
	) {
		this.#written = written;
		this.#db = db;
		this.#privateDb = privateDb;
		this.#now = now;
	}

	/** Notes one stored document (from the start scan or the changes feed). */
	observe(id: string, raw: Raw | null): void {
		if (id.startsWith(PREFIX)) {
			if (raw && raw._deleted !== true) this.#settle(id.slice(PREFIX.length));
			return;
		}
		if (!id.startsWith('ticket:') || !raw || raw._deleted === true) return;
		if (typeof raw.number === 'number') this.#settle(id);
		else if (!this.#numbered.has(id)) this.#pending.add(id);
	}

	/** Numbers the tickets noted so far that have none, in the background, one at a time. */
	flush(): void {
		if (this.#pending.size === 0) return;
		const ids = [...this.#pending];
		this.#pending.clear();
		this.started++;
		this.#work = this.#work.then(async () => {
			for (const id of ids) {
				if (this.#numbered.has(id)) continue;
				try {
					await this.#number(id);
				} catch (error) {
					console.error(`sync: could not number ${id}: ${messageOf(error)}`);
				}
			}
		});
	}

	/** Resolves when the numbering started so far is done (tests, shutdown). */
	idle(): Promise<void> {
		return this.#work;
	}

	#settle(ticketId: string): void {
		this.#numbered.add(ticketId);
		this.#pending.delete(ticketId);
	}

	async #number(ticketId: string): Promise<void> {
		const existing = await this.#get(numberEventId(ticketId));
		if (existing) return this.#settle(ticketId);
		const ticket = await this.#get(ticketId);
		if (!ticket || typeof ticket.number === 'number') return this.#settle(ticketId);
		const number = await nextTicketNumber(this.#privateDb, () => highestTicketNumber(this.#db));
		const event: EventDoc = {
			_id: numberEventId(ticketId),
			type: 'event',
			subjectId: ticketId,
			ticketId,
			kind: 'ticket_numbered',
			visibility: 'requester',
			author: 'system',
			authorName: 'Terrain',
			at: this.#now().toISOString(),
			body: '',
			data: { number }
		};
		try {
			const { rev } = await this.#db.insert(event as unknown as Raw);
			this.#written(event._id, rev);
		} catch (error) {
			// Another instance numbered it first: its number stands.
			if (statusOf(error) !== 409) throw error;
		}
		this.#settle(ticketId);
	}

	async #get(id: string): Promise<Raw | null> {
		try {
			return (await this.#db.get(id)) as Raw;
		} catch (error) {
			if (statusOf(error) === 404) return null;
			throw error;
		}
	}
}
