/**
 * What the field did on a ticket, for the desk: its missions, oldest first, each with its
 * signed report when the device holds one.
 */
import type { MissionDoc, ReportDoc } from '#lib/domain/schemas.ts';
import { readAll } from './docs.ts';
import type { LocalDb } from './local-db.ts';

export interface MissionWork {
	readonly mission: MissionDoc;
	/** The mission's report once signed (a report is stored only when sealed); null before. */
	readonly report: ReportDoc | null;
}

export async function ticketWork(db: LocalDb, ticketId: string): Promise<MissionWork[]> {
	const [missions, reports] = await Promise.all([
		readAll(db, 'mission', (m) => m.ticketId === ticketId),
		readAll(db, 'report', (r) => r.ticketId === ticketId)
	]);
	return missions
		.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0))
		.map((mission) => ({
			mission,
			report: reports.find((r) => r.missionId === mission._id && r.signedAt) ?? null
		}));
}
