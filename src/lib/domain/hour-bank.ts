/**
 * A managed-services client's hour bank, as its movements make it. The bank's size is the
 * contract's (`hourBank`, hours bought); `hoursUsed` is what was used before Terrain, entered
 * once when the contract is set up; everything since is a movement the server wrote at a
 * closure (`hourbank:` documents, a debit or a correction). The balance is derived from them,
 * never a counter edited in place, so two closures billed at once by two server instances
 * both count.
 */
import type { ClientDoc } from './schemas/client.ts';
import type { HourBankDoc } from './schemas/hourbank.ts';

export interface HourBankBalance {
	/** The bank bought, in minutes. */
	readonly bankMinutes: number;
	/** Used so far: before Terrain plus the movements. */
	readonly usedMinutes: number;
	/** What is left; negative when overdrawn. */
	readonly balanceMinutes: number;
	/** How many movements of this client count. */
	readonly movements: number;
}

/**
 * The balance of the client's hour bank; null when the client has no managed-services
 * contract (no bank). Movements of other clients, or not under the `hourbank:` prefix, are
 * ignored.
 */
export function hourBankBalance(
	client: Pick<ClientDoc, '_id' | 'contract'>,
	movements: readonly Pick<HourBankDoc, '_id' | 'clientId' | 'minutes'>[]
): HourBankBalance | null {
	const c = client.contract;
	if (c.kind !== 'managed' || c.hourBank === undefined) return null;
	const bankMinutes = Math.round(c.hourBank * 60);
	let moved = 0;
	let count = 0;
	for (const m of movements) {
		if (m.clientId !== client._id || !m._id.startsWith('hourbank:')) continue;
		moved += m.minutes;
		count++;
	}
	const usedMinutes = Math.round((c.hoursUsed ?? 0) * 60) - moved;
	return { bankMinutes, usedMinutes, balanceMinutes: bankMinutes - usedMinutes, movements: count };
}

/** Whole hours and the minutes past them ("12 h 05"), of a duration's absolute value. */
export function hoursAndMinutes(minutes: number): { hours: number; minutes: string } {
	const abs = Math.abs(Math.round(minutes));
	return { hours: Math.floor(abs / 60), minutes: String(abs % 60).padStart(2, '0') };
}
