// The report draft in the device database (Dexie, see #lib/data/dexie.ts). Photos are kept
// in rows of their own, so saving the fields on every keystroke never rewrites the images.
import {
	deleteDraft,
	listDrafts,
	loadDraft,
	saveDraft,
	clearStrokes,
	type DeviceDb
} from '#lib/data/dexie.ts';
import type { PhotoDraft, ReportDraft } from '#lib/data/reports.ts';

const draftKey = (missionId: string) => `report:${missionId}`;
const photoKey = (reportId: string, name: string) => `report-photo:${reportId}/${name}`;
/** Strokes of a signature being drawn, by role. */
export const strokesKey = (reportId: string, role: 'technician' | 'client') =>
	`${reportId}/${role}`;

type Fields = Omit<ReportDraft, 'photos'> & { photos: { name: string; takenAt: string }[] };

function photoOf(fields: Readonly<Record<string, unknown>>): PhotoDraft | null {
	const { kind, blob, name, takenAt } = fields;
	if (kind !== 'photo' || !(blob instanceof Blob) || typeof name !== 'string') return null;
	return { blob, name, takenAt: typeof takenAt === 'string' ? takenAt : '' };
}

/** The mission's draft with its photos, or null. @throws when IndexedDB fails. */
export async function readReportDraft(
	db: DeviceDb,
	missionId: string
): Promise<ReportDraft | null> {
	const row = await loadDraft(db, draftKey(missionId));
	if (!row) return null;
	const fields = row.fields as unknown as Fields;
	const rows = await listDrafts(db, missionId);
	const blobs = new Map<string, PhotoDraft>();
	for (const r of rows) {
		const photo = photoOf(r.fields);
		if (photo) blobs.set(photo.name, photo);
	}
	const photos = fields.photos.flatMap((p) => {
		const photo = blobs.get(p.name);
		return photo ? [{ name: p.name, takenAt: p.takenAt, blob: photo.blob }] : [];
	});
	return { ...fields, photos };
}

/** Saves the draft's fields (not the photos: see addPhotoRow). @throws when IndexedDB fails. */
export async function writeReportDraft(db: DeviceDb, draft: ReportDraft): Promise<void> {
	const fields: Fields = {
		...draft,
		photos: draft.photos.map(({ name, takenAt }) => ({ name, takenAt }))
	};
	await saveDraft(db, {
		key: draftKey(draft.missionId),
		missionId: draft.missionId,
		fields: fields as unknown as Record<string, unknown>
	});
}

export async function addPhotoRow(
	db: DeviceDb,
	draft: ReportDraft,
	photo: PhotoDraft
): Promise<void> {
	await saveDraft(db, {
		key: photoKey(draft.reportId, photo.name),
		missionId: draft.missionId,
		fields: { kind: 'photo', ...photo }
	});
}

export async function removePhotoRow(
	db: DeviceDb,
	draft: ReportDraft,
	name: string
): Promise<void> {
	await deleteDraft(db, photoKey(draft.reportId, name));
}

/** Forgets everything of the draft once the report is saved. */
export async function dropReportDraft(db: DeviceDb, draft: ReportDraft): Promise<void> {
	for (const row of await listDrafts(db, draft.missionId)) await deleteDraft(db, row.key);
	await clearStrokes(db, strokesKey(draft.reportId, 'technician'));
	await clearStrokes(db, strokesKey(draft.reportId, 'client'));
}

/** Whether a report is in progress for the mission (the mission page's button). */
export async function hasReportDraft(db: DeviceDb, missionId: string): Promise<boolean> {
	return (await loadDraft(db, draftKey(missionId))) !== null;
}

// The client signing mode survives a reload: the lock is a device setting, not page state.
const lockKey = (missionId: string) => `client-lock:${missionId}`;

export async function isClientLocked(db: DeviceDb, missionId: string): Promise<boolean> {
	return (await db.settings.get(lockKey(missionId)))?.value === true;
}

export async function setClientLock(
	db: DeviceDb,
	missionId: string,
	locked: boolean
): Promise<void> {
	if (locked) await db.settings.put({ key: lockKey(missionId), value: true });
	else await db.settings.delete(lockKey(missionId));
}
