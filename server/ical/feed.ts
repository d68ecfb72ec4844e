import ical, { ICalEventStatus } from 'ical-generator';
import { isDocOf, type CalendarDoc, type ClientDoc, type MissionDoc } from '#lib/domain/schemas.ts';

const KIND_LABEL: Record<CalendarDoc['kind'], string> = {
	absence: 'Absence',
	training: 'Formation',
	on_call: 'Astreinte'
};

/** The technician's missions and calendar entries as an iCalendar feed (RFC 5545). */
export function technicianFeed(
	login: string,
	missions: readonly MissionDoc[],
	entries: readonly CalendarDoc[],
	clients: ReadonlyMap<string, ClientDoc>
): string {
	const calendar = ical({
		name: `Terrain — ${login}`,
		timezone: 'Europe/Paris',
		prodId: { company: 'Terrain', product: 'missions', language: 'FR' }
	});
	for (const m of missions) {
		if (m.status === 'cancelled') continue;
		const client = clients.get(m.clientId);
		const site = client?.sites.find((s) => s.id === m.siteId);
		calendar.createEvent({
			id: m._id,
			start: new Date(m.start),
			end: new Date(m.end),
			summary: `Intervention — ${client?.name ?? m.clientId}`,
			description: m.instructions,
			location: site ? `${site.address}, ${site.postcode} ${site.city}` : null,
			status: m.status === 'done' ? ICalEventStatus.CONFIRMED : ICalEventStatus.TENTATIVE,
			lastModified: new Date(m.updatedAt)
		});
	}
	for (const e of entries) {
		calendar.createEvent({
			id: e._id,
			start: new Date(e.start),
			end: new Date(e.end),
			summary: `${KIND_LABEL[e.kind]}${e.label ? ` — ${e.label}` : ''}`
		});
	}
	return calendar.toString();
}

/** Keeps the documents of one technician, checked with the domain schemas. */
export function pickFor(technicianId: string, docs: readonly unknown[]) {
	const missions: MissionDoc[] = [];
	const entries: CalendarDoc[] = [];
	const clients = new Map<string, ClientDoc>();
	for (const doc of docs) {
		if (isDocOf('mission', doc) && doc.technicianId === technicianId) missions.push(doc);
		else if (isDocOf('calendar', doc) && doc.technicianId === technicianId) entries.push(doc);
		else if (isDocOf('client', doc)) clients.set(doc._id, doc);
	}
	return { missions, entries, clients };
}
