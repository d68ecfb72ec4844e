import { ticketNumber } from '../domain/numbering.ts';
import { newId } from '../domain/ids.ts';
import { touch } from '../domain/stamps.ts';
import { actorFromUser, openTicket, transition, type NewTicket, type TicketAction } from '../domain/ticket.ts';
import { parseTicket, type ClientDoc, type EventDoc, type TicketDoc, type UserDoc } from '../domain/schemas.ts';
import { err, ok, type Result } from '../domain/result.ts';
import type { Referentials } from './config.ts';
import { getTyped, typedOfType } from './docs.ts';
import type { LocalDb } from './local-db.ts';

/** Who acts, as the domain sees them. */
export type Me = Pick<UserDoc, '_id' | 'roles' | 'groups' | 'displayName'>;

/** The signed-in user as an actor for the domain rules. */
export function meOf(user: { name: string; roles: readonly string[]; groups: readonly string[]; displayName: string }): Me {
	return { _id: `user:${user.name}`, roles: user.roles as Me['roles'], groups: [...user.groups], displayName: user.displayName };
}

export interface TicketView {
	readonly ticket: TicketDoc;
	readonly client: ClientDoc | null;
	readonly events: EventDoc[];
	/** From the ticket or its timeline (given by the server); null while provisional. */
	readonly number: number | null;
}

/** A ticket with its client and timeline, oldest entry first; null when not on this device. */
export async function ticketView(db: LocalDb, id: string): Promise<TicketView | null> {
	const ticket = await getTyped(db, 'ticket', id);
	if (!ticket) return null;
	const [client, events] = await Promise.all([
		ticket.clientId ? getTyped(db, 'client', ticket.clientId) : Promise.resolve(null),
		typedOfType(db, 'event')
	]);
	const timeline = events.filter((e) => e.ticketId === id || e.subjectId === id).sort((a, b) => a.at.localeCompare(b.at));
	return { ticket, client, events: timeline, number: ticketNumber(ticket, timeline) };
}

function event(ticket: TicketDoc, me: Me, now: Date, fields: Pick<EventDoc, 'kind' | 'visibility' | 'body'> & { data?: Record<string, unknown> }): EventDoc {
	return {
		_id: newId('event', now),
		type: 'event',
		subjectId: ticket._id,
		ticketId: ticket._id,
		author: me._id,
		authorName: me.displayName,
		at: now.toISOString(),
		...fields
	};
}

/**
 * Applies a ticket action through the domain (which decides whether this user may) and
 * records it in the timeline; both documents are written locally and sync later.
 * @returns the refusal's reason in words, or null when done.
 */
export async function applyAction(db: LocalDb, ticket: TicketDoc, action: TicketAction, me: Me, refs: Referentials, now: Date): Promise<string | null> {
	const result = transition(ticket, action, actorFromUser(me), now, { taxonomy: refs.taxonomy, matrix: refs.matrix });
	if (!result.ok) return result.error.message;
	const next = touch(ticket, result.value, now, me._id);
	const note = 'solution' in action && action.solution ? ` — ${action.solution}` : 'reason' in action && typeof action.reason === 'string' ? ` — ${action.reason}` : '';
	await db.bulkDocs([
		next as never,
		event(
			ticket,
			me,
			now,
			action.type === 'link' || action.type === 'unlink'
				? { kind: 'link', visibility: 'internal', body: `${action.type} ${action.link.kind} ${action.link.ticketId}`, data: { action: action.type, ...action.link } }
				: {
						kind: action.type === 'escalate' ? 'escalation' : action.type === 'assign' ? 'assignment' : 'status_change',
						visibility: 'internal',
						body: `${action.type}: ${ticket.status} → ${next.status}${note}`,
						data: { action: action.type, from: ticket.status, to: next.status }
					}
		) as never
	]);
	return null;
}

/**
 * A follow-up is never edited: a correction is a new follow-up. `call` records a call about
 * the ticket (the hotline adding a caller's report to an existing ticket).
 */
export async function addFollowUp(db: LocalDb, ticket: TicketDoc, body: string, visibility: EventDoc['visibility'], me: Me, now: Date, kind: 'follow_up' | 'call' = 'follow_up'): Promise<void> {
	await db.put(event(ticket, me, now, { kind, visibility, body }) as never);
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
 * resolved then closed at once when a solution is given (seed 000 F3).
 * @returns the new ticket's id, or the domain's reason in words.
 */
export async function createTicket(db: LocalDb, input: NewTicketInput): Promise<Result<string, string>> {
	const { me, refs, now } = input;
	if (!input.ticket.title) return err('Le titre est obligatoire.');
	if (!input.ticket.requester.name) return err('Le nom du demandeur est obligatoire.');
	// No number here: the server gives it once the ticket reaches it (sync/numbering.ts).
	let ticket = openTicket({ ...input.ticket, id: newId('ticket', now), matrix: refs.matrix }, me._id, now);
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
	if (input.solution) steps.push({ type: 'resolve', solution: input.solution }, { type: 'close', solution: input.solution });
	const events: EventDoc[] = [event(ticket, me, now, { kind: 'status_change', visibility: 'requester', body: `Ticket ouvert : ${ticket.title}`, data: { to: 'new' } })];
	for (const action of steps) {
		const result = transition(ticket, action, actorFromUser(me), now, { taxonomy: refs.taxonomy, matrix: refs.matrix });
		if (!result.ok) return err(result.error.message);
		events.push(event(ticket, me, now, { kind: 'status_change', visibility: 'internal', body: `${action.type}: ${ticket.status} → ${result.value.status}`, data: { action: action.type, from: ticket.status, to: result.value.status } }));
		ticket = touch(ticket, result.value, now, me._id);
	}
	const parsed = parseTicket(ticket);
	if (!parsed.ok) return err(parsed.error.join('; '));
	await db.bulkDocs([ticket, ...events] as never);
	return ok(ticket._id);
}

