/**
 * Whether a user may save a document (create, change or delete it). The server runs this on
 * every document pushed through sync, after the schema check and after checking that the
 * user may read the document before and after; the device runs it to disable what would be
 * refused. The server itself is trusted and does not go through here (numbering, billing,
 * `access`).
 */
import { reportChangeAllowed } from './report-hash.ts';
import { err, ok, type Result } from './result.ts';
import type { Doc, DocOf } from './schemas.ts';
import type { Role, UserDoc } from './schemas/people.ts';
import { canonical, checkStamps, type MergeableDoc } from './stamps.ts';
import {
	actorFromUser,
	isAssignee,
	isGroupExpert,
	mayPerform,
	statusChangeAllowed
} from './ticket-rules.ts';

/** A CouchDB deletion: what PouchDB pushes when a document is removed. */
export interface Deletion {
	_id: string;
	_rev?: string | undefined;
	_deleted: true;
}

export type WriteSubject = Pick<UserDoc, '_id' | 'roles' | 'groups' | 'disabled'>;

type Verdict = Result<true>;
const allow: Verdict = ok(true);

function has(user: WriteSubject, ...roles: Role[]): boolean {
	return roles.some((r) => user.roles.includes(r));
}

/** Top-level fields whose value differs; CouchDB's and the server's own fields are ignored. */
function changedFields(before: Doc, after: Doc): string[] {
	const ignored = new Set([
		'_rev',
		'_conflicts',
		'_revisions',
		'access',
		'stamps',
		'updatedAt',
		'updatedBy'
	]);
	const a = before as unknown as Record<string, unknown>;
	const b = after as unknown as Record<string, unknown>;
	const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
	return [...keys].filter((k) => !ignored.has(k) && canonical(a[k]) !== canonical(b[k])).sort();
}

function onlyFields(before: Doc, after: Doc, allowed: readonly string[], who: string): Verdict {
	const forbidden = changedFields(before, after).filter((f) => !allowed.includes(f));
	return forbidden.length === 0 ? allow : err(`${who} may not change ${forbidden.join(', ')}`);
}

function noneOf(before: Doc, after: Doc, forbidden: readonly string[], who: string): Verdict {
	const touched = changedFields(before, after).filter((f) => forbidden.includes(f));
	return touched.length === 0 ? allow : err(`${who} may not change ${touched.join(', ')}`);
}

function stamped(before: MergeableDoc | null, after: MergeableDoc): Verdict {
	return before === null ? allow : checkStamps(before, after);
}

function deletion(user: WriteSubject, before: Doc | null): Verdict {
	if (before === null) return err('there is nothing to delete');
	switch (before.type) {
		case 'event':
			return err('events are never deleted: add a follow-up instead');
		case 'billing':
			return err('billing items are written by the server only');
		case 'ticket':
			return err('tickets are never deleted: cancel the ticket instead');
		case 'report':
			if (before.signedAt !== undefined)
				return err('a signed report can no longer be changed or deleted');
			return before.technicianId === user._id || has(user, 'dispatcher', 'admin')
				? allow
				: err('only its technician or a dispatcher may delete this report');
		case 'calendar':
			return before.technicianId === user._id || has(user, 'dispatcher', 'admin')
				? allow
				: err('only its technician or a dispatcher may delete this calendar entry');
		case 'mission':
			return has(user, 'dispatcher', 'admin')
				? allow
				: err('only a dispatcher may delete a mission (or cancel it)');
		default:
			return has(user, 'admin') ? allow : err(`only an admin may delete a ${before.type}`);
	}
}

const TICKET_TECH_FIELDS = [
	'status',
	'pending',
	'resolution',
	'closure',
	'cancellation',
	'links',
	'description'
];

function ticketWrite(
	user: WriteSubject,
	before: DocOf<'ticket'> | null,
	after: DocOf<'ticket'>
): Verdict {
	const actor = actorFromUser(user);
	if (before === null) {
		if (!has(user, 'dispatcher', 'expert', 'technician', 'admin'))
			return err('only staff may open a ticket this way (requesters use the form)');
		if (after.createdBy !== user._id) return err('ticket.createdBy: must be you');
		if (after.number !== undefined) return err('ticket.number: is given by the server');
		if (after.status !== 'new' && !has(user, 'dispatcher', 'expert', 'admin'))
			return err('a technician opens a ticket as new');
		return allow;
	}
	if (after.number !== before.number) return err('ticket.number: is given by the server');
	if (after.createdAt !== before.createdAt || after.createdBy !== before.createdBy)
		return err('ticket.createdAt and createdBy never change');
	// Any expert may qualify a new ticket (it has no group yet); after that, their group's.
	const desk =
		has(user, 'dispatcher', 'admin') ||
		isGroupExpert(before, actor) ||
		(before.status === 'new' && has(user, 'expert'));
	if (!desk && !isAssignee(before, actor)) return err('you are not working on this ticket');
	if (!desk) {
		const allowed = [...TICKET_TECH_FIELDS];
		if (after.level === before.level + 1) {
			// An escalation: one level up, and to another group only through its queue.
			const escalate = mayPerform(before, 'escalate', actor);
			if (!escalate.ok) return err(escalate.error.message);
			allowed.push('level');
			if (after.group !== before.group) {
				if (after.assignees.length > 0)
					return err('a ticket escalated to another group waits in its queue, unassigned');
				allowed.push('group', 'assignees');
			}
		}
		const fields = onlyFields(before, after, allowed, 'a person assigned to the ticket');
		if (!fields.ok) return fields;
	}
	const status = statusChangeAllowed(before, after, actor);
	if (!status.ok) return err(status.error.message);
	for (const outcome of ['resolution', 'closure', 'cancellation'] as const) {
		const now = after[outcome];
		if (now !== undefined && canonical(now) !== canonical(before[outcome]) && now.by !== user._id) {
			return err(`ticket.${outcome}.by: must be you`);
		}
	}
	return stamped(before, after);
}

function missionWrite(
	user: WriteSubject,
	before: DocOf<'mission'> | null,
	after: DocOf<'mission'>
): Verdict {
	if (has(user, 'dispatcher', 'expert', 'admin')) return stamped(before, after);
	if (before === null) return err('only a dispatcher or an expert may plan a mission');
	if (!has(user, 'technician') || before.technicianId !== user._id)
		return err('this mission is not yours');
	const fields = onlyFields(before, after, ['status'], 'the technician');
	if (!fields.ok) return fields;
	if (after.status === 'cancelled' && before.status !== 'cancelled')
		return err('only a dispatcher may cancel a mission');
	return stamped(before, after);
}

function reportWrite(
	user: WriteSubject,
	before: DocOf<'report'> | null,
	after: DocOf<'report'>
): Verdict {
	const sealed = reportChangeAllowed(before, after);
	if (!sealed.ok) return err(sealed.message);
	const own =
		after.technicianId === user._id && (before === null || before.technicianId === user._id);
	if (has(user, 'dispatcher', 'admin') || (has(user, 'technician') && own)) return allow;
	return err('only the technician of the mission or a dispatcher may write this report');
}

function clientWrite(
	user: WriteSubject,
	before: DocOf<'client'> | null,
	after: DocOf<'client'>
): Verdict {
	if (has(user, 'dispatcher', 'admin')) return stamped(before, after);
	if (before === null)
		return has(user, 'billing')
			? allow
			: err('only a dispatcher, billing or an admin may add a client');
	if (has(user, 'billing')) {
		const fields = onlyFields(before, after, ['contract', 'commercialStatus'], 'billing');
		return fields.ok ? stamped(before, after) : fields;
	}
	if (!has(user, 'expert', 'technician')) return err('you may not change clients');
	const fields = noneOf(
		before,
		after,
		['contract', 'commercialStatus'],
		'a technician or an expert'
	);
	return fields.ok ? stamped(before, after) : fields;
}

function techfileWrite(
	user: WriteSubject,
	before: DocOf<'techfile'> | null,
	after: DocOf<'techfile'>
): Verdict {
	if (!has(user, 'dispatcher', 'expert', 'technician', 'admin'))
		return err('only support staff may change a technical file');
	return stamped(before, after);
}

function eventWrite(
	user: WriteSubject,
	before: DocOf<'event'> | null,
	after: DocOf<'event'>
): Verdict {
	if (before !== null) return err('events are never edited: add a follow-up instead');
	if (
		after.kind === 'notice_sent' ||
		after.kind === 'sla_warning' ||
		after.kind === 'ticket_numbered'
	)
		return err(`${after.kind} events are written by the server only`);
	if (after.kind === 'merge_set_aside')
		return after.author === 'system' ? allow : err('event.author: must be "system" for a merge');
	return after.author === user._id ? allow : err('event.author: must be you');
}

function userWrite(
	user: WriteSubject,
	before: DocOf<'user'> | null,
	after: DocOf<'user'>
): Verdict {
	if (has(user, 'admin')) return allow;
	if (before === null || before._id !== user._id)
		return err('only an admin may manage other accounts');
	return onlyFields(before, after, ['displayName', 'phone', 'base', 'skills'], 'you');
}

function grantWrite(
	user: WriteSubject,
	before: DocOf<'grant'> | null,
	after: DocOf<'grant'>
): Verdict {
	if (has(user, 'admin')) {
		const decided = after.status !== 'requested' && before?.status !== after.status;
		return decided && after.decidedBy !== user._id ? err('grant.decidedBy: must be you') : allow;
	}
	if (before !== null) return err('only an admin decides on an access request');
	if (after.technicianId !== user._id || after.status !== 'requested')
		return err('you may only request access for yourself');
	return allow;
}

function calendarWrite(
	user: WriteSubject,
	before: DocOf<'calendar'> | null,
	after: DocOf<'calendar'>
): Verdict {
	if (has(user, 'dispatcher', 'admin')) return allow;
	const own =
		after.technicianId === user._id && (before === null || before.technicianId === user._id);
	return own ? allow : err('you may only change your own calendar');
}

/**
 * `before` is the stored document (null when creating); `after` the new body or a deletion.
 * Both are assumed to have passed `parseDoc`. The refusal is a sentence for the person.
 */
export function mayWrite(user: WriteSubject, before: Doc | null, after: Doc | Deletion): Verdict {
	if (user.disabled === true) return err('this account is disabled');
	if ('_deleted' in after && after._deleted === true) return deletion(user, before);
	const doc = after as Doc;
	if (before !== null && before.type !== doc.type) return err('a document never changes type');
	if (before !== null && before._id !== doc._id) return err('a document never changes id');
	switch (doc.type) {
		case 'ticket':
			return ticketWrite(user, before as DocOf<'ticket'> | null, doc);
		case 'mission':
			return missionWrite(user, before as DocOf<'mission'> | null, doc);
		case 'report':
			return reportWrite(user, before as DocOf<'report'> | null, doc);
		case 'client':
			return clientWrite(user, before as DocOf<'client'> | null, doc);
		case 'techfile':
			return techfileWrite(user, before as DocOf<'techfile'> | null, doc);
		case 'event':
			return eventWrite(user, before as DocOf<'event'> | null, doc);
		case 'user':
			return userWrite(user, before as DocOf<'user'> | null, doc);
		case 'grant':
			return grantWrite(user, before as DocOf<'grant'> | null, doc);
		case 'calendar':
			return calendarWrite(user, before as DocOf<'calendar'> | null, doc);
		case 'config':
			return has(user, 'admin') ? allow : err('only an admin may change the referentials');
		case 'billing':
			return err('billing items are written by the server only');
	}
}
