/**
 * The sync's own bookkeeping: which server revisions the device holds, what was removed
 * from it, where the last push stopped, when the last sync succeeded. Kept in memory for
 * the filters (they run per document) and written through to Dexie so a reload, or a
 * device that opens offline, starts from the same facts. Without IndexedDB (tests, storage
 * refused) it works from memory alone.
 */
import type { DeviceDb, RemovalReason, Removed } from '../data/dexie.ts';
import type { ManifestEntry, RemovedMark } from './plan.ts';
import type { PushFacts } from './push-filter.ts';

const PUSHED_SEQ = 'sync.pushedSeq';
const LAST_SUCCESS = 'sync.lastSuccess';

export class Ledger implements PushFacts {
	readonly serverRevs = new Map<string, string>();
	readonly removed = new Map<string, Removed>();
	pushedSeq: number | string = 0;
	lastSuccess: string | null = null;
	readonly #device: DeviceDb | null;

	constructor(device: DeviceDb | null = null) {
		this.#device = device;
	}

	/** Reads what Dexie holds. Storage errors leave the ledger empty, not broken. */
	async load(): Promise<void> {
		const device = this.#device;
		if (!device) return;
		try {
			const [revs, removed, seq, last] = await Promise.all([
				device.serverRevs.toArray(),
				device.removed.toArray(),
				device.settings.get(PUSHED_SEQ),
				device.settings.get(LAST_SUCCESS)
			]);
			for (const r of revs) this.serverRevs.set(r.id, r.rev);
			for (const r of removed) this.removed.set(r.id, r);
			if (typeof seq?.value === 'number' || typeof seq?.value === 'string')
				this.pushedSeq = seq.value;
			if (typeof last?.value === 'string') this.lastSuccess = last.value;
		} catch (error) {
			console.warn('sync ledger: device storage unavailable', error);
		}
	}

	get removedMarks(): ReadonlyMap<string, RemovedMark> {
		return this.removed;
	}

	/** Records server revisions now stored on the device (only those that changed). */
	async stored(entries: readonly ManifestEntry[]): Promise<void> {
		const changed = entries.filter(([id, rev]) => this.serverRevs.get(id) !== rev);
		if (changed.length === 0) return;
		for (const [id, rev] of changed) this.serverRevs.set(id, rev);
		await this.#write((d) => d.serverRevs.bulkPut(changed.map(([id, rev]) => ({ id, rev }))));
	}

	async markRemoved(
		entries: ReadonlyArray<{ id: string; rev: string }>,
		reason: RemovalReason,
		at: string
	): Promise<void> {
		if (entries.length === 0) return;
		const marks = entries.map((e): Removed => ({ id: e.id, rev: e.rev, reason, at }));
		for (const m of marks) {
			this.removed.set(m.id, m);
			this.serverRevs.delete(m.id);
		}
		const ids = marks.map((m) => m.id);
		await this.#write(async (d) => {
			await d.removed.bulkPut(marks);
			await d.serverRevs.bulkDelete(ids);
		});
	}

	async forget(ids: readonly string[]): Promise<void> {
		const known = ids.filter((id) => this.removed.has(id));
		if (known.length === 0) return;
		for (const id of known) this.removed.delete(id);
		await this.#write((d) => d.removed.bulkDelete(known));
	}

	async pushed(seq: number | string): Promise<void> {
		this.pushedSeq = seq;
		await this.#write((d) => d.settings.put({ key: PUSHED_SEQ, value: seq }));
	}

	async succeeded(at: string): Promise<void> {
		this.lastSuccess = at;
		await this.#write((d) => d.settings.put({ key: LAST_SUCCESS, value: at }));
	}

	async #write(fn: (device: DeviceDb) => Promise<unknown>): Promise<void> {
		if (!this.#device) return;
		try {
			await fn(this.#device);
		} catch (error) {
			// The memory copy is right for this session; the next pull rebuilds the rest.
			console.warn('sync ledger: could not write to device storage', error);
		}
	}
}
