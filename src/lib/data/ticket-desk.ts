import { newId } from '../domain/ids.ts';
import { touch } from '../domain/stamps.ts';
import { actorFromUser, transition, type TicketAction } from '../domain/ticket.ts';
import type { ClientDoc, EventDoc, TicketDoc, UserDoc } from '../domain/schemas.ts';
import type { Referentials } from './config.ts';
import { getTyped, typedOfType } from './docs.ts';
import type { LocalDb } from './local-db.ts';

/** Who acts, as the domain sees them. */
export type Me = Pick<UserDoc, '_id' | 'roles' | 'groups' | 'displayName'>;

export interface TicketView {
	readonly ticket: TicketDoc;
	readonly client: ClientDoc | null;
	readonly events: EventDoc[];
}

/** A ticket with its client and timeline, oldest entry first; null when not on this device. */
export async function ticketView(db: LocalDb, id: string): Promise<TicketView | null> {
	const ticket = await getTyped(db, 'ticket', id);
	if (!ticket) return null;
	const [client, events] = await Promise.all([
		ticket.clientId ? getTyped(db, 'client', ticket.clientId) : Promise.resolve(null),
		typedOfType(db, 'event')
	]);
	return {
		ticket,
		client,
		events: events.filter((e) => e.ticketId === id || e.subjectId === id).sort((a, b) => a.at.localeCompare(b.at))
	};
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
		event(ticket, me, now, {
			kind: action.type === 'escalate' ? 'escalation' : action.type === 'assign' ? 'assignment' : 'status_change',
			visibility: 'internal',
			body: `${action.type}: ${ticket.status} → ${next.status}${note}`,
			data: { action: action.type, from: ticket.status, to: next.status }
		}) as never
	]);
	return null;
}

/** A follow-up is never edited: a correction is a new follow-up. */
export async function addFollowUp(db: LocalDb, ticket: TicketDoc, body: string, visibility: EventDoc['visibility'], me: Me, now: Date): Promise<void> {
	await db.put(event(ticket, me, now, { kind: 'follow_up', visibility, body }) as never);
}
