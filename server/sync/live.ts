/**
 * Live: devices wait in a long-poll until something they read changes. The changes follower
 * reports, for each indexing pass, the position reached in the database's feed and the
 * principals concerned; this hub keeps a short log of those and wakes the waiting requests of
 * the users concerned. Deadlines (access windows, grant expiries) wake them too (the service
 * sweeps them every second), so a revocation by time reaches a waiting device without a write.
 *
 * The token a device holds is its position: the feed position (shared by every instance, all
 * following the same database) and the time it was issued. It is opaque to the device.
 */
import { Buffer } from 'node:buffer';

export interface Position {
	/** Numeric part of the database's update sequence. */
	readonly seq: number;
	/** Epoch ms (server clock) at which the token was issued. */
	readonly time: number;
}

export function encodeToken(p: Position): string {
	return Buffer.from(JSON.stringify([p.seq, p.time])).toString('base64url');
}

export function decodeToken(token: unknown): Position | null {
	if (typeof token !== 'string' || token.length > 200) return null;
	try {
		const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
		if (!Array.isArray(value) || value.length !== 2) return null;
		const [seq, time] = value as unknown[];
		if (typeof seq !== 'number' || typeof time !== 'number') return null;
		if (!Number.isFinite(seq) || !Number.isFinite(time)) return null;
		return { seq, time };
	} catch {
		return null;
	}
}

interface Waiter {
	readonly held: ReadonlySet<string>;
	readonly done: (changed: boolean) => void;
}

interface Passage {
	readonly seq: number;
	readonly all: boolean;
	readonly principals: ReadonlySet<string>;
}

const LOG_MS = 10 * 60 * 1000;
const LOG_MAX = 20_000;

export class LiveHub {
	readonly #log: Array<Passage & { at: number }> = [];
	readonly #waiters = new Set<Waiter>();
	/** Positions before this one are not in the log: a token that old gets "changed". */
	#floor: number | null = null;
	#seq = 0;

	get seq(): number {
		return this.#seq;
	}

	get waiting(): number {
		return this.#waiters.size;
	}

	/** The follower starts here (its checkpoint); what came before is unknown. */
	start(seq: number): void {
		this.#floor = seq;
		this.#seq = seq;
	}

	/** The follower reached `seq`; what it indexed concerned these principals. */
	advance(seq: number, all: boolean, principals: ReadonlySet<string>): void {
		this.#seq = Math.max(this.#seq, seq);
		if (all || principals.size > 0) {
			const at = Date.now();
			this.#log.push({ seq, all, principals, at });
			while (this.#log.length > LOG_MAX || (this.#log[0] && at - this.#log[0].at > LOG_MS)) {
				this.#floor = this.#log.shift()!.seq;
			}
			this.wake(all, principals);
		}
	}

	wake(all: boolean, principals: ReadonlySet<string>): void {
		for (const w of this.#waiters) {
			if (all || [...w.held].some((p) => principals.has(p))) w.done(true);
		}
	}

	/** Whether something the holder reads changed in the feed after `seq`. */
	changedSince(seq: number, held: ReadonlySet<string>): boolean {
		if (this.#floor === null || seq < this.#floor) return true;
		return this.#log.some(
			(p) => p.seq > seq && (p.all || [...held].some((h) => p.principals.has(h)))
		);
	}

	/** Waits until woken (true) or `ms` pass or `signal` aborts (false). */
	wait(held: ReadonlySet<string>, ms: number, signal: AbortSignal): Promise<boolean> {
		return new Promise((resolve) => {
			let timer: NodeJS.Timeout | undefined = undefined;
			const waiter: Waiter = {
				held,
				done: (changed) => {
					clearTimeout(timer);
					signal.removeEventListener('abort', onAbort);
					this.#waiters.delete(waiter);
					resolve(changed);
				}
			};
			const onAbort = () => waiter.done(false);
			timer = setTimeout(() => waiter.done(false), ms);
			signal.addEventListener('abort', onAbort);
			this.#waiters.add(waiter);
			if (signal.aborted) waiter.done(false);
		});
	}

	/** Ends every wait (server stopping). */
	close(): void {
		for (const w of this.#waiters) w.done(false);
	}
}
