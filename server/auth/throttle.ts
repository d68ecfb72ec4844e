import type { DocumentScope } from 'nano';
import { hashedId, update } from './counter.ts';

/** Failures allowed before each further attempt has to wait: few per account, more per
 * address since an office behind one NAT shares it. */
export const FREE_FAILURES = { account: 3, address: 20 } as const;
const BASE_DELAY_MS = 2_000;
const MAX_DELAY_MS = 5 * 60_000;
/** Failures older than this are forgotten. */
export const FORGET_AFTER_MS = 30 * 60_000;

export type ThrottleDoc = {
	type: 'throttle';
	failures: number;
	lastAt: number;
};

/**
 * Sign-in attempts per account and per address, kept in the private database so that every
 * server instance sees the same counts. An attempt is counted before its password is checked
 * (one write on the revision read, retried on a conflict), so parallel attempts get at most the
 * free ones through; a right password gives its count back, a wrong one leaves it.
 */
export class LoginThrottle {
	readonly #db: DocumentScope<Record<string, unknown>>;
	constructor(db: DocumentScope<Record<string, unknown>>) {
		this.#db = db;
	}

	/**
	 * Counts one attempt on every key, or none when one of them must wait.
	 * @returns 0 to go ahead, else the milliseconds to wait (nothing counted).
	 */
	async attempt(keys: readonly string[], now: number): Promise<number> {
		const counted: string[] = [];
		for (const key of keys) {
			const wait = await update<ThrottleDoc, number>(this.#db, throttleId(key), (doc) => {
				const fresh = !doc || now - doc.lastAt > FORGET_AFTER_MS;
				const failures = fresh ? 0 : doc.failures;
				const delay = delayAfter(failures, freeFor(key));
				// (Another request may have written a moment later than this one's `now`.)
				const wait = fresh || delay === 0 ? 0 : doc.lastAt + delay - now;
				if (wait > 0) return { doc: undefined, result: wait };
				const lastAt = fresh ? now : Math.max(now, doc.lastAt);
				return { doc: { type: 'throttle', failures: failures + 1, lastAt }, result: 0 };
			});
			if (wait > 0) {
				await this.#giveBack(counted);
				return wait;
			}
			counted.push(key);
		}
		return 0;
	}

	/** The attempt was right: the account starts afresh, the address gets its count back. */
	async succeeded(keys: readonly string[]): Promise<void> {
		for (const key of keys) {
			try {
				if (key.startsWith('account:')) {
					await update<ThrottleDoc, void>(this.#db, throttleId(key), () => ({
						doc: null,
						result: undefined
					}));
				} else {
					await this.#giveBack([key]);
				}
			} catch {
				// A count left behind only slows this address a little; the sign-in stands.
			}
		}
	}

	/**
	 * The attempt was wrong, answered at `now`: the wait before the next one counts from here,
	 * not from the attempt's start (checking a password takes a while on a loaded machine, and
	 * the next attempt must not find its waiting period already run out).
	 */
	async failed(keys: readonly string[], now: number): Promise<void> {
		for (const key of keys) {
			await update<ThrottleDoc, void>(this.#db, throttleId(key), (doc) => ({
				doc: !doc || doc.lastAt >= now ? undefined : { ...doc, lastAt: now },
				result: undefined
			}));
		}
	}

	/** The attempt was neither right nor wrong (the server failed): gives every count back. */
	async cancelled(keys: readonly string[]): Promise<void> {
		await this.#giveBack(keys);
	}

	async #giveBack(keys: readonly string[]): Promise<void> {
		for (const key of keys) {
			await update<ThrottleDoc, void>(this.#db, throttleId(key), (doc) => ({
				doc: !doc ? undefined : doc.failures <= 1 ? null : { ...doc, failures: doc.failures - 1 },
				result: undefined
			}));
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

/** The private document counting a key's attempts (`account:<login>`, `address:<ip>`). */
export function throttleId(key: string): string {
	return hashedId('throttle', key);
}
