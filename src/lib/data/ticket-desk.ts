import { hourBankBalance, type HourBankBalance } from '../domain/hour-bank.ts';
import { ticketNumber } from '../domain/numbering.ts';
import { newId } from '../domain/ids.ts';
import { invalid, refusal, type Refusal } from '../domain/refusals.ts';
import { openTicket, transition, type NewTicket, type TicketAction } from '../domain/ticket.ts';
import { timelineOf } from '../domain/timeline.ts';
import { parseTicket, type ClientDoc, type EventDoc, type TicketDoc } from '../domain/schemas.ts';
import { err, ok, type Result } from '../domain/result.ts';
import type { Referentials } from './config.ts';
import { readAll, readDoc, writeAll } from './docs.ts';
import { newEvent } from './events.ts';
import type { LocalDb } from './local-db.ts';
import { actorOf, authorOf, userId, type Me } from './me.ts';
import { actionEvent } from './ticket-actions.ts';

export interface TicketView {
	readonly ticket: TicketDoc;
	readonly client: ClientDoc | null;
	readonly events: EventDoc[];
	/** From the ticket or its timeline (given by the server); null while provisional. */
	readonly number: number | null;
	/** Display names of the people on this device, by user id (assignees, technicians). */
	readonly names: ReadonlyMap<string, string>;
	/** The client's hour bank, from its movements; null without a managed-services contract. */
	readonly hourBank: HourBankBalance | null;
}

/**
 * A ticket with its client and timeline, oldest entry first; null when not on this device.
 * @throws {Error} when the stored ticket is not valid.
 */
export async function ticketView(db: LocalDb, id: string): Promise<TicketView | null> {
	const ticket = await readDoc(db, 'ticket', id);
	if (!ticket) return null;
	const [client, events, users, movements] = await Promise.all([
		ticket.clientId ? readDoc(db, 'client', ticket.clientId).catch(() => null) : Promise.resolve(null),
		readAll(db, 'event'),
		readAll(db, 'user'),
		readAll(db, 'hourbank')
	]);
	const timeline = timelineOf(events, id);
	return {
		ticket,
		client,
		events: timeline,
		number: ticketNumber(ticket, timeline),
		names: new Map(users.map((u) => [u._id, u.displayName])),
		hourBank: client ? hourBankBalance(client, movements) : null
	};
}

/**
 * A follow-up is never edited: a correction is a new follow-up. `call` records a call about
 * the ticket (the hotline adding a caller's report to an existing ticket).
 * @throws {WriteError} when the database refuses it.
 */
export async function addFollowUp(db: LocalDb, ticket: TicketDoc, body: string, visibility: EventDoc['visibility'], me: Me, now: Date, kind: 'follow_up' | 'call' = 'follow_up'): Promise<void> {
	await writeAll(db, [newEvent({ subjectId: ticket._id, ticketId: ticket._id, kind, visibility, body, author: authorOf(me), at: now })]);
}

export interface NewTicketInput {
	readonly me: Me;
	readonly refs: Referentials;
	readonly now: Date;
	readonly ticket: Omit<NewTicket, 'id' | 'matrix'>;
	readonly category?: string | undefined;
	readonly subcategory?: string | undefined;
	/** Level-1 immediate resolution: solved on the phone, closed in the same screen. */
	readonly solution?: string | undefined;
}

/**
 * Opens a ticket as the hotline does: created, qualified when a category is given, and
 * resolved then closed at once when a solution is given (seed 000 F3). Each step writes its
 * one event, in order.
 * @returns the new ticket's id, or the domain's refusal.
 * @throws {WriteError} when the database refuses a document.
 */
export async function createTicket(db: LocalDb, input: NewTicketInput): Promise<Result<string, Refusal>> {
	const { me, refs, now } = input;
	if (!input.ticket.title.trim()) return err(refusal('params', 'need_title', 'the title is required'));
	if (!input.ticket.requester.name.trim()) return err(refusal('params', 'need_requester', "the requester's name is required"));
	// No number here: the server gives it once the ticket reaches it (sync/numbering.ts).
	let ticket = openTicket({ ...input.ticket, id: newId('ticket', now), matrix: refs.matrix }, userId(me), now);
	const steps: TicketAction[] = [];
	if (input.category) {
		steps.push({
			type: 'qualify',
			category: input.category,
			subcategory: input.subcategory,
			impact: input.ticket.impact ?? 2,
			urgency: input.ticket.urgency ?? 2,
			clientId: input.ticket.clientId
		});
	}
	if (input.solution) steps.push({ type: 'resolve', solution: input.solution }, { type: 'close' });
	const events: EventDoc[] = [
		newEvent({
			subjectId: ticket._id,
			ticketId: ticket._id,
			kind: 'status_change',
			visibility: 'requester',
			author: authorOf(me),
			at: now,
			data: { action: 'open', to: 'new', source: ticket.source }
		})
	];
	for (const action of steps) {
		const result = transition(ticket, action, actorOf(me), now, { taxonomy: refs.taxonomy, matrix: refs.matrix });
		if (!result.ok) return err(result.error);
		events.push(actionEvent(ticket, result.value, action, me, now));
		ticket = result.value;
	}
	const parsed = parseTicket(ticket);
	if (!parsed.ok) return err(invalid(parsed.error));
	await writeAll(db, [ticket, ...events]);
	return ok(ticket._id);
}
