/**
 * What the requester's page shows of a ticket: its number, status, the public timeline (events
 * with visibility "requester"), the planned visits, the signed reports and the survey answer,
 * and what the requester may do now. Only what is meant for the requester leaves: no internal
 * event, no internal id, no document as stored. Everything is codes and data; the page words it.
 * The ticket is shown as the server's facts make it (`requesterTicket`): closed when the timeout
 * job closed it, as on the desk; escalations and "at risk" warnings stay the team's.
 */
import { createHash } from 'node:crypto';
import { numberEventId, numberFromEvent } from '#lib/domain/numbering.ts';
import {
	isPublicEvent,
	reopenDaysOf,
	requesterChoices,
	requesterTicket,
	type PublicEvent,
	type RequesterView
} from '#lib/domain/requester.ts';
import {
	parseDoc,
	surveyIdOf,
	type EventDoc,
	type MissionDoc,
	type ReportDoc,
	type SurveyDoc,
	type TicketDoc
} from '#lib/domain/schemas.ts';
import { idSuffix } from '#lib/domain/ids.ts';
import type { Couch } from '../couch/connect.ts';
import { getOrNull } from '../notify/store.ts';
import type { SyncService } from '../sync/service.ts';

/** Everything stored about one ticket that the requester's page reads. */
export interface TicketWorld {
	readonly ticket: TicketDoc & { _rev?: string };
	readonly number: number | null;
	readonly events: readonly EventDoc[];
	readonly missions: readonly MissionDoc[];
	readonly reports: readonly ReportDoc[];
	readonly survey: SurveyDoc | null;
	readonly names: ReadonlyMap<string, string>;
	readonly reopenDays: number;
}

const byTime = (a: { at: string; _id: string }, b: { at: string; _id: string }) =>
	a.at === b.at ? (a._id < b._id ? -1 : 1) : a.at < b.at ? -1 : 1;

/**
 * Reads the ticket and what hangs on it. The documents of a ticket are found through the sync
 * service's access model (every document whose readers derive from the ticket, and from its
 * missions and reports): no scan and no extra index.
 * @returns null when the ticket does not exist (or is not a valid ticket).
 */
export async function ticketWorld(
	couch: Couch,
	sync: SyncService,
	ticketId: string
): Promise<TicketWorld | null> {
	await sync.caughtUp();
	const raw = await getOrNull<Record<string, unknown>>(couch.db, ticketId);
	const parsed = raw ? parseDoc(raw) : null;
	if (!parsed?.ok || parsed.value.type !== 'ticket') return null;
	const ticket = parsed.value;
	const first = sync.model.dependentsOf(ticketId);
	const second = first.filter((id) => id.startsWith('mission:') || id.startsWith('report:'));
	const ids = [
		...new Set([
			...first,
			...second.flatMap((id) => sync.model.dependentsOf(id)),
			numberEventId(ticketId),
			surveyIdOf(ticketId),
			'config:requester'
		])
	];
	const docs = await fetchAll(couch, ids);
	const events: EventDoc[] = [];
	const missions: MissionDoc[] = [];
	const reports: ReportDoc[] = [];
	let survey: SurveyDoc | null = null;
	let number: number | null = ticket.number ?? null;
	let reopenDays = reopenDaysOf(null);
	for (const doc of docs) {
		if (doc.type === 'config' && doc.kind === 'requester') reopenDays = reopenDaysOf(doc);
		if (doc.type === 'survey' && doc.ticketId === ticketId) survey = doc;
		if (doc.type === 'mission' && doc.ticketId === ticketId) missions.push(doc);
		if (doc.type === 'report' && doc.ticketId === ticketId) reports.push(doc);
		if (doc.type === 'event' && doc.ticketId === ticketId) {
			events.push(doc);
			number ??= numberFromEvent(doc)?.number ?? null;
		}
	}
	const people = new Set([
		...missions.map((m) => m.technicianId),
		...reports.map((r) => r.technicianId)
	]);
	const names = new Map<string, string>();
	for (const doc of await fetchAll(couch, [...people]))
		if (doc.type === 'user') names.set(doc._id, doc.displayName);
	return {
		ticket: { ...ticket, ...(typeof raw?._rev === 'string' ? { _rev: raw._rev } : {}) },
		number,
		events: events.sort(byTime),
		missions,
		reports,
		survey,
		names,
		reopenDays
	};
}

async function fetchAll(couch: Couch, ids: readonly string[]) {
	if (ids.length === 0) return [];
	const res = await couch.db.fetch({ keys: [...ids] });
	return res.rows.flatMap((row) => {
		const doc = 'doc' in row ? (row.doc as unknown) : null;
		if (!doc) return [];
		const checked = parseDoc(doc);
		return checked.ok ? [checked.value] : [];
	});
}

/**
 * The ticket as the requester's page shows it (closed by the timeout job's fact, say): what
 * the page and the requester's actions judge by.
 */
export function shownTicket(world: TicketWorld): TicketDoc {
	return requesterTicket(world.ticket, world.events);
}

/**
 * An entry's id on the page: the event id's suffix, or, for a fact whose id is made from the
 * ticket's (`event:sla:<ticketId>:…`, `event:number:<ticketId>`), a digest of it: no internal
 * id leaves.
 */
function publicEventId(id: string): string {
	const suffix = idSuffix(id);
	return suffix.includes(':')
		? createHash('sha256').update(id).digest('base64url').slice(0, 16)
		: suffix;
}

function publicEvent(event: EventDoc, world: TicketWorld): PublicEvent {
	const data = (event.data ?? {}) as Record<string, unknown>;
	const text = (key: string) => (typeof data[key] === 'string' ? (data[key] as string) : undefined);
	const picked: Record<string, string | number> = {};
	// A notice's `to` is an e-mail address, not a status: never on a page a link opens.
	const keys = event.kind === 'notice_sent' ? [] : (['action', 'from', 'to'] as const);
	for (const key of keys) {
		const value = text(key);
		if (value !== undefined) picked[key] = value;
	}
	if (typeof data.number === 'number') picked.number = data.number;
	// A closure the server made (by timeout) says so; nothing else of the job's data leaves.
	if (event.kind === 'status_change' && event.author === 'system' && data.how === 'timeout')
		picked.how = 'timeout';
	const template = text('template');
	if (event.kind === 'notice_sent' && template !== undefined) picked.template = template;
	if (event.kind === 'mission_planned') {
		const mission = world.missions.find((m) => m._id === text('missionId'));
		const start = text('start') ?? mission?.start;
		const technicianId = text('technicianId') ?? mission?.technicianId;
		if (start !== undefined) picked.start = start;
		const technician = technicianId === undefined ? undefined : world.names.get(technicianId);
		if (technician !== undefined) picked.technician = technician;
	}
	const author =
		event.author === 'requester' ? 'you' : event.author === 'system' ? 'system' : 'staff';
	return {
		id: publicEventId(event._id),
		kind: event.kind,
		at: event.at,
		author,
		...(author === 'staff' && event.authorName ? { name: event.authorName } : {}),
		body: event.body,
		data: picked
	};
}

/** The requester's view of a ticket at `now`. */
export function requesterView(world: TicketWorld, now: Date): RequesterView {
	const ticket = shownTicket(world);
	const name = (id: string) => world.names.get(id) ?? '';
	return {
		number: world.number,
		title: ticket.title,
		createdAt: ticket.createdAt,
		status: ticket.status,
		requester: ticket.requester.name,
		solution: ticket.closure?.solution ?? ticket.resolution?.solution,
		closure: ticket.closure ? { how: ticket.closure.how, at: ticket.closure.at } : undefined,
		pendingOnYou: ticket.status === 'pending' && ticket.pending?.reason === 'requester',
		timeline: world.events.filter(isPublicEvent).map((e) => publicEvent(e, world)),
		visits: world.missions
			.filter((m) => m.status === 'planned' || m.status === 'in_progress')
			.sort((a, b) => (a.start < b.start ? -1 : 1))
			.map((m) => ({
				start: m.start,
				end: m.end,
				status: m.status,
				technician: name(m.technicianId)
			})),
		reports: world.reports
			.filter((r): r is ReportDoc & { signedAt: string } => r.signedAt !== undefined)
			.map((r) => ({
				id: idSuffix(r._id),
				signedAt: r.signedAt,
				technician: r.signatures.technician?.name ?? name(r.technicianId),
				outcome: r.outcome
			})),
		survey: world.survey
			? {
					rating: world.survey.rating,
					comment: world.survey.comment,
					answeredAt: world.survey.answeredAt
				}
			: null,
		choices: requesterChoices(ticket, now, world.reopenDays, world.survey !== null),
		reopenDays: world.reopenDays
	};
}
