/**
 * Sync health per user, for the admin: last success, failures, documents held, last error.
 * Kept in the private database (one `synchealth:<login>` document each), so every server
 * instance records into and reads the same place. Recording never fails a sync: a lost update
 * (two devices of one user at once) only delays a counter.
 */
import type { Couch } from '../couch/connect.ts';
import { messageOf, statusOf } from '../errors.ts';

const PREFIX = 'synchealth:';
/** A success is not re-recorded more often than this when nothing else changed. */
const QUIET_MS = 15_000;

export interface SyncHealth {
	user: string;
	lastSuccessAt: string | null;
	/** Failed syncs since the last success. */
	failures: number;
	totalFailures: number;
	lastFailureAt: string | null;
	/** Documents on the user's list at the last success. */
	docCount: number | null;
	lastError: {
		code: string;
		message: string;
		at: string;
		/** For the admin screen's words (a cap's count and limit). */
		params?: Record<string, string | number>;
	} | null;
	/** Documents refused on push, in all. */
	refusedDocs: number;
	lastRefusal: { id: string; reason: string; at: string } | null;
}

type Stored = SyncHealth & { _id: string; _rev?: string; type: 'sync_health' };

function empty(user: string): Stored {
	return {
		_id: PREFIX + user,
		type: 'sync_health',
		user,
		lastSuccessAt: null,
		failures: 0,
		totalFailures: 0,
		lastFailureAt: null,
		docCount: null,
		lastError: null,
		refusedDocs: 0,
		lastRefusal: null
	};
}

export class HealthStore {
	readonly #couch: Couch;

	constructor(couch: Couch) {
		this.#couch = couch;
	}

	success(user: string, docCount: number, at: Date): Promise<void> {
		return this.#update(user, (h) => {
			const recent =
				h.lastSuccessAt !== null && at.getTime() - Date.parse(h.lastSuccessAt) < QUIET_MS;
			if (recent && h.failures === 0 && h.docCount === docCount) return false;
			h.lastSuccessAt = at.toISOString();
			h.failures = 0;
			h.docCount = docCount;
			return true;
		});
	}

	failure(
		user: string,
		code: string,
		message: string,
		at: Date,
		params?: Record<string, string | number>
	): Promise<void> {
		return this.#update(user, (h) => {
			h.failures += 1;
			h.totalFailures += 1;
			h.lastFailureAt = at.toISOString();
			h.lastError = { code, message, at: at.toISOString(), ...(params ? { params } : {}) };
			return true;
		});
	}

	refused(user: string, refusals: ReadonlyArray<{ id: string; reason: string }>, at: Date) {
		const last = refusals.at(-1);
		if (!last) return Promise.resolve();
		return this.#update(user, (h) => {
			h.refusedDocs += refusals.length;
			h.lastRefusal = { id: last.id, reason: last.reason, at: at.toISOString() };
			return true;
		});
	}

	async list(): Promise<SyncHealth[]> {
		const res = await this.#couch.privateDb.list({
			startkey: PREFIX,
			endkey: `${PREFIX}\ufff0`,
			include_docs: true
		});
		return res.rows
			.map((r) => r.doc as unknown as Stored | undefined)
			.filter((d): d is Stored => d?.type === 'sync_health')
			.map(({ _id: _i, _rev: _r, type: _t, ...health }) => health);
	}

	async #update(user: string, change: (h: Stored) => boolean): Promise<void> {
		try {
			for (let attempt = 0; attempt < 3; attempt++) {
				let current: Stored;
				try {
					current = (await this.#couch.privateDb.get(PREFIX + user)) as unknown as Stored;
				} catch (error) {
					if (statusOf(error) !== 404) throw error;
					current = empty(user);
				}
				if (!change(current)) return;
				try {
					await this.#couch.privateDb.insert(current as unknown as Record<string, unknown>);
					return;
				} catch (error) {
					if (statusOf(error) !== 409) throw error;
				}
			}
		} catch (error) {
			console.error(`sync: could not record sync health of ${user}: ${messageOf(error)}`);
		}
	}
}
