/**
 * Limits of the public request form, shared by every server instance (counters in the private
 * database, `formlimit:<hash of key>`; nothing kept in memory): requests per client address,
 * and acknowledgements per recipient e-mail address, since each accepted request mails the
 * address it names. Only accepted requests count: a request is counted once its body is valid,
 * and given back if it is not stored after all.
 */
import { hashedId, update, type Db } from '../auth/counter.ts';

const HOUR_MS = 60 * 60_000;

export const FORM_LIMITS = {
	/** Requests from one address (IPv6: one /64) per hour. */
	address: { max: 20, windowMs: HOUR_MS },
	/** Requests (so acknowledgement mails) naming one e-mail address per 24 hours. */
	recipient: { max: 5, windowMs: 24 * HOUR_MS }
} as const;

type LimitDoc = { type: 'formlimit'; count: number; since: number };

/**
 * Counts one use against `max` per window in the shared counter `id`.
 * @returns 0 when counted, else how long (ms) until the window frees a place.
 */
export function countOne(
	db: Db,
	id: string,
	limit: { readonly max: number; readonly windowMs: number },
	now: number
): Promise<number> {
	return update<LimitDoc, number>(db, id, (doc) => {
		const fresh = !doc || now - doc.since >= limit.windowMs;
		if (!fresh && doc.count >= limit.max)
			return { doc: undefined, result: doc.since + limit.windowMs - now };
		return {
			doc: fresh
				? { type: 'formlimit', count: 1, since: now }
				: { type: 'formlimit', count: doc.count + 1, since: doc.since },
			result: 0
		};
	});
}
type Kind = keyof typeof FORM_LIMITS;

export function formLimitId(kind: Kind, value: string): string {
	return hashedId('formlimit', `${kind}:${value}`);
}

export function recipientKey(email: string): string {
	return email.trim().toLowerCase();
}

/** Which limit refused a request, and for how long. */
export interface Refusal {
	readonly kind: Kind;
	readonly waitMs: number;
}

export class FormLimits {
	readonly #db: Db;
	constructor(db: Db) {
		this.#db = db;
	}

	/** Counts the request against each limit, or against none when one is reached. */
	async take(address: string, email: string, now: number): Promise<Refusal | null> {
		const counted: Array<[Kind, string]> = [];
		for (const [kind, value] of [
			['address', address],
			['recipient', recipientKey(email)]
		] as Array<[Kind, string]>) {
			const wait = await countOne(this.#db, formLimitId(kind, value), FORM_LIMITS[kind], now);
			if (wait > 0) {
				await this.giveBack(counted, now);
				return { kind, waitMs: wait };
			}
			counted.push([kind, value]);
		}
		return null;
	}

	/** Gives back what `take` counted for a request that was not stored. */
	async giveBack(counted: ReadonlyArray<[Kind, string]>, now: number): Promise<void> {
		for (const [kind, value] of counted) {
			await update<LimitDoc, void>(this.#db, formLimitId(kind, value), (doc) => ({
				doc:
					doc && doc.count > 0 && now - doc.since < FORM_LIMITS[kind].windowMs
						? { type: 'formlimit', count: doc.count - 1, since: doc.since }
						: undefined,
				result: undefined
			}));
		}
	}

	/** Gives back both counts of a request (address and recipient). */
	release(address: string, email: string, now: number): Promise<void> {
		return this.giveBack(
			[
				['address', address],
				['recipient', recipientKey(email)]
			],
			now
		);
	}
}
