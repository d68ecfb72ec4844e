/**
 * What a desk user opened online outside their working set (an old closed ticket, say): kept
 * on their device for `PIN_DAYS` after the last opening, like the working set (issue #15). One
 * document per user in the private database (`pins:<user id>`), so every server instance on
 * the database lists the same; what hangs on a pinned document (its timeline, missions,
 * reports) comes with it (model.ts `manifest`). Access is checked apart: a pin never lets a
 * user hold what they may not read.
 */
import { CouchError, type CouchHttp } from './couch-http.ts';

export const PIN_DAYS = 7;
/** Most documents one user keeps opened at once (the oldest openings go first). */
export const PIN_MAX = 200;
const DAY_MS = 24 * 60 * 60 * 1000;

interface PinsDoc {
	_id: string;
	_rev?: string;
	type: 'pins';
	/** Document id → when it leaves the device, epoch ms. */
	pins: Record<string, number>;
}

const pinsId = (userId: string) => `pins:${userId}`;

async function read(http: CouchHttp, userId: string): Promise<PinsDoc | null> {
	try {
		const doc = await http.json<Partial<PinsDoc>>(
			`${http.privateDb}/${encodeURIComponent(pinsId(userId))}`
		);
		const pins = typeof doc.pins === 'object' && doc.pins !== null ? doc.pins : {};
		return { _id: pinsId(userId), _rev: doc._rev, type: 'pins', pins };
	} catch (error) {
		if (error instanceof CouchError && error.status === 404) return null;
		throw error;
	}
}

/** The ids the user keeps opened at `now`. */
export async function pinnedIds(
	http: CouchHttp,
	userId: string,
	now: number
): Promise<Set<string>> {
	const doc = await read(http, userId);
	const out = new Set<string>();
	for (const [id, until] of Object.entries(doc?.pins ?? {}))
		if (typeof until === 'number' && now < until) out.add(id);
	return out;
}

/** Keeps `id` on the user's device for `PIN_DAYS` from `now` (tried again on a conflict). */
export async function pin(http: CouchHttp, userId: string, id: string, now: number): Promise<void> {
	for (let attempt = 0; ; attempt++) {
		const doc = (await read(http, userId)) ?? { _id: pinsId(userId), type: 'pins', pins: {} };
		const live = Object.entries(doc.pins).filter(
			([other, until]) => other !== id && typeof until === 'number' && now < until
		);
		live.sort((a, b) => b[1] - a[1]);
		const pins = Object.fromEntries([[id, now + PIN_DAYS * DAY_MS], ...live.slice(0, PIN_MAX - 1)]);
		try {
			await http.json(`${http.privateDb}/${encodeURIComponent(doc._id)}`, {
				method: 'PUT',
				body: { ...doc, pins }
			});
			return;
		} catch (error) {
			if (!(error instanceof CouchError && error.status === 409) || attempt >= 5) throw error;
		}
	}
}
