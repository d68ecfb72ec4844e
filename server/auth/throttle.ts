import { createHash } from 'node:crypto';
import type { DocumentScope } from 'nano';
import { statusOf } from '../errors.ts';

/** Failures allowed before each further attempt has to wait: few per account, more per
 * address since an office behind one NAT shares it. */
export const FREE_FAILURES = { account: 3, address: 20 } as const;
const BASE_DELAY_MS = 2_000;
const MAX_DELAY_MS = 5 * 60_000;
/** Failures older than this are forgotten. */
const FORGET_AFTER_MS = 30 * 60_000;

type ThrottleDoc = {
	_id: string;
	_rev?: string;
	type: 'throttle';
	failures: number;
	lastAt: number;
};

/**
 * Sign-in failures per account and per address, kept in the private database so that
 * every server instance sees the same counts.
 */
export class LoginThrottle {
	readonly #db: DocumentScope<Record<string, unknown>>;
	constructor(db: DocumentScope<Record<string, unknown>>) {
		this.#db = db;
	}

	/** Milliseconds to wait before the next attempt for any of these keys (0 = go ahead). */
	async waitFor(keys: readonly string[], now: number): Promise<number> {
		let wait = 0;
		for (const key of keys) {
			const doc = await this.#get(key);
			if (!doc || now - doc.lastAt > FORGET_AFTER_MS) continue;
			wait = Math.max(wait, doc.lastAt + delayAfter(doc.failures, freeFor(key)) - now);
		}
		return Math.max(0, wait);
	}

	async failed(keys: readonly string[], now: number): Promise<void> {
		for (const key of keys) {
			const doc = await this.#get(key);
			const fresh = !doc || now - doc.lastAt > FORGET_AFTER_MS;
			const next: ThrottleDoc = {
				_id: idFor(key),
				...(doc?._rev ? { _rev: doc._rev } : {}),
				type: 'throttle',
				failures: fresh ? 1 : doc.failures + 1,
				lastAt: now
			};
			await this.#db.insert(next).catch((error: unknown) => {
				// Two instances counting the same failure at once: one count is enough.
				if (statusOf(error) !== 409) throw error;
			});
		}
	}

	async succeeded(key: string): Promise<void> {
		const doc = await this.#get(key);
		if (doc?._rev) await this.#db.destroy(doc._id, doc._rev).catch(() => undefined);
	}

	async #get(key: string): Promise<ThrottleDoc | null> {
		try {
			return (await this.#db.get(idFor(key))) as unknown as ThrottleDoc;
		} catch (error) {
			if (statusOf(error) === 404) return null;
			throw error;
		}
	}
}

export function delayAfter(failures: number, free: number): number {
	if (failures < free) return 0;
	return Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (failures - free));
}

function freeFor(key: string): number {
	return key.startsWith('address:') ? FREE_FAILURES.address : FREE_FAILURES.account;
}

function idFor(key: string): string {
	return `throttle:${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}
