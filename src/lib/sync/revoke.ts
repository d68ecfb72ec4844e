/**
 * Documents leaving the device: revoked ones (no longer on the manifest) and closed missions
 * past the access window (storage). With the `indexeddb` adapter every leaf revision is
 * purged, so nothing is left to push and a later grant brings the document back whole.
 * Adapters without purge (the memory one in tests) get a local tombstone instead; the
 * removal mark keeps the push from ever sending it.
 */
import { withinWindow } from '../domain/access.ts';
import { DEFAULT_ACCESS_WINDOW_DAYS } from '../domain/schemas/config.ts';
import type { RemovalReason } from '../data/dexie.ts';
import type { LocalDb } from '../data/local-db.ts';
import type { Ledger } from './ledger.ts';

type Json = Readonly<Record<string, unknown>>;

const atOf = (outcome: unknown): string | undefined => {
	const at = (outcome as { at?: unknown } | null | undefined)?.at;
	return typeof at === 'string' ? at : undefined;
};

interface Purgeable {
	purge(id: string, rev: string): Promise<unknown>;
}

/** Removes `ids` from the device, marking them first. Returns the ids removed. */
export async function removeFromDevice(
	db: LocalDb,
	ledger: Ledger,
	ids: readonly string[],
	reason: RemovalReason,
	at: string
): Promise<string[]> {
	if (ids.length === 0) return [];
	const rows = await db.allDocs({ keys: [...ids] });
	const present = rows.rows.flatMap((row) =>
		'value' in row && row.value ? [{ id: row.id, rev: row.value.rev }] : []
	);
	// Marked before anything is removed: if the page dies half-way, the push still skips them.
	await ledger.markRemoved(present, reason, at);
	for (const { id } of present) await purgeDoc(db, id);
	return present.map((p) => p.id);
}

async function purgeDoc(db: LocalDb, id: string): Promise<void> {
	const leaves = (await db.get(id, { open_revs: 'all' })) as unknown as Array<{
		ok?: { _rev: string; _deleted?: boolean };
	}>;
	const revs = leaves.flatMap((leaf) => (leaf.ok ? [leaf.ok] : []));
	try {
		for (const leaf of revs) await (db as unknown as Purgeable).purge(id, leaf._rev);
	} catch (error) {
		const e = error as { reason?: unknown; message?: unknown };
		if (!/not implemented/i.test(`${String(e.reason)} ${String(e.message)}`)) throw error;
		const live = revs.filter((leaf) => leaf._deleted !== true);
		if (live.length > 0)
			await db.bulkDocs(live.map((leaf) => ({ _id: id, _rev: leaf._rev, _deleted: true })));
	}
}

export interface ExpiryInput {
	readonly missions: readonly Json[];
	readonly tickets: ReadonlyMap<string, Json>;
	readonly reports: readonly Json[];
	readonly events: readonly Json[];
	readonly now: number;
	readonly windowDays?: number | undefined;
}

/**
 * What a technician's device lets go when a mission's ticket closed (or was cancelled) more
 * than the access window ago: the mission, its ticket, the ticket's reports and timeline.
 * Clients and technical files stay: other missions or grants may still give them.
 */
export function expiredIds(input: ExpiryInput): string[] {
	const context = { now: input.now, windowDays: input.windowDays ?? DEFAULT_ACCESS_WINDOW_DAYS };
	const tickets = new Set<string>();
	const out = new Set<string>();
	for (const mission of input.missions) {
		const ticket = input.tickets.get(String(mission.ticketId));
		if (!ticket) continue;
		const ended = atOf(ticket.closure) ?? atOf(ticket.cancellation);
		if (ended === undefined || withinWindow(ended, context)) continue;
		out.add(String(mission._id));
		out.add(String(ticket._id));
		tickets.add(String(ticket._id));
	}
	if (tickets.size === 0) return [];
	for (const doc of [...input.reports, ...input.events]) {
		if (tickets.has(String(doc.ticketId))) out.add(String(doc._id));
	}
	return [...out].sort();
}
