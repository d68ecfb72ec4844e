/**
 * The desk's client directory (issue #15, point 5): every client on the device with its
 * contract and standing, searchable; and one client's file — contract and hour bank, sites,
 * contacts, tickets, interventions with their reports, the technical file and its history (what
 * the intervention reports changed in it, and who revealed a credential). Read from the device's
 * database only, so the directory works through a network cut.
 */
import { hourBankBalance, type HourBankBalance } from '../domain/hour-bank.ts';
import type {
	ClientDoc,
	EventDoc,
	HourBankDoc,
	MissionDoc,
	ReportDoc,
	TechfileDoc,
	TicketDoc
} from '../domain/schemas.ts';
import { readAll, readDoc } from './docs.ts';
import type { LocalDb } from './local-db.ts';
import { reportsOfClient } from './reports.ts';
import { techfileOf } from './techfiles.ts';
import { givenNumbers, numbered } from './tickets.ts';

const CLOSED = new Set(['closed', 'cancelled']);

/** A mission not ended and not started yet is to come, not a past intervention. */
function isUpcoming(m: MissionDoc, now: Date): boolean {
	return (m.status === 'planned' || m.status === 'in_progress') && Date.parse(m.start) > now.getTime();
}

/** A client's missions split into what took place (newest first) and what is to come (soonest first). */
export function interventionsOf(
	missions: readonly MissionDoc[],
	reports: readonly ReportDoc[],
	now: Date
): Pick<ClientFile, 'interventions' | 'upcoming'> {
	const reportOf = (id: string) => reports.find((r) => r.missionId === id) ?? null;
	return {
		interventions: missions
			.filter((m) => !isUpcoming(m, now))
			.sort((a, b) => (a.start < b.start ? 1 : -1))
			.map((m) => ({ mission: m, report: reportOf(m._id) })),
		upcoming: missions
			.filter((m) => isUpcoming(m, now))
			.sort((a, b) => (a.start < b.start ? -1 : 1))
	};
}

export interface ClientRow {
	readonly id: string;
	readonly name: string;
	readonly contract: ClientDoc['contract']['kind'];
	readonly status: ClientDoc['commercialStatus'];
	/** The cities of its sites, in the order of the sites. */
	readonly cities: readonly string[];
	readonly openTickets: number;
	/** What a search matches besides the name: contacts, phones, e-mails, sites. */
	readonly haystack: string;
}

/** Lower case, without accents: "Orée" is found as "oree". */
export function folded(text: string): string {
	return text
		.normalize('NFD')
		.replace(/\p{M}/gu, '')
		.toLowerCase();
}

export function clientRows(
	clients: readonly ClientDoc[],
	tickets: readonly Pick<TicketDoc, 'clientId' | 'status'>[]
): ClientRow[] {
	const open = new Map<string, number>();
	for (const t of tickets)
		if (t.clientId && !CLOSED.has(t.status)) open.set(t.clientId, (open.get(t.clientId) ?? 0) + 1);
	return clients
		.map((c) => ({
			id: c._id,
			name: c.name,
			contract: c.contract.kind,
			status: c.commercialStatus,
			cities: [...new Set(c.sites.map((s) => s.city))],
			openTickets: open.get(c._id) ?? 0,
			haystack: folded(
				[
					c.name,
					...c.contacts.flatMap((p) => [p.name, p.phone ?? '', p.email ?? '', p.role ?? '']),
					...c.sites.flatMap((s) => [s.label ?? '', s.address, s.postcode, s.city])
				].join(' ')
			)
		}))
		.sort((a, b) => a.name.localeCompare(b.name, 'fr'));
}

/**
 * The rows whose name, contacts or sites hold every word of the query (accents and case aside;
 * phone numbers also without their spaces), of the chosen contract kind.
 */
export function filterClients(
	rows: readonly ClientRow[],
	query: string,
	contract: ClientRow['contract'] | '' = ''
): ClientRow[] {
	const words = folded(query).split(/\s+/).filter(Boolean);
	return rows.filter(
		(r) =>
			(contract === '' || r.contract === contract) &&
			words.every((w) => r.haystack.includes(w) || r.haystack.replace(/\s+/g, '').includes(w))
	);
}

export async function clientDirectory(db: LocalDb): Promise<ClientRow[]> {
	const [clients, tickets] = await Promise.all([readAll(db, 'client'), readAll(db, 'ticket')]);
	return clientRows(clients, tickets);
}

export interface ClientTicket {
	readonly id: string;
	readonly number: number | null;
	readonly title: string;
	readonly status: TicketDoc['status'];
	readonly updatedAt: string;
}

/** One entry of the technical file's history: who changed what, when. */
export interface TechfileEntry {
	readonly at: string;
	/** The author's user id (`user:…`), named by the screen. */
	readonly by: string;
	readonly kind: 'report' | 'desk' | 'reveal' | 'edit';
	/** What the report says it changed, or the credential's label. */
	readonly summary: string;
	readonly section?: string;
	readonly action?: string;
	readonly reportId?: string;
}

export interface ClientFile {
	readonly client: ClientDoc;
	readonly techfile: TechfileDoc | null;
	readonly open: ClientTicket[];
	readonly past: ClientTicket[];
	/** Interventions that took place (or were ended), newest first. */
	readonly interventions: { mission: MissionDoc; report: ReportDoc | null }[];
	/** Missions still to come (planned or under way, not started yet), soonest first. */
	readonly upcoming: MissionDoc[];
	readonly hourBank: HourBankBalance | null;
	/** The hour bank's movements, newest first. */
	readonly movements: HourBankDoc[];
	/** Newest first. */
	readonly history: TechfileEntry[];
	/** Display names by user id. */
	readonly names: ReadonlyMap<string, string>;
}

/** The technical file's history, newest first: report changes, reveals, the last edit. */
export function techfileHistory(
	techfile: TechfileDoc | null,
	reports: readonly ReportDoc[],
	events: readonly EventDoc[]
): TechfileEntry[] {
	const out: TechfileEntry[] = [];
	for (const r of reports)
		for (const c of r.techfileChanges)
			out.push({
				at: r.signedAt ?? r.updatedAt,
				by: r.technicianId,
				kind: 'report',
				summary: c.summary,
				section: c.section,
				action: c.action,
				reportId: r._id
			});
	if (techfile) {
		for (const e of events) {
			if (e.subjectId !== techfile._id || e.kind !== 'techfile_change') continue;
			const changes = (e.data as { changes?: unknown } | undefined)?.changes;
			for (const c of Array.isArray(changes) ? (changes as Record<string, unknown>[]) : [])
				out.push({
					at: e.at,
					by: e.author,
					kind: 'desk',
					summary: typeof c.summary === 'string' ? c.summary : '',
					...(typeof c.section === 'string' ? { section: c.section } : {}),
					...(typeof c.action === 'string' ? { action: c.action } : {})
				});
		}
		for (const e of events)
			if (e.subjectId === techfile._id && e.kind === 'credential_reveal') {
				const label = (e.data as { label?: unknown } | undefined)?.label;
				out.push({
					at: e.at,
					by: e.author,
					kind: 'reveal',
					summary: typeof label === 'string' ? label : ''
				});
			}
		// The file's last edit, unless a desk change of that very moment already says what it was.
		const told = out.some((e) => e.kind === 'desk' && e.at === techfile.updatedAt);
		if (!told && (techfile.updatedAt !== techfile.createdAt || out.length === 0))
			out.push({ at: techfile.updatedAt, by: techfile.updatedBy, kind: 'edit', summary: '' });
	}
	return out.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}

/** @returns null when the client is not on this device. */
export async function clientFile(
	db: LocalDb,
	clientId: string,
	now: Date = new Date()
): Promise<ClientFile | null> {
	const client = await readDoc(db, 'client', clientId);
	if (!client) return null;
	const [techfile, tickets, numbers, missions, reports, movements, events, users] =
		await Promise.all([
			techfileOf(db, clientId),
			readAll(db, 'ticket', (t) => t.clientId === clientId),
			givenNumbers(db),
			readAll(db, 'mission', (m) => m.clientId === clientId),
			reportsOfClient(db, clientId),
			readAll(db, 'hourbank', (h) => h.clientId === clientId),
			readAll(db, 'event', (e) => e.kind === 'credential_reveal' || e.kind === 'techfile_change'),
			readAll(db, 'user')
		]);
	const rows = tickets
		.map((t) => numbered(t, numbers))
		.map((t) => ({
			id: t._id,
			number: t.number ?? null,
			title: t.title,
			status: t.status,
			updatedAt: t.updatedAt
		}))
		.sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1));
	return {
		client,
		techfile,
		open: rows.filter((r) => !CLOSED.has(r.status)),
		past: rows.filter((r) => CLOSED.has(r.status)),
		...interventionsOf(missions, reports, now),
		hourBank: hourBankBalance(client, movements),
		movements: movements.sort((a, b) => (a.at < b.at ? 1 : -1)),
		history: techfileHistory(techfile, reports, events),
		names: new Map(users.map((u) => [u._id, u.displayName]))
	};
}
