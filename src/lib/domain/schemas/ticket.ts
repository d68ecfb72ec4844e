import * as v from 'valibot';
import {
	docBase,
	edited,
	email,
	notBefore,
	phone,
	positiveInt,
	ref,
	required,
	requiredText,
	text,
	timestamp,
	uniqueStrings
} from './common.ts';

/** The ticket's ITIL kind. Named `kind` because `type` is the document type on every doc. */
export const TICKET_KINDS = ['incident', 'request', 'problem', 'change', 'event'] as const;
export const TICKET_SOURCES = ['phone', 'form', 'email', 'walk_in', 'technician'] as const;
export const TICKET_STATUSES = [
	'new',
	'qualified',
	'assigned',
	'planned',
	'in_progress',
	'pending',
	'resolved',
	'closed',
	'cancelled'
] as const;
export const PRIORITIES = ['P1', 'P2', 'P3', 'P4', 'P5'] as const;
/** 1 = high, 3 = low, as in ITIL, so that high × high gives P1. */
export const LEVELS_1_TO_3 = [1, 2, 3] as const;
export const PENDING_REASONS = ['requester', 'third_party'] as const;
export const CLOSURE_HOWS = ['requester', 'level1', 'level2', 'timeout'] as const;
export const LINK_KINDS = ['duplicate_of', 'parent', 'child', 'related'] as const;

export type TicketKind = (typeof TICKET_KINDS)[number];
export type TicketSource = (typeof TICKET_SOURCES)[number];
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export type Priority = (typeof PRIORITIES)[number];
export type Scale3 = (typeof LEVELS_1_TO_3)[number];
export type PendingReason = (typeof PENDING_REASONS)[number];
export type ClosureHow = (typeof CLOSURE_HOWS)[number];
export type LinkKind = (typeof LINK_KINDS)[number];

/** Statuses in which the ticket has been qualified and so must be classified. */
export const QUALIFIED_STATUSES: readonly TicketStatus[] = [
	'qualified',
	'assigned',
	'planned',
	'in_progress',
	'pending',
	'resolved',
	'closed'
];
/** Statuses in which someone is working on the ticket, so it needs an assignee. */
export const WORKED_STATUSES: readonly TicketStatus[] = ['assigned', 'planned', 'in_progress'];
/** The statuses a ticket can wait from and return to. */
export const RESUMABLE_STATUSES = ['qualified', 'assigned', 'planned', 'in_progress'] as const;

const scale3 = v.picklist(LEVELS_1_TO_3);

export const RequesterSchema = v.object({
	name: required,
	/** The client's contact this requester is, when picked from the client's contacts. */
	contactId: v.optional(required),
	email: v.optional(email),
	phone: v.optional(phone)
});

export const LinkSchema = v.object({ kind: v.picklist(LINK_KINDS), ticketId: ref('ticket') });

const ONCE_QUALIFIED = 'is required once the ticket is qualified';

const outcome = { by: required, at: timestamp };

export const TicketSchema = v.pipe(
	v.object({
		...docBase('ticket'),
		kind: v.picklist(TICKET_KINDS),
		preTicket: v.boolean(),
		title: required,
		description: text,
		clientId: v.optional(ref('client')),
		/** One of the client's sites (`client.sites[].id`): where the problem is. */
		siteId: v.optional(required),
		requester: RequesterSchema,
		source: v.picklist(TICKET_SOURCES),
		category: v.optional(required),
		subcategory: v.optional(required),
		group: v.optional(required),
		impact: scale3,
		urgency: scale3,
		priority: v.picklist(PRIORITIES),
		status: v.picklist(TICKET_STATUSES),
		pending: v.optional(
			v.object({
				reason: v.picklist(PENDING_REASONS),
				since: timestamp,
				from: v.picklist(RESUMABLE_STATUSES)
			})
		),
		level: scale3,
		assignees: v.pipe(
			uniqueStrings,
			v.check((ids) => ids.every((id) => id.startsWith('user:')), 'must hold user ids ("user:…")')
		),
		links: v.array(LinkSchema),
		number: v.optional(positiveInt),
		resolution: v.optional(v.object({ ...outcome, solution: requiredText })),
		closure: v.optional(
			v.object({
				...outcome,
				how: v.picklist(CLOSURE_HOWS),
				solution: requiredText,
				// Closed from the signed intervention report (the field's way to close).
				reportId: v.optional(ref('report'))
			})
		),
		cancellation: v.optional(v.object({ ...outcome, reason: requiredText })),
		...edited
	}),
	// Each rule is forwarded to the field a person would have to fix.
	v.forward(
		v.partialCheck(
			[['preTicket'], ['status']],
			(t) => !t.preTicket || t.status === 'new' || t.status === 'cancelled',
			'a pre-ticket must be new (or cancelled) until qualified'
		),
		['preTicket']
	),
	v.forward(
		v.partialCheck(
			[['status'], ['clientId']],
			(t) => !QUALIFIED_STATUSES.includes(t.status) || t.clientId !== undefined,
			ONCE_QUALIFIED
		),
		['clientId']
	),
	v.forward(
		v.partialCheck(
			[['status'], ['category']],
			(t) => !QUALIFIED_STATUSES.includes(t.status) || t.category !== undefined,
			ONCE_QUALIFIED
		),
		['category']
	),
	v.forward(
		v.partialCheck(
			[['status'], ['group']],
			(t) => !QUALIFIED_STATUSES.includes(t.status) || t.group !== undefined,
			ONCE_QUALIFIED
		),
		['group']
	),
	v.forward(
		v.partialCheck(
			[['category'], ['subcategory']],
			(t) => t.subcategory === undefined || t.category !== undefined,
			'needs a category'
		),
		['subcategory']
	),
	v.forward(
		v.partialCheck(
			[['status'], ['pending']],
			(t) => (t.status === 'pending') === (t.pending !== undefined),
			'is required when, and only when, the status is pending'
		),
		['pending']
	),
	v.forward(
		v.partialCheck(
			[['status'], ['resolution']],
			(t) =>
				t.status === 'resolved'
					? t.resolution !== undefined
					: t.resolution === undefined || t.status === 'closed',
			'is required when resolved, and kept only until closed'
		),
		['resolution']
	),
	v.forward(
		v.partialCheck(
			[['status'], ['closure']],
			(t) => (t.status === 'closed') === (t.closure !== undefined),
			'is required when, and only when, the status is closed'
		),
		['closure']
	),
	v.forward(
		v.partialCheck(
			[['status'], ['cancellation']],
			(t) => (t.status === 'cancelled') === (t.cancellation !== undefined),
			'is required when, and only when, the status is cancelled'
		),
		['cancellation']
	),
	v.forward(
		v.partialCheck(
			[['status'], ['assignees']],
			(t) => !WORKED_STATUSES.includes(t.status) || t.assignees.length > 0,
			'needs at least one person while assigned, planned or in progress'
		),
		['assignees']
	),
	v.forward(
		v.partialCheck(
			[['_id'], ['links']],
			(t) =>
				t.links.every((l) => l.ticketId !== t._id) &&
				new Set(t.links.map((l) => `${l.kind} ${l.ticketId}`)).size === t.links.length,
			'must not link the ticket to itself or repeat a link'
		),
		['links']
	),
	v.forward(
		v.partialCheck(
			[['createdAt'], ['updatedAt']],
			(t) => notBefore(t.updatedAt, t.createdAt),
			'must not be before createdAt'
		),
		['updatedAt']
	)
);

export type Requester = v.InferOutput<typeof RequesterSchema>;
export type TicketLink = v.InferOutput<typeof LinkSchema>;
export type TicketDoc = v.InferOutput<typeof TicketSchema>;
