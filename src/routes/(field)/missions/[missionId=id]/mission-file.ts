// Everything the technician needs about one mission, read from the device's database only,
// so the page is the same with or without network.
import { DEFAULT_BUSINESS_HOURS, type BusinessHours } from '#lib/domain/business-hours.ts';
import {
	type ClientDoc,
	type EventDoc,
	type MissionDoc,
	type ReportDoc,
	type Site,
	type TechfileDoc,
	type TicketDoc
} from '#lib/domain/schemas.ts';
import {
	DEFAULT_SLA_POLICY,
	slaState,
	type SlaPause,
	type SlaPolicy,
	type SlaState
} from '#lib/domain/sla.ts';
import { timelineOf } from '#lib/data/events.ts';
import { ticketNumber } from '#lib/domain/numbering.ts';
import type { LocalDb } from '#lib/data/local-db.ts';
import { reportsOfClient } from '#lib/data/reports.ts';
import { techfileOf } from '#lib/data/techfiles.ts';
import { readAll, readDoc } from '#lib/data/docs.ts';

export interface PastIntervention {
	readonly mission: MissionDoc;
	readonly report: ReportDoc | null;
}

export interface MissionFile {
	readonly mission: MissionDoc;
	readonly ticket: TicketDoc;
	/** The ticket's number, from the ticket or its timeline; null while provisional. */
	readonly number: number | null;
	readonly client: ClientDoc | null;
	readonly site: Site | null;
	readonly techfile: TechfileDoc | null;
	readonly timeline: EventDoc[];
	readonly report: ReportDoc | null;
	readonly past: PastIntervention[];
	readonly sla: SlaState;
	/** Display names of the people this device knows, by user id (for the timeline). */
	readonly names: ReadonlyMap<string, string>;
}

/** What the SLA clocks need from the ticket and its timeline. */
export function slaInputOf(ticket: TicketDoc, timeline: readonly EventDoc[]) {
	const changes = timeline.filter((e) => e.kind === 'status_change');
	const to = (e: EventDoc) => (e.data as { to?: unknown } | undefined)?.to;
	const from = (e: EventDoc) => (e.data as { from?: unknown } | undefined)?.from;
	const responded = changes.find((e) => from(e) === 'new' && to(e) !== 'new');
	const pauses: SlaPause[] = [];
	for (const e of changes) {
		if (to(e) === 'pending') pauses.push({ from: e.at });
		else if (from(e) === 'pending') {
			const open = pauses.at(-1);
			if (open && open.to === undefined) open.to = e.at;
		}
	}
	if (ticket.pending && !pauses.some((p) => p.to === undefined))
		pauses.push({ from: ticket.pending.since });
	return {
		priority: ticket.priority,
		createdAt: ticket.createdAt,
		respondedAt: responded?.at,
		resolvedAt: ticket.resolution?.at ?? ticket.closure?.at,
		pauses
	};
}

async function slaConfig(db: LocalDb): Promise<{ policy: SlaPolicy; hours: BusinessHours }> {
	// A referential the device cannot read must not hide the mission: defaults then.
	const config = await readDoc(db, 'config', 'config:sla').catch(() => null);
	if (config?.kind === 'sla') return { policy: config.policy, hours: config.businessHours };
	return { policy: DEFAULT_SLA_POLICY, hours: DEFAULT_BUSINESS_HOURS };
}

/**
 * @returns null when the mission or its ticket is not on this device.
 * @throws {Error} when a stored document is not valid.
 */
export async function loadMissionFile(
	db: LocalDb,
	missionId: string,
	now: Date
): Promise<MissionFile | null> {
	const mission = await readDoc(db, 'mission', missionId);
	if (!mission) return null;
	const [ticket, client, techfile, timeline, reports, missions, config, users] = await Promise.all([
		readDoc(db, 'ticket', mission.ticketId),
		readDoc(db, 'client', mission.clientId),
		techfileOf(db, mission.clientId),
		timelineOf(db, mission.ticketId),
		reportsOfClient(db, mission.clientId),
		readAll(db, 'mission', (m) => m.clientId === mission.clientId && m._id !== mission._id),
		slaConfig(db),
		readAll(db, 'user')
	]);
	if (!ticket) return null;
	const reportOf = (id: string) => reports.find((r) => r.missionId === id) ?? null;
	const past = missions
		.filter((m) => m.start < mission.start || m.status === 'done')
		.sort((a, b) => (a.start < b.start ? 1 : -1))
		.map((m) => ({ mission: m, report: reportOf(m._id) }));
	return {
		mission,
		ticket,
		number: ticketNumber(ticket, timeline),
		client,
		site: client?.sites.find((s) => s.id === mission.siteId) ?? client?.sites[0] ?? null,
		techfile,
		timeline,
		report: reportOf(mission._id),
		past,
		sla: slaState(slaInputOf(ticket, timeline), config.policy, config.hours, now),
		names: new Map(users.map((u) => [u._id, u.displayName]))
	};
}
