/**
 * What a pull must do, decided from the server's manifest and what the device holds: pure,
 * so the rules (what is fetched, what leaves the device, how far the first sync has got)
 * are tested without a browser.
 */

/** `[id, rev]`: a document the user may hold now, at the server's winning revision. */
export type ManifestEntry = readonly [id: string, rev: string];

export interface Manifest {
	readonly docs: readonly ManifestEntry[];
	readonly total: number;
}

export interface RemovedMark {
	readonly rev: string;
	readonly reason: 'revoked' | 'expired';
}

export interface PullInput {
	readonly manifest: readonly ManifestEntry[];
	/** Ids whose manifest revision is not in the local revision tree (local `revsDiff`). */
	readonly missing: ReadonlySet<string>;
	/** Ids of the documents on the device (not deleted; no `_local`/`_design`). */
	readonly localIds: readonly string[];
	/** Server revisions already stored on the device, as of earlier pulls. */
	readonly serverRevs: ReadonlyMap<string, string>;
	/** Documents removed from the device earlier. */
	readonly removed: ReadonlyMap<string, RemovedMark>;
	/** Ids with local changes the server has not had yet. */
	readonly pending: ReadonlySet<string>;
}

/**
 * The order a pull fetches in, so that a first sync gives a usable desk early: the
 * referentials, then the people, clients and sites the list names, then the tickets with their
 * numbers and the server's SLA facts, then the rest (timelines, missions, reports…).
 */
export function pullRank(id: string): number {
	if (id.startsWith('config:')) return 0;
	if (/^(user|client|site|contact|group):/.test(id)) return 1;
	if (id.startsWith('ticket:') || id.startsWith('event:number:') || id.startsWith('event:sla:'))
		return 2;
	return 3;
}

/** Documents of ranks ≤ this one are what the ticket list shows (see `pullRank`). */
export const LIST_RANK = 2;

export interface PullPlan {
	/** To fetch with `_bulk_get`, by `pullRank`, then in manifest order. */
	readonly fetch: ManifestEntry[];
	/** Already on the device at the server's revision. */
	readonly present: ManifestEntry[];
	/** To remove from the device: no longer readable by the user. */
	readonly remove: string[];
	/** Removal marks to drop: the document is readable again, or the server caught up. */
	readonly forget: string[];
	/** Documents this pull is about (the manifest less what the device let expire). */
	readonly total: number;
	/** Of `total`, how many are already on the device: where a first sync resumes. */
	readonly done: number;
	/** The tickets among `total`, and how many of them are already on the device. */
	readonly tickets: { readonly total: number; readonly done: number };
}

export function planPull(input: PullInput): PullPlan {
	const listed = new Set<string>();
	const fetch: ManifestEntry[] = [];
	const present: ManifestEntry[] = [];
	const forget: string[] = [];
	let skipped = 0;
	for (const entry of input.manifest) {
		const [id, rev] = entry;
		listed.add(id);
		const mark = input.removed.get(id);
		// Expired on the device (closed mission past the window) while the server has not
		// caught up yet: not fetched again unless the document changed since.
		if (mark?.reason === 'expired' && mark.rev === rev) {
			skipped++;
			continue;
		}
		if (mark !== undefined) forget.push(id);
		if (input.missing.has(id)) fetch.push(entry);
		else present.push(entry);
	}
	for (const [id] of input.removed) if (!listed.has(id)) forget.push(id);
	// A document missing from the manifest leaves the device, unless it was created here
	// and never reached the server yet (it is not on any manifest until its first push).
	const remove = input.localIds.filter(
		(id) => !listed.has(id) && (input.serverRevs.has(id) || !input.pending.has(id))
	);
	const total = input.manifest.length - skipped;
	const isTicket = ([id]: ManifestEntry) => id.startsWith('ticket:');
	const ticketsTotal = fetch.filter(isTicket).length + present.filter(isTicket).length;
	const tickets = { total: ticketsTotal, done: present.filter(isTicket).length };
	// Stable: within a rank, the manifest's order.
	const ranked = fetch
		.map((entry, i) => [pullRank(entry[0]), i, entry] as const)
		.sort((a, b) => a[0] - b[0] || a[1] - b[1])
		.map(([, , entry]) => entry);
	return { fetch: ranked, present, remove, forget, total, done: total - fetch.length, tickets };
}

/** At most this many ids travel with a manifest request as the device's own writes. */
export const WRITTEN_MAX = 1000;

/**
 * The documents this device wrote and pushed that no manifest has listed at that revision yet:
 * on the device, not waiting to be pushed, and at a revision other than the server's the
 * device last stored. They travel with the manifest request so that the server answers only
 * once it holds them (read-your-writes): the push may have gone through another server
 * instance, or a cluster's copy the manifest's server reads may not have them yet, and a
 * manifest without them would take them off the device as if revoked.
 */
export function unconfirmedIds(
	local: readonly ManifestEntry[],
	serverRevs: ReadonlyMap<string, string>,
	pending: ReadonlySet<string>
): string[] {
	const out: string[] = [];
	for (const [id, rev] of local) {
		if (out.length >= WRITTEN_MAX) break;
		if (!pending.has(id) && serverRevs.get(id) !== rev) out.push(id);
	}
	return out;
}

/** Splits `items` into batches of at most `size`. */
export function batches<T>(items: readonly T[], size: number): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
	return out;
}
