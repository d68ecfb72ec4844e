/**
 * The device's own state, one Dexie database per user (`terrain-local-<user>`): what must
 * never sync (drafts typed a key at a time, signature strokes in progress, settings, the sync
 * journal, ids removed from the device) and the small indexes the sync keeps for itself.
 * PouchDB holds the business documents; see the README, "Device storage: PouchDB and Dexie".
 */
import { Dexie, type EntityTable } from 'dexie';

/** A report being written: saved on every keystroke, never synced, erased at sign-out. */
export interface Draft {
	/** `report:<mission>` or any key the screen chooses; one draft per key. */
	readonly key: string;
	readonly missionId: string;
	readonly fields: Readonly<Record<string, unknown>>;
	readonly updatedAt: string;
}

/** One pen stroke of a signature being drawn: points as [x, y, time]. */
export interface Stroke {
	readonly id?: number;
	/** Which signature: e.g. `report:<id>/client`. */
	readonly key: string;
	readonly index: number;
	readonly points: ReadonlyArray<readonly [number, number, number]>;
}

export interface Setting {
	readonly key: string;
	readonly value: unknown;
}

/** One sync run, for the person (status screen) and for support (what happened offline). */
export interface JournalEntry {
	readonly id?: number;
	readonly startedAt: string;
	readonly endedAt: string | null;
	readonly pulled: number;
	readonly pushed: number;
	readonly removed: number;
	readonly merged: number;
	readonly errors: readonly string[];
}

/** Why a document left the device. */
export type RemovalReason = 'revoked' | 'expired';

/**
 * A document removed from the device. The push never sends these ids (even if a tombstone
 * is left behind), and an `expired` one is not fetched again at the same revision.
 */
export interface Removed {
	readonly id: string;
	readonly rev: string;
	readonly reason: RemovalReason;
	readonly at: string;
}

/**
 * The server's revision of a document as of the last pull, recorded once that revision is
 * stored on the device: a local document still at this revision has nothing to push.
 */
export interface ServerRev {
	readonly id: string;
	readonly rev: string;
}

export class DeviceDb extends Dexie {
	drafts!: EntityTable<Draft, 'key'>;
	strokes!: EntityTable<Stroke, 'id'>;
	settings!: EntityTable<Setting, 'key'>;
	journal!: EntityTable<JournalEntry, 'id'>;
	removed!: EntityTable<Removed, 'id'>;
	serverRevs!: EntityTable<ServerRev, 'id'>;

	constructor(name: string) {
		super(name);
		this.version(1).stores({
			drafts: 'key, missionId, updatedAt',
			strokes: '++id, key, [key+index]',
			settings: 'key',
			journal: '++id, startedAt',
			removed: 'id, reason',
			serverRevs: 'id'
		});
	}
}

export const deviceDbName = (userName: string): string => `terrain-local-${userName}`;

let current: { name: string; db: DeviceDb } | null = null;

/** The signed-in user's device database (opened lazily by Dexie on first use). */
export function deviceDb(userName: string): DeviceDb {
	if (current?.name === userName) return current.db;
	current?.db.close();
	current = { name: userName, db: new DeviceDb(deviceDbName(userName)) };
	return current.db;
}

/** Erases the user's device database (sign-out on a shared device). */
export async function destroyDeviceDb(userName: string): Promise<void> {
	if (current?.name === userName) {
		current.db.close();
		current = null;
	}
	await Dexie.delete(deviceDbName(userName));
}

/** Most journal entries kept: older runs are dropped. */
export const JOURNAL_KEEP = 200;

// --- Drafts -------------------------------------------------------------------------------

/** Saves a draft as typed. @throws when IndexedDB is unavailable. */
export async function saveDraft(
	db: DeviceDb,
	draft: Omit<Draft, 'updatedAt'>,
	now: Date = new Date()
): Promise<Draft> {
	const saved: Draft = { ...draft, updatedAt: now.toISOString() };
	await db.drafts.put(saved);
	return saved;
}

/** The draft under `key`, or null. */
export async function loadDraft(db: DeviceDb, key: string): Promise<Draft | null> {
	return (await db.drafts.get(key)) ?? null;
}

export async function deleteDraft(db: DeviceDb, key: string): Promise<void> {
	await db.drafts.delete(key);
}

/** Every draft, or the drafts of one mission, newest first. */
export async function listDrafts(db: DeviceDb, missionId?: string): Promise<Draft[]> {
	const drafts =
		missionId === undefined
			? await db.drafts.toArray()
			: await db.drafts.where('missionId').equals(missionId).toArray();
	return drafts.sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1));
}

// --- Signature strokes ----------------------------------------------------------------------

/** Appends one finished stroke of the signature `key`. */
export async function addStroke(
	db: DeviceDb,
	key: string,
	points: Stroke['points']
): Promise<void> {
	await db.transaction('rw', db.strokes, async () => {
		const index = await db.strokes.where('key').equals(key).count();
		await db.strokes.add({ key, index, points });
	});
}

/** The strokes of signature `key`, in drawing order. */
export async function loadStrokes(db: DeviceDb, key: string): Promise<Stroke[]> {
	return db.strokes.where('[key+index]').between([key, Dexie.minKey], [key, Dexie.maxKey]).toArray();
}

/** Forgets the strokes of `key` (cleared, or saved into the report). */
export async function clearStrokes(db: DeviceDb, key: string): Promise<void> {
	await db.strokes.where('key').equals(key).delete();
}

// --- Journal --------------------------------------------------------------------------------

/** Records a finished sync run and drops the oldest past `JOURNAL_KEEP`. */
export async function recordRun(db: DeviceDb, entry: JournalEntry): Promise<void> {
	await db.transaction('rw', db.journal, async () => {
		await db.journal.add(entry);
		const extra = (await db.journal.count()) - JOURNAL_KEEP;
		if (extra > 0) await db.journal.orderBy('id').limit(extra).delete();
	});
}

/** The latest runs, newest first. */
export async function lastRuns(db: DeviceDb, limit = 20): Promise<JournalEntry[]> {
	return db.journal.orderBy('id').reverse().limit(limit).toArray();
}
