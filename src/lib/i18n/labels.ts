/**
 * Words for every enum shown on a screen. Each table is typed by the domain's list, so a
 * value added to the domain without a label is a type error (and labels.test.ts walks them).
 */
import type { Who } from '#lib/domain/ticket-rules.ts';
import {
	CALENDAR_KINDS,
	CLOSURE_HOWS,
	COMMERCIAL_STATUSES,
	EVENT_KINDS,
	CONTRACT_KINDS,
	EQUIPMENT_KINDS,
	GRANT_STATUSES,
	LINK_KINDS,
	MISSION_END_REASONS,
	MISSION_STATUSES,
	NOTICE_KEYS,
	OUTCOMES,
	PENDING_REASONS,
	PRIORITIES,
	ROLES,
	TECHFILE_SECTIONS,
	TICKET_KINDS,
	TICKET_SOURCES,
	TICKET_STATUSES,
	type EventKind,
	type PartyField
} from '#lib/domain/schemas.ts';
import { TICKET_ACTION_TYPES } from '#lib/domain/ticket-rules.ts';
import type { MessageKey } from './messages.ts';

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

type Table<T extends string | number> = Readonly<Record<T, MessageKey>>;

function table<T extends string>(values: readonly T[], prefix: string): Table<T> {
	return Object.fromEntries(values.map((v) => [v, `${prefix}.${v}` as MessageKey])) as Table<T>;
}

/** Every enum shown on screen, by name: the message key of each value. */
export const LABELS = {
	role: table(ROLES, 'role'),
	ticketStatus: table(TICKET_STATUSES, 'status'),
	missionStatus: table(MISSION_STATUSES, 'missionStatus'),
	ticketKind: table(TICKET_KINDS, 'kind'),
	source: table(TICKET_SOURCES, 'source'),
	priority: table(PRIORITIES, 'priority'),
	pending: table(PENDING_REASONS, 'pending'),
	closureHow: table(CLOSURE_HOWS, 'closure'),
	linkKind: table(LINK_KINDS, 'links'),
	contract: table(CONTRACT_KINDS, 'contract'),
	commercial: table(COMMERCIAL_STATUSES, 'commercial'),
	calendarKind: table(CALENDAR_KINDS, 'calendarKind'),
	grant: table(GRANT_STATUSES, 'grant'),
	outcome: table(OUTCOMES, 'report.outcome'),
	endReason: table(MISSION_END_REASONS, 'endReason'),
	notice: table(NOTICE_KEYS, 'notice'),
	equipment: table(EQUIPMENT_KINDS, 'equipment'),
	verb: table(TICKET_ACTION_TYPES, 'verb'),
	action: table(TICKET_ACTION_TYPES, 'action'),
	who: table(
		['dispatcher', 'group_expert', 'any_expert', 'assignee', 'requester', 'system'] as const,
		'who'
	) satisfies Table<Who>,
	eventKind: table(EVENT_KINDS, 'event') satisfies Table<EventKind>,
	partyField: table(['client', 'site', 'requester'] as const, 'party') satisfies Table<PartyField>,
	techfileSection: table(TECHFILE_SECTIONS, 'techfile'),
	techfileAction: table(['added', 'changed', 'removed'] as const, 'techfileAction')
} as const;

export type LabelTable = keyof typeof LABELS;

/** The label of `value` in `name`'s table; a value the table does not know shows as written. */
export function label<N extends LabelTable>(t: Translate, name: N, value: string): string {
	const key = (LABELS[name] as Readonly<Record<string, MessageKey>>)[value];
	return key === undefined ? value : t(key);
}

/** A list in words: "a, b ou c". */
export function wordList(t: Translate, items: readonly string[]): string {
	if (items.length < 2) return items[0] ?? '';
	return `${items.slice(0, -1).join(', ')}${t('who.or')}${items.at(-1) ?? ''}`;
}

/** A person's display name from the directory on this device; the login when unknown. */
export function personName(id: string, names: ReadonlyMap<string, string>): string {
	return names.get(id) ?? names.get(`user:${id}`) ?? id.replace(/^user:/, '');
}
