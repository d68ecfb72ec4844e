/**
 * Ticket actions on the device, for the desk and the field alike: the domain decides whether
 * this user may (`transition`), and every change is written with exactly one timeline event
 * in one checked batch. Events carry codes and parameters; the body only what a person wrote.
 */
import type { EventDoc, EventKind, TicketDoc } from '../domain/schemas.ts';
import { err, ok, type Result } from '../domain/result.ts';
import { transition, type Refusal, type TicketAction, type TicketRules } from '../domain/ticket.ts';
import { readDoc, writeAll } from './docs.ts';
import { newEvent } from './events.ts';
import type { LocalDb } from './local-db.ts';
import { actorOf, authorOf, type Me } from './me.ts';
import { isAssignable } from './people.ts';

/** Status changes the requester sees on their page; the rest is the support's business. */
const PUBLIC_ACTIONS = new Set<TicketAction['type']>(['resolve', 'close', 'reopen', 'cancel']);

/** What a person wrote with the action, kept as the event's body. */
function writtenWith(action: TicketAction): string {
	if (action.type === 'resolve') return action.solution.trim();
	if (action.type === 'close') return action.solution?.trim() ?? '';
	if (action.type === 'cancel') return action.reason.trim();
	return '';
}

/**
 * The one event recording `action`, which took the ticket from `before` to `after`.
 * `names` gives people's display names when the device knows them (assignments).
 */
export function actionEvent(
	before: TicketDoc,
	after: TicketDoc,
	action: TicketAction,
	me: Me,
	now: Date,
	names: ReadonlyMap<string, string> = new Map()
): EventDoc {
	const base = { action: action.type, from: before.status, to: after.status };
	let kind: EventKind = 'status_change';
	let data: Record<string, unknown> = base;
	const body = writtenWith(action);
	switch (action.type) {
		case 'assign':
			kind = 'assignment';
			data = {
				...base,
				assignees: after.assignees,
				assigneeNames: after.assignees.map((id) => names.get(id) ?? id.replace(/^user:/, ''))
			};
			break;
		case 'route':
			kind = 'assignment';
			data = { ...base, group: after.group ?? '', level: after.level };
			break;
		case 'escalate':
			kind = 'escalation';
			data = { ...base, level: after.level, ...(after.group ? { group: after.group } : {}) };
			break;
		case 'link':
		case 'unlink':
			kind = 'link';
			data = { action: action.type, kind: action.link.kind, ticketId: action.link.ticketId };
			break;
		case 'wait':
			data = { ...base, reason: action.reason };
			break;
		case 'close':
			if (after.closure) {
				data = {
					...base,
					how: after.closure.how,
					...(after.closure.reportId ? { reportId: after.closure.reportId } : {})
				};
			}
			break;
		case 'cancel':
			if (action.duplicateOf) data = { ...base, duplicateOf: action.duplicateOf };
			break;
		default:
			break;
	}
	return newEvent({
		subjectId: before._id,
		ticketId: before._id,
		kind,
		author: authorOf(me),
		at: now,
		body,
		visibility: PUBLIC_ACTIONS.has(action.type) ? 'requester' : 'internal',
		data
	});
}

/**
 * The users an assignment names, from the user documents on this device: their display
 * names, and which of them may be given a ticket (the domain refuses anyone else).
 */
async function peopleFor(
	db: LocalDb,
	action: TicketAction
): Promise<{ names: Map<string, string>; assignable?: Set<string> }> {
	const names = new Map<string, string>();
	if (action.type !== 'assign') return { names };
	const assignable = new Set<string>();
	for (const id of action.assignees) {
		const user = id.startsWith('user:') ? await readDoc(db, 'user', id).catch(() => null) : null;
		if (user) names.set(id, user.displayName);
		if (user && isAssignable(user)) assignable.add(id);
	}
	return { names, assignable };
}

/**
 * Applies a ticket action for `me` and writes the ticket with its one timeline event.
 * @returns the saved ticket, or the domain's refusal (nothing is written then).
 * @throws {WriteError} when the database refuses a document (a conflict: the caller re-reads).
 */
export async function applyAction(
	db: LocalDb,
	ticket: TicketDoc,
	action: TicketAction,
	me: Me,
	now: Date,
	rules: TicketRules = {}
): Promise<Result<TicketDoc, Refusal>> {
	const { names, assignable } = await peopleFor(db, action);
	const next = transition(ticket, action, actorOf(me), now, { ...rules, assignable });
	if (!next.ok) return err(next.error);
	const event = actionEvent(ticket, next.value, action, me, now, names);
	const revs = await writeAll(db, [next.value, event]);
	return ok({ ...next.value, _rev: revs.get(ticket._id) });
}
