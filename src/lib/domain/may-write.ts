/**
 * Whether a user may save a document (create, change or delete it). The server runs this on
 * every document pushed through sync, after the schema check and after checking that the
 * user may read the document before and after; the device runs it to disable what would be
 * refused. The server itself is trusted and does not go through here (numbering, billing,
 * `access`).
 */
import { NUMBER_EVENT_PREFIX } from './numbering.ts';
import { reportChangeAllowed } from './report-hash.ts';
import { SLA_FACT_PREFIX } from './sla-facts.ts';
import { refusal, type Refusal, type RefusalCode, type RefusalKey } from './refusals.ts';
import { err, ok, type Result } from './result.ts';
import type { Doc, DocOf } from './schemas.ts';
import type { ClientDoc } from './schemas/client.ts';
import type { MissionDoc } from './schemas/mission.ts';
import { partiesChangeAllowed } from './parties.ts';
import { mayReplan } from './planning.ts';
import type { ReportDoc } from './schemas/report.ts';
import type { Role, UserDoc } from './schemas/people.ts';
import type { TicketDoc } from './schemas/ticket.ts';
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

/**
 * What a write points to, as the server holds it: the server gathers it for every pushed
 * document (a field left out is not checked, which only the device's own pre-checks do).
 * `null` means the document named does not exist.
 */
export interface WriteContext {
	/** The ticket named by the document's `ticketId` (mission, report, event). */
	ticket?: TicketDoc | null;
	/** A mission's ticket before the change, when the change moves it to another ticket. */
	ticketBefore?: TicketDoc | null;
	/** The mission named by a report's `missionId`. */
	mission?: MissionDoc | null;
	/** The document an event is about (`subjectId`). */
	subject?: Doc | null;
	/**
	 * The report a ticket's new closure names (`closure.reportId`), as this push or the
	 * database holds it; `null` when there is no such report.
	 */
	closureReport?: ReportDoc | null;
	/** The writer's profile as stored: events carry its name, not one the device chose. */
	profile?: Pick<UserDoc, 'displayName'> | null;
	/** The client a ticket names (`clientId`), as stored. */
	client?: ClientDoc | null;
	/** The users a ticket's assignees name, as stored (null: no such user). */
	people?: ReadonlyMap<string, Pick<UserDoc, 'disabled'> | null>;
	/** The groups referential (`config:groups`); null when the deployment has none. */
	groups?: readonly { readonly id: string }[] | null;
	/**
	 * For a new mission: its ticket as stored before this push (the same push may move it from
	 * in progress to planned) and the ticket's other missions, as stored or in this push.
	 */
	replan?: {
		readonly ticket: TicketDoc | null;
		readonly missions: ReadonlyArray<Pick<MissionDoc, '_id' | 'ticketId' | 'status'>>;
	};
}

/** Accepted, or refused with a code, a key and its parameters for the device to put in words. */
export type Verdict = Result<true, Refusal>;
const allow: Verdict = ok(true);

const no = (
	code: RefusalCode,
	key: RefusalKey,
	message: string,
	params?: Refusal['params']
): Verdict => err(refusal(code, key, message, params));

/** Who is held to a list of fields, and the refusal key that says it. */
type FieldsKey =
	'fields_assignee' | 'fields_mission' | 'fields_billing' | 'fields_staff' | 'fields_profile';

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

function fieldsRefused(key: FieldsKey, who: string, fields: readonly string[]): Verdict {
	return fields.length === 0
		? allow
		: no('role', key, `${who} may not change ${fields.join(', ')}`, { fields });
}

function onlyFields(
	before: Doc,
	after: Doc,
	allowed: readonly string[],
	who: string,
	key: FieldsKey
): Verdict {
	const forbidden = changedFields(before, after).filter((f) => !allowed.includes(f));
	return fieldsRefused(key, who, forbidden);
}

function noneOf(
	before: Doc,
	after: Doc,
	forbidden: readonly string[],
	who: string,
	key: FieldsKey
): Verdict {
	return fieldsRefused(
		key,
		who,
		changedFields(before, after).filter((f) => forbidden.includes(f))
	);
}

function stamped(before: MergeableDoc | null, after: MergeableDoc): Verdict {
	if (before === null) return allow;
	const checked = checkStamps(before, after);
	if (checked.ok) return allow;
	const field = /^\w+\.([^:]+):/.exec(checked.error)?.[1] ?? '';
	return no('rule', 'stale_stamp', checked.error, { doc: after.type, field });
}

function deletion(user: WriteSubject, before: Doc | null): Verdict {
	if (before === null) return no('rule', 'nothing_to_delete', 'there is nothing to delete');
	switch (before.type) {
		case 'event':
			return no('rule', 'event_never_deleted', 'events are never deleted: add a follow-up instead');
		case 'billing':
			return BILLING_REFUSAL;
		case 'hourbank':
			return HOUR_BANK_REFUSAL;
		case 'invoice':
			return INVOICE_REFUSAL;
		case 'survey':
			return SURVEY_REFUSAL;
		case 'ticket':
			return no(
				'rule',
				'ticket_never_deleted',
				'tickets are never deleted: cancel the ticket instead'
			);
		case 'report':
			if (before.signedAt !== undefined)
				return no('rule', 'report_sealed', 'a signed report can no longer be changed or deleted');
			return before.technicianId === user._id || has(user, 'dispatcher', 'admin')
				? allow
				: no('role', 'report_delete', 'only its technician or a dispatcher may delete this report');
		case 'calendar':
			return before.technicianId === user._id || has(user, 'dispatcher', 'admin')
				? allow
				: no(
						'role',
						'calendar_delete',
						'only its technician or a dispatcher may delete this calendar entry'
					);
		case 'mission':
			return has(user, 'dispatcher', 'admin')
				? allow
				: no('role', 'mission_delete', 'only a dispatcher may delete a mission (or cancel it)');
		default:
			return has(user, 'admin')
				? allow
				: no('role', 'admin_delete', `only an admin may delete a ${before.type}`, {
						doc: before.type
					});
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

/** Assignees and group name real people and a real group, whoever saves the ticket. */
function ticketNames(
	before: DocOf<'ticket'> | null,
	after: DocOf<'ticket'>,
	context: WriteContext
): Verdict {
	const added = after.assignees.filter((id) => !before?.assignees.includes(id));
	for (const id of added) {
		const person = context.people?.get(id);
		if (context.people !== undefined && (person === null || person === undefined))
			return no('params', 'unknown_user', `ticket.assignees: there is no user ${id}`);
		if (person?.disabled === true)
			return no('params', 'unknown_user', `ticket.assignees: ${id} is disabled`);
	}
	const groups = context.groups;
	if (
		after.group !== undefined &&
		after.group !== before?.group &&
		groups !== undefined &&
		groups !== null &&
		groups.length > 0 &&
		!groups.some((g) => g.id === after.group)
	)
		return no('params', 'unknown_group', `ticket.group: there is no group ${after.group}`);
	if (after.clientId !== before?.clientId && context.client === null)
		return no('params', 'client_missing', 'ticket.clientId: there is no such client');
	return allow;
}

/**
 * A technician closes a ticket only through the signed report of a mission of that ticket:
 * `closure.reportId` must name a report with both signatures, of this ticket (its mission's
 * ticket, which the report's own rule holds to).
 */
function closedThroughReport(after: DocOf<'ticket'>, context: WriteContext): Verdict {
	const reportId = after.closure?.reportId;
	if (reportId === undefined)
		return no(
			'rule',
			'closure_report',
			'ticket.closure.reportId: a technician closes a ticket through the signed report'
		);
	const report = context.closureReport;
	if (report === undefined) return allow;
	if (report === null)
		return no('params', 'closure_no_report', 'ticket.closure.reportId: there is no such report');
	if (report.ticketId !== after._id)
		return no(
			'params',
			'closure_other_ticket',
			'ticket.closure.reportId: must be a report of this ticket'
		);
	if (report.signedAt === undefined)
		return no('rule', 'closure_unsigned', 'ticket.closure.reportId: the report is not signed');
	return allow;
}

function ticketWrite(
	user: WriteSubject,
	before: DocOf<'ticket'> | null,
	after: DocOf<'ticket'>,
	context: WriteContext
): Verdict {
	const actor = actorFromUser(user);
	const names = ticketNames(before, after, context);
	if (!names.ok) return names;
	// Planned again from in progress: only once none of its missions is active (mayReplan).
	if (before?.status === 'in_progress' && after.status === 'planned' && context.replan) {
		const replan = mayReplan(before, context.replan.missions as MissionDoc[]);
		if (!replan.ok) return err(replan.error);
	}
	if (before === null) {
		if (!has(user, 'dispatcher', 'expert', 'technician', 'admin'))
			return no(
				'role',
				'ticket_open_who',
				'only staff may open a ticket this way (requesters use the form)'
			);
		if (after.createdBy !== user._id) return notYou('ticket.createdBy');
		if (after.number !== undefined) return NUMBER_REFUSAL;
		if (after.status !== 'new' && !has(user, 'dispatcher', 'expert', 'admin'))
			return no('role', 'ticket_open_new', 'a technician opens a ticket as new');
		return allow;
	}
	if (after.number !== before.number) return NUMBER_REFUSAL;
	if (after.createdAt !== before.createdAt || after.createdBy !== before.createdBy)
		return no('rule', 'ticket_created', 'ticket.createdAt and createdBy never change');
	// Any expert may qualify a new ticket (it has no group yet); after that, their group's.
	const desk =
		has(user, 'dispatcher', 'admin') ||
		isGroupExpert(before, actor) ||
		(before.status === 'new' && has(user, 'expert'));
	if (!desk && !isAssignee(before, actor))
		return no('role', 'not_working_on', 'you are not working on this ticket');
	// Client, site and requester: the dispatcher's (parties.ts), checked before the rest.
	const parties = partiesChangeAllowed(before, after, actor, context.client);
	if (!parties.ok) return parties;
	if (!desk) {
		const allowed = [...TICKET_TECH_FIELDS];
		if (after.level === before.level + 1) {
			// An escalation: one level up, and to another group only through its queue.
			const escalate = mayPerform(before, 'escalate', actor);
			if (!escalate.ok) return escalate;
			allowed.push('level');
			if (after.group !== before.group) {
				if (after.assignees.length > 0)
					return no(
						'rule',
						'escalate_unassigned',
						'a ticket escalated to another group waits in its queue, unassigned'
					);
				allowed.push('group', 'assignees');
			}
		}
		const fields = onlyFields(
			before,
			after,
			allowed,
			'a person assigned to the ticket',
			'fields_assignee'
		);
		if (!fields.ok) return fields;
	}
	const status = statusChangeAllowed(before, after, actor);
	if (!status.ok) return status;
	for (const outcome of ['resolution', 'closure', 'cancellation'] as const) {
		const now = after[outcome];
		if (now !== undefined && canonical(now) !== canonical(before[outcome]) && now.by !== user._id) {
			return notYou(`ticket.${outcome}.by`);
		}
	}
	const closing =
		after.closure !== undefined && canonical(after.closure) !== canonical(before.closure);
	// A field technician's closure comes from the signed report; the desk's from its solution.
	if (closing && has(user, 'technician') && !has(user, 'dispatcher', 'admin', 'expert')) {
		const through = closedThroughReport(after, context);
		if (!through.ok) return through;
	}
	return stamped(before, after);
}

/** What decides who goes where: changing it is planning, and planning gives access. */
const PLANNING_FIELDS = ['technicianId', 'ticketId', 'clientId'] as const;

function isPlanning(before: DocOf<'mission'> | null, after: DocOf<'mission'>): boolean {
	if (before === null) return true;
	if (PLANNING_FIELDS.some((f) => before[f] !== after[f])) return true;
	// A cancelled mission gives no access; bringing it back does.
	return before.status === 'cancelled' && after.status !== 'cancelled';
}

function groupExpertOf(ticket: TicketDoc | null | undefined, user: WriteSubject): boolean {
	return (
		has(user, 'expert') &&
		ticket !== null &&
		ticket !== undefined &&
		ticket.group !== undefined &&
		user.groups.includes(ticket.group)
	);
}

/**
 * Planning right (the ticket's `plan` action): a dispatcher, or an expert of the ticket's
 * group. The mission's client is its ticket's, so a mission never opens another client's file.
 */
function planningRight(
	user: WriteSubject,
	before: DocOf<'mission'> | null,
	after: DocOf<'mission'>,
	context: WriteContext
): Verdict {
	if (context.ticket === null)
		return no('params', 'mission_no_ticket', 'mission.ticketId: there is no such ticket');
	if (context.ticket !== undefined && context.ticket.clientId !== after.clientId)
		return no(
			'params',
			'mission_client',
			"mission.clientId: must be the client of the mission's ticket"
		);
	if (has(user, 'dispatcher', 'admin')) return allow;
	if (!has(user, 'expert'))
		return before === null
			? PLAN_REFUSAL
			: no(
					'role',
					'replan_who',
					'only a dispatcher may change who goes, for which ticket and client'
				);
	const ticketsOk =
		(context.ticket === undefined || groupExpertOf(context.ticket, user)) &&
		(before === null ||
			before.ticketId === after.ticketId ||
			context.ticketBefore === undefined ||
			groupExpertOf(context.ticketBefore, user));
	return ticketsOk
		? allow
		: no('role', 'plan_group', "only a dispatcher or an expert of the ticket's group may plan it");
}

function missionWrite(
	user: WriteSubject,
	before: DocOf<'mission'> | null,
	after: DocOf<'mission'>,
	context: WriteContext
): Verdict {
	// A ticket in progress is planned again only once none of its missions is active (the
	// board's rule, planning.ts): judged here too, whatever the device checked.
	if (before === null && context.replan?.ticket) {
		const siblings = context.replan.missions.filter((m) => m._id !== after._id);
		const replan = mayReplan(context.replan.ticket, siblings as MissionDoc[]);
		if (!replan.ok) return err(replan.error);
	}
	if (isPlanning(before, after)) {
		const right = planningRight(user, before, after, context);
		return right.ok ? stamped(before, after) : right;
	}
	if (has(user, 'dispatcher', 'admin')) return stamped(before, after);
	if (has(user, 'expert') && (context.ticket === undefined || groupExpertOf(context.ticket, user)))
		return stamped(before, after);
	if (before === null) return PLAN_REFUSAL;
	if (!has(user, 'technician') || before.technicianId !== user._id)
		return no('role', 'mission_not_yours', 'this mission is not yours');
	const fields = onlyFields(before, after, ['status'], 'the technician', 'fields_mission');
	if (!fields.ok) return fields;
	if (after.status === 'cancelled' && before.status !== 'cancelled')
		return no('role', 'mission_cancel', 'only a dispatcher may cancel a mission');
	return stamped(before, after);
}

function reportWrite(
	user: WriteSubject,
	before: DocOf<'report'> | null,
	after: DocOf<'report'>,
	context: WriteContext
): Verdict {
	const sealed = reportChangeAllowed(before, after);
	if (!sealed.ok)
		return sealed.reason === 'signed_report_immutable'
			? no('rule', 'report_sealed', sealed.message, { fields: sealed.fields })
			: no('rule', 'report_unsealed', sealed.message);
	const own =
		after.technicianId === user._id && (before === null || before.technicianId === user._id);
	if (!has(user, 'dispatcher', 'admin') && !(has(user, 'technician') && own))
		return no(
			'role',
			'report_who',
			'only the technician of the mission or a dispatcher may write this report'
		);
	const mission = context.mission;
	if (mission === null)
		return no('params', 'report_no_mission', 'report.missionId: there is no such mission');
	if (mission !== undefined) {
		if (mission.ticketId !== after.ticketId || mission.clientId !== after.clientId)
			return no('params', 'report_mission', "report.ticketId and clientId: must be the mission's");
		if (mission.technicianId !== after.technicianId)
			return no(
				'params',
				'report_technician',
				"report.technicianId: must be the mission's technician"
			);
	}
	return allow;
}

/**
 * A client's or person's team must be a group of the referential (when the referential is at
 * hand): a team only decides which desk devices keep the document (working-set.ts).
 */
function knownTeam(
	kind: 'client' | 'user',
	before: { team?: string | undefined } | null,
	after: { team?: string | undefined },
	context: WriteContext
): Verdict {
	const groups = context.groups;
	if (
		after.team === undefined ||
		after.team === before?.team ||
		groups === undefined ||
		groups === null ||
		groups.some((g) => g.id === after.team)
	)
		return allow;
	return no('params', 'unknown_group', `${kind}.team: there is no group ${after.team}`);
}

function clientWrite(
	user: WriteSubject,
	before: DocOf<'client'> | null,
	after: DocOf<'client'>,
	context: WriteContext
): Verdict {
	const team = knownTeam('client', before, after, context);
	if (!team.ok) return team;
	if (has(user, 'dispatcher', 'admin')) return stamped(before, after);
	if (before === null)
		return has(user, 'billing')
			? allow
			: no('role', 'client_add_who', 'only a dispatcher, billing or an admin may add a client');
	if (has(user, 'billing')) {
		const fields = onlyFields(
			before,
			after,
			['contract', 'commercialStatus'],
			'billing',
			'fields_billing'
		);
		return fields.ok ? stamped(before, after) : fields;
	}
	if (!has(user, 'expert', 'technician'))
		return no('role', 'client_who', 'you may not change clients');
	const fields = noneOf(
		before,
		after,
		['contract', 'commercialStatus', 'team'],
		'a technician or an expert',
		'fields_staff'
	);
	return fields.ok ? stamped(before, after) : fields;
}

function techfileWrite(
	user: WriteSubject,
	before: DocOf<'techfile'> | null,
	after: DocOf<'techfile'>
): Verdict {
	if (!has(user, 'dispatcher', 'expert', 'technician', 'admin'))
		return no('role', 'techfile_who', 'only support staff may change a technical file');
	return stamped(before, after);
}

/** Only the requester answers, through their page; the server writes what they said. */
const SURVEY_REFUSAL = no(
	'role',
	'survey_server',
	'satisfaction answers are written by the server only, from the requester’s page'
);
const BILLING_REFUSAL = no(
	'role',
	'billing_server',
	'billing items are written by the server only'
);
const HOUR_BANK_REFUSAL = no(
	'role',
	'hourbank_server',
	'hour-bank movements are written by the server only, from the closures it bills'
);
const INVOICE_REFUSAL = no(
	'role',
	'invoice_server',
	'invoices are issued, numbered and marked paid by the server only'
);
const NUMBER_REFUSAL = no('rule', 'ticket_number', 'ticket.number: is given by the server');
const PLAN_REFUSAL = no('role', 'plan_who', 'only a dispatcher or an expert may plan a mission');

/** A document written in someone else's name (`field` names where). */
const notYou = (field: string): Verdict =>
	no('role', 'not_you', `${field}: must be you`, { field });

/** Kinds only the server writes (numbering, notices, SLA jobs); a device's are refused. */
const SERVER_KINDS = new Set(['notice_sent', 'sla_warning', 'ticket_numbered', 'escalated']);

/**
 * Ids the server's facts live under (numbering.ts, sla-facts.ts): a device creating one first
 * would squat the id the server creates once, and the server's fact would never be written.
 */
function serverEventId(after: DocOf<'event'>): Verdict {
	return after._id.startsWith(SLA_FACT_PREFIX) || after._id.startsWith(NUMBER_EVENT_PREFIX)
		? no('role', 'event_server', `${after._id}: is written by the server only`, {
				kind: after.kind
			})
		: allow;
}

function clientOf(doc: Doc): string | undefined {
	if (doc.type === 'client') return doc._id;
	return 'clientId' in doc && typeof doc.clientId === 'string' ? doc.clientId : undefined;
}

/** The timeline an event shows in must be its subject's (or a ticket of its subject's client). */
function eventTies(after: DocOf<'event'>, context: WriteContext): Verdict {
	const subject = context.subject;
	if (subject === undefined) return allow;
	if (subject === null)
		return no('params', 'event_no_subject', 'event.subjectId: there is no such document');
	if (
		(after.kind === 'credential_reveal' || after.kind === 'techfile_change') &&
		subject.type !== 'techfile'
	)
		return no(
			'params',
			'event_subject_kind',
			'event.subjectId: a credential reveal or a technical-file change is about a technical file',
			{ kind: after.kind }
		);
	if (
		after.kind === 'mission_ended' &&
		(subject.type !== 'mission' || after.data?.missionId !== subject._id)
	)
		return no(
			'params',
			'event_subject_kind',
			'event.subjectId: a mission ended is about that mission',
			{ kind: after.kind }
		);
	if (after.ticketId === undefined) return allow;
	if (subject.type === 'ticket')
		return after.ticketId === subject._id
			? allow
			: no('params', 'event_ticket', 'event.ticketId: must be its subject');
	if ('ticketId' in subject && typeof subject.ticketId === 'string')
		return after.ticketId === subject.ticketId
			? allow
			: no('params', 'event_ticket', "event.ticketId: must be its subject's ticket");
	if (context.ticket === null)
		return no('params', 'event_no_ticket', 'event.ticketId: there is no such ticket');
	const client = clientOf(subject);
	if (context.ticket !== undefined && (client === undefined || context.ticket.clientId !== client))
		return no('params', 'event_ticket', "event.ticketId: must be a ticket of its subject's client");
	return allow;
}

function eventWrite(
	user: WriteSubject,
	before: DocOf<'event'> | null,
	after: DocOf<'event'>,
	context: WriteContext
): Verdict {
	if (before !== null)
		return no('rule', 'event_never_edited', 'events are never edited: add a follow-up instead');
	const reserved = serverEventId(after);
	if (!reserved.ok) return reserved;
	if (SERVER_KINDS.has(after.kind))
		return no('role', 'event_server', `${after.kind} events are written by the server only`, {
			kind: after.kind
		});
	// The requester confirms on their page, through the server, never from a device.
	if (after.data?.action === 'confirm')
		return no('role', 'confirm_requester', 'event.data.action: confirm is the requester’s');
	// A device records what its own merge set aside under its user's name; "system" is the
	// server's alone.
	if (after.author !== user._id) return notYou('event.author');
	// A technical file's history is written by those who may change the file.
	if (after.kind === 'techfile_change' && !has(user, 'dispatcher', 'expert', 'technician', 'admin'))
		return no('role', 'techfile_who', 'only support staff may change a technical file');
	if (
		context.profile !== undefined &&
		after.authorName !== undefined &&
		after.authorName !== context.profile?.displayName
	)
		return no('role', 'author_name', 'event.authorName: must be your name as in your profile');
	return eventTies(after, context);
}

function userWrite(
	user: WriteSubject,
	before: DocOf<'user'> | null,
	after: DocOf<'user'>,
	context: WriteContext
): Verdict {
	if (has(user, 'admin')) return knownTeam('user', before, after, context);
	if (before === null || before._id !== user._id)
		return no('role', 'accounts_admin', 'only an admin may manage other accounts');
	return onlyFields(
		before,
		after,
		['displayName', 'phone', 'base', 'skills'],
		'you',
		'fields_profile'
	);
}

function grantWrite(
	user: WriteSubject,
	before: DocOf<'grant'> | null,
	after: DocOf<'grant'>
): Verdict {
	if (has(user, 'admin')) {
		const decided = after.status !== 'requested' && before?.status !== after.status;
		return decided && after.decidedBy !== user._id ? notYou('grant.decidedBy') : allow;
	}
	if (before !== null)
		return no('role', 'grant_admin', 'only an admin decides on an access request');
	if (after.technicianId !== user._id || after.status !== 'requested')
		return no('role', 'grant_self', 'you may only request access for yourself');
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
	return own ? allow : no('role', 'calendar_own', 'you may only change your own calendar');
}

/**
 * `before` is the stored document (null when creating); `after` the new body or a deletion.
 * Both are assumed to have passed `parseDoc`. A refusal is a code, a key and its parameters
 * (domain/refusals.ts), which the device puts in words (i18n/problems.ts); its English
 * `message` is for logs and the server's per-document answer (`reason`).
 */
export function mayWrite(
	user: WriteSubject,
	before: Doc | null,
	after: Doc | Deletion,
	context: WriteContext = {}
): Verdict {
	if (user.disabled === true) return no('role', 'account_disabled', 'this account is disabled');
	if ('_deleted' in after && after._deleted === true) return deletion(user, before);
	const doc = after as Doc;
	if (before !== null && before.type !== doc.type)
		return no('rule', 'type_fixed', 'a document never changes type');
	if (before !== null && before._id !== doc._id)
		return no('rule', 'id_fixed', 'a document never changes id');
	if (canonical(doc.access) !== canonical(before?.access))
		return no(
			'rule',
			'access_server',
			'access: is worked out by the server, never written by a device'
		);
	switch (doc.type) {
		case 'ticket':
			return ticketWrite(user, before as DocOf<'ticket'> | null, doc, context);
		case 'mission':
			return missionWrite(user, before as DocOf<'mission'> | null, doc, context);
		case 'report':
			return reportWrite(user, before as DocOf<'report'> | null, doc, context);
		case 'client':
			return clientWrite(user, before as DocOf<'client'> | null, doc, context);
		case 'techfile':
			return techfileWrite(user, before as DocOf<'techfile'> | null, doc);
		case 'event':
			return eventWrite(user, before as DocOf<'event'> | null, doc, context);
		case 'user':
			return userWrite(user, before as DocOf<'user'> | null, doc, context);
		case 'grant':
			return grantWrite(user, before as DocOf<'grant'> | null, doc);
		case 'calendar':
			return calendarWrite(user, before as DocOf<'calendar'> | null, doc);
		case 'config':
			return has(user, 'admin')
				? allow
				: no('role', 'config_admin', 'only an admin may change the referentials');
		case 'billing':
			return BILLING_REFUSAL;
		case 'hourbank':
			return HOUR_BANK_REFUSAL;
		case 'invoice':
			return INVOICE_REFUSAL;
		case 'survey':
			return SURVEY_REFUSAL;
	}
}
