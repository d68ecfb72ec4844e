/**
 * Intervention reports on the device. A report in progress is a draft in Dexie (see
 * ReportDraft); it becomes a `report:` document only when both the technician and the client
 * have signed, in one write that carries the photos and both signature images as
 * attachments and the hash that seals them (report-hash.ts). From then on it never changes.
 */
import { newId, toIso } from '#lib/domain/ids.ts';
import {
	hashReport,
	reportChangeAllowed,
	signatureAttachmentName,
	verifyReport,
	type SignatureRole,
	type VerifyResult
} from '#lib/domain/report-hash.ts';
import {
	parseReport,
	type MissionDoc,
	type Part,
	type ReportDoc
} from '#lib/domain/schemas.ts';
import type { LocalDb } from './local-db.ts';
import type { TechfileEdit } from './techfiles.ts';
import { changesOf } from './techfiles.ts';
import { readAll, readDoc } from './docs.ts';

export type Outcome = ReportDoc['outcome'];
export type Span = ReportDoc['times'][number];

export interface PhotoDraft {
	/** Attachment name, e.g. `photo-01.jpg`. */
	readonly name: string;
	readonly blob: Blob;
	readonly takenAt: string;
}

export interface SignatureDraft {
	readonly name: string;
	readonly at: string;
	readonly png: Blob;
}

/** A report being written on site: saved to the device on every change. */
export interface ReportDraft {
	readonly missionId: string;
	/** Chosen when the draft starts, so the report keeps one id whatever happens. */
	readonly reportId: string;
	readonly createdAt: string;
	times: Span[];
	/** Start of the running work period; null while paused or finished. */
	runningSince: string | null;
	finished: boolean;
	tasks: string[];
	parts: Part[];
	remarks: string;
	outcome: Outcome;
	/** What remains to do when the outcome is a follow-up: becomes a follow-up event. */
	followUp: string;
	techfileEdits: TechfileEdit[];
	photos: PhotoDraft[];
	signatures: { technician?: SignatureDraft | undefined; client?: SignatureDraft | undefined };
	updatedAt: string;
}

export function newDraft(missionId: string, now: Date): ReportDraft {
	const at = toIso(now);
	return {
		missionId,
		reportId: newId('report', now),
		createdAt: at,
		times: [],
		runningSince: null,
		finished: false,
		tasks: [],
		parts: [],
		remarks: '',
		outcome: 'resolved',
		followUp: '',
		techfileEdits: [],
		photos: [],
		signatures: {},
		updatedAt: at
	};
}

/** Worked minutes: closed periods plus the running one up to `now`. */
export function workedMinutes(draft: Pick<ReportDraft, 'times' | 'runningSince'>, now: Date): number {
	let ms = 0;
	for (const span of draft.times) ms += Date.parse(span.end) - Date.parse(span.start);
	if (draft.runningSince !== null) ms += Math.max(0, now.getTime() - Date.parse(draft.runningSince));
	return Math.round(ms / 60_000);
}

/** Closes the running period at `now`; a period too short to count (< 1 s) is dropped. */
export function closePeriod(draft: ReportDraft, now: Date): Span[] {
	if (draft.runningSince === null) return draft.times;
	const end = Math.max(now.getTime(), Date.parse(draft.runningSince));
	if (end - Date.parse(draft.runningSince) < 1000) return draft.times;
	return [...draft.times, { start: draft.runningSince, end: toIso(end) }];
}

/** Why the draft cannot go to signatures yet, as message keys; empty when it can. */
export function missingForSignature(draft: ReportDraft): ('times' | 'tasks' | 'followUp')[] {
	const missing: ('times' | 'tasks' | 'followUp')[] = [];
	if (!draft.finished || draft.times.length === 0) missing.push('times');
	if (draft.tasks.length === 0) missing.push('tasks');
	if (draft.outcome === 'follow_up' && draft.followUp.trim() === '') missing.push('followUp');
	return missing;
}

async function bytesOf(blob: Blob): Promise<Uint8Array> {
	return new Uint8Array(await blob.arrayBuffer());
}

export interface Sealed {
	readonly report: ReportDoc;
	/** Signature images by attachment name, as hashed. */
	readonly images: Record<string, Uint8Array>;
}

/**
 * The signed report built from a draft whose two signatures are present: content, photos and
 * signature images as attachments, `signedAt` and the hash.
 * @throws {Error} when a signature is missing or the result breaks the report schema.
 */
export async function sealDraft(
	draft: ReportDraft,
	mission: MissionDoc,
	now: Date
): Promise<Sealed> {
	const { technician, client } = draft.signatures;
	if (!technician || !client) throw new Error('both signatures are needed to seal a report');
	const attachments: Record<string, { content_type: string; data: Blob }> = {};
	for (const photo of draft.photos) {
		attachments[photo.name] = { content_type: photo.blob.type || 'image/jpeg', data: photo.blob };
	}
	const images: Record<string, Uint8Array> = {};
	const signed: [SignatureRole, SignatureDraft][] = [
		['technician', technician],
		['client', client]
	];
	for (const [role, signature] of signed) {
		const name = signatureAttachmentName(role);
		attachments[name] = { content_type: 'image/png', data: signature.png };
		images[name] = await bytesOf(signature.png);
	}
	const report: ReportDoc = {
		_id: draft.reportId,
		type: 'report',
		_attachments: attachments,
		missionId: mission._id,
		ticketId: mission.ticketId,
		clientId: mission.clientId,
		technicianId: mission.technicianId,
		times: draft.times,
		tasks: draft.tasks.map((t) => t.trim()).filter((t) => t !== ''),
		parts: draft.parts,
		remarks: draft.remarks,
		techfileChanges: changesOf(draft.techfileEdits),
		outcome: draft.outcome,
		signatures: {
			technician: { name: technician.name, at: technician.at },
			client: { name: client.name, at: client.at }
		},
		signedAt: client.at,
		createdAt: draft.createdAt,
		updatedAt: toIso(now)
	};
	const sealed: ReportDoc = { ...report, hash: await hashReport(report, images) };
	const parsed = parseReport(sealed);
	if (!parsed.ok) throw new Error(parsed.error.join('; '));
	return { report: sealed, images };
}

/**
 * Refuses to replace a signed report: the device says no before the server does.
 * @throws {Error} with the domain's sentence when the change is not allowed.
 */
export function assertChangeAllowed(before: ReportDoc | null, after: ReportDoc): void {
	const decision = reportChangeAllowed(before, after);
	if (!decision.ok) throw new Error(decision.message);
}

/**
 * The report of a mission, or null when it has none on the device.
 * @throws {Error} when the stored report is not valid.
 */
export async function reportOfMission(db: LocalDb, missionId: string): Promise<ReportDoc | null> {
	const [report] = await readAll(db, 'report', (r) => r.missionId === missionId);
	return report ?? null;
}

/** The signed reports at a client, newest first. */
export async function reportsOfClient(db: LocalDb, clientId: string): Promise<ReportDoc[]> {
	const reports = await readAll(db, 'report', (r) => r.clientId === clientId);
	return reports.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
}

export function getReport(db: LocalDb, id: string): Promise<ReportDoc | null> {
	return readDoc(db, 'report', id);
}

/**
 * An attachment of a stored document as a Blob.
 * @returns null when the document has no such attachment on the device.
 */
export async function attachmentBlob(db: LocalDb, docId: string, name: string): Promise<Blob | null> {
	try {
		return (await db.getAttachment(docId, name)) as Blob;
	} catch (error) {
		if ((error as { status?: unknown } | null)?.status === 404) return null;
		throw error;
	}
}

/** Recomputes a stored report's hash from its content and signature images. */
export async function verifyStored(db: LocalDb, report: ReportDoc): Promise<VerifyResult> {
	const images: Record<string, Uint8Array> = {};
	for (const role of ['technician', 'client'] as const) {
		const name = signatureAttachmentName(role);
		const blob = await attachmentBlob(db, report._id, name);
		if (blob) images[name] = await bytesOf(blob);
	}
	return verifyReport(report, images);
}
