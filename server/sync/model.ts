/**
 * The access model of one server process: for every live business document, its current
 * revision and who reads it over time (acl.ts), with the facts those were derived from and
 * the reverse links to re-derive them. Held in memory and kept current by the process's one
 * changes follower; every instance derives the same model from the same database, so nothing
 * here is shared or written back (see README, "Sync").
 */
import { userPrincipals, type TicketFact, type UserLike } from '#lib/domain/access.ts';
import type { Doc } from '#lib/domain/schemas.ts';
import {
	AGING,
	holdTeam,
	inWorkingSet,
	isHoldMark,
	type TeamScope
} from '#lib/domain/working-set.ts';
import {
	escalationFactIds,
	escalationGroupOf,
	everyPrincipal,
	grantRow,
	missionRow,
	ticketFact,
	validAt,
	type Acl,
	type AclEntry,
	type FactSource,
	type GrantRow,
	type MissionRow
} from './acl.ts';

/** What a desk device keeps of what its user reads (working-set.ts). */
export interface WorkingSetFilter {
	/** The user's marks (`userHolds`). */
	readonly holds: ReadonlySet<string>;
	/** `config:access` `workingSetDays`. */
	readonly days: number;
	/** Documents the user opened online lately (pins.ts), with what hangs on them. */
	readonly pinned: ReadonlySet<string>;
}

/** The principals among entries, without the working-set marks (nobody reads with those). */
function readersIn(entries: readonly AclEntry[]): string[] {
	return everyPrincipal(entries).filter((p) => !isHoldMark(p));
}

export interface DocState {
	readonly rev: string;
	readonly acl: Acl;
}

/**
 * Everything the model holds, by reference (rows and states are never mutated, only
 * replaced): what a checkpoint stores, and enough to rebuild an equal model (`restore`).
 */
export interface ModelSnapshot {
	readonly windowDays: number | undefined;
	readonly docs: ReadonlyArray<readonly [string, DocState]>;
	readonly missions: readonly MissionRow[];
	readonly grants: readonly GrantRow[];
	readonly tickets: ReadonlyArray<readonly [string, TicketFact]>;
	readonly users: readonly UserLike[];
	/** Escalation facts with a group: `[fact id, group]`. */
	readonly escalations: ReadonlyArray<readonly [string, string]>;
}

export class AccessModel implements FactSource {
	#window: number | undefined;
	readonly #missions = new Map<string, MissionRow>();
	readonly #missionsByTicket = new Map<string, Set<string>>();
	readonly #missionsByClient = new Map<string, Set<string>>();
	readonly #grants = new Map<string, GrantRow>();
	readonly #grantsByClient = new Map<string, Set<string>>();
	readonly #tickets = new Map<string, TicketFact>();
	/** The group each escalation fact (`event:sla:<ticket>:escalated:<deadline>`) sent to. */
	readonly #escalations = new Map<string, string>();
	readonly #users = new Map<string, UserLike>();
	readonly #docs = new Map<string, DocState>();
	/**
	 * The ids each principal may read. After `restore`, a principal's ids stay the plain list
	 * the checkpoint gave (no duplicates) until a change to that principal makes it a set.
	 */
	readonly #byPrincipal = new Map<string, Set<string> | string[]>();
	// Derived from #docs when first needed (null until then): a restart answers sooner.
	#dependentsIndex: Map<string, Set<string>> | null = new Map();
	#deadlinesIndex: Deadlines | null = new Deadlines();
	/**
	 * The documents carrying each hold mark, derived at the first desk manifest: a working set
	 * is gathered from its marks, not by going through everything the user reads.
	 */
	#byMarkIndex: Map<string, Set<string>> | null = null;
	/** The documents carrying each team's mark (`hold:team:…`), derived when first needed. */
	#teamsIndex: Map<string, Set<string>> | null = null;

	constructor(windowDays?: number) {
		this.#window = windowDays;
	}

	get size(): number {
		return this.#docs.size;
	}

	/** The whole model in one synchronous step (a copy of the maps, not of the rows). */
	snapshot(): ModelSnapshot {
		return {
			windowDays: this.#window,
			docs: [...this.#docs],
			missions: [...this.#missions.values()],
			grants: [...this.#grants.values()],
			tickets: [...this.#tickets],
			users: [...this.#users.values()],
			escalations: [...this.#escalations]
		};
	}

	/** A model equal to the one `snapshot` was taken from (indexes derived again). */
	static restore(snapshot: ModelSnapshot): AccessModel {
		const model = new AccessModel(snapshot.windowDays);
		for (const row of snapshot.missions) {
			model.#missions.set(row.id, row);
			add(model.#missionsByTicket, row.ticketId, row.id);
			add(model.#missionsByClient, row.clientId, row.id);
		}
		for (const row of snapshot.grants) {
			model.#grants.set(row.id, row);
			add(model.#grantsByClient, row.clientId, row.id);
		}
		for (const [id, fact] of snapshot.tickets) model.#tickets.set(id, fact);
		for (const [id, group] of snapshot.escalations) model.#escalations.set(id, group);
		for (const user of snapshot.users) model.#users.set(user._id, user);
		// As `set` does, for documents not yet in the model; documents often share one list of
		// entries (the events of a subject), whose principals are then listed once. Each
		// principal's ids are kept as the list gathered here; dependents and deadlines are
		// derived later, when first asked for (the first change, the first wake-up sweep).
		const principalsOf = new Map<readonly AclEntry[], string[]>();
		const byPrincipal = model.#byPrincipal as Map<string, string[]>;
		model.#dependentsIndex = null;
		model.#deadlinesIndex = null;
		for (const [id, state] of snapshot.docs) {
			const entries = state.acl.entries;
			let principals = principalsOf.get(entries);
			if (!principals) principalsOf.set(entries, (principals = readersIn(entries)));
			if (model.#docs.has(id)) continue;
			model.#docs.set(id, state);
			for (const p of principals) {
				const ids = byPrincipal.get(p);
				if (ids) ids.push(id);
				else byPrincipal.set(p, [id]);
			}
		}
		return model;
	}

	get #dependents(): Map<string, Set<string>> {
		if (this.#dependentsIndex) return this.#dependentsIndex;
		const index = new Map<string, Set<string>>();
		for (const [id, state] of this.#docs) for (const s of state.acl.sources) add(index, s, id);
		return (this.#dependentsIndex = index);
	}

	get #deadlines(): Deadlines {
		if (this.#deadlinesIndex) return this.#deadlinesIndex;
		const index = new Deadlines();
		for (const state of this.#docs.values()) index.add(state.acl.entries);
		return (this.#deadlinesIndex = index);
	}

	get #byMark(): Map<string, Set<string>> {
		if (this.#byMarkIndex) return this.#byMarkIndex;
		const index = new Map<string, Set<string>>();
		for (const [id, state] of this.#docs)
			for (const m of marksIn(state.acl.entries)) add(index, m, id);
		return (this.#byMarkIndex = index);
	}

	get #teams(): Map<string, Set<string>> {
		if (this.#teamsIndex) return this.#teamsIndex;
		const index = new Map<string, Set<string>>();
		for (const [id, state] of this.#docs) indexTeams(index, id, state, add);
		return (this.#teamsIndex = index);
	}

	/**
	 * The team of a desk user, with its clients and people (working-set.ts): from the marks
	 * of their profile and of the documents naming the team. Undefined when in no team.
	 */
	teamScope(userId: string): TeamScope | undefined {
		const own = this.#docs.get(userId);
		const mark = own ? teamMarksIn(own.acl.entries)[0] : undefined;
		if (mark === undefined) return undefined;
		// Clients and people in no team are every team's.
		const members = [
			...(this.#teams.get(mark) ?? []),
			...(this.#teams.get(TEAM_MARK) ?? [])
		].sort();
		return {
			team: mark.slice(TEAM_MARK.length),
			clients: members.filter((id) => id.startsWith('client:')),
			technicians: members.filter((id) => id.startsWith('user:'))
		};
	}

	/** The principal's ids as a set, made one from the restored list on its first change. */
	#idsOf(principal: string): Set<string> | undefined {
		const ids = this.#byPrincipal.get(principal);
		if (!Array.isArray(ids)) return ids;
		const set = new Set(ids);
		this.#byPrincipal.set(principal, set);
		return set;
	}

	setWindowDays(days: number | undefined): void {
		this.#window = days;
	}

	/** Records the facts a document holds (a mission, grant or ticket), or that it is gone. */
	noteFacts(id: string, doc: Doc | null): void {
		const mission = this.#missions.get(id);
		if (mission) {
			remove(this.#missionsByTicket, mission.ticketId, id);
			remove(this.#missionsByClient, mission.clientId, id);
			this.#missions.delete(id);
		}
		const grant = this.#grants.get(id);
		if (grant) {
			remove(this.#grantsByClient, grant.clientId, id);
			this.#grants.delete(id);
		}
		this.#tickets.delete(id);
		this.#users.delete(id);
		this.#escalations.delete(id);
		const escalatedTo = escalationGroupOf(doc);
		if (escalatedTo !== undefined) this.#escalations.set(id, escalatedTo);
		if (doc?.type === 'mission') {
			const row = missionRow(doc);
			this.#missions.set(id, row);
			add(this.#missionsByTicket, row.ticketId, id);
			add(this.#missionsByClient, row.clientId, id);
		} else if (doc?.type === 'grant') {
			const row = grantRow(doc);
			this.#grants.set(id, row);
			add(this.#grantsByClient, row.clientId, id);
		} else if (doc?.type === 'ticket') {
			this.#tickets.set(id, ticketFact(doc));
		} else if (doc?.type === 'user') {
			this.#users.set(id, {
				_id: id,
				roles: doc.roles,
				groups: doc.groups,
				disabled: doc.disabled
			});
		}
	}

	/** Sets a ticket's facts as agreed by its branches while it is in conflict (indexer.ts). */
	noteTicketFact(id: string, fact: TicketFact): void {
		this.#tickets.set(id, fact);
	}

	/**
	 * The principals of a signed-in user, from their profile as the model knows it (the
	 * session's copy may be seconds old, and a change of groups must show in the next sync).
	 */
	principalsOf(user: UserLike): string[] {
		return userPrincipals(this.current(user));
	}

	/** The user's roles and groups as last saved (falls back to the session's copy). */
	current(user: UserLike): UserLike {
		return this.#users.get(user._id) ?? user;
	}

	/** The mission or grant as last recorded (to know what it pointed to before a change). */
	factRow(id: string): MissionRow | GrantRow | undefined {
		return this.#missions.get(id) ?? this.#grants.get(id);
	}

	windowDays(): number | undefined {
		return this.#window;
	}
	missionsOfTicket(ticketId: string): MissionRow[] {
		return this.#rows(this.#missionsByTicket.get(ticketId), this.#missions);
	}
	missionsAtClient(clientId: string): MissionRow[] {
		return this.#rows(this.#missionsByClient.get(clientId), this.#missions);
	}
	grantsOnClient(clientId: string): GrantRow[] {
		return this.#rows(this.#grantsByClient.get(clientId), this.#grants);
	}
	ticket(ticketId: string): TicketFact | undefined {
		return this.#tickets.get(ticketId);
	}
	escalationGroups(ticketId: string): string[] {
		const groups = escalationFactIds(ticketId).flatMap((id) => {
			const group = this.#escalations.get(id);
			return group === undefined ? [] : [group];
		});
		return [...new Set(groups)];
	}
	subjectEntries(docId: string): readonly AclEntry[] | undefined {
		return this.#docs.get(docId)?.acl.entries;
	}

	get(id: string): DocState | undefined {
		return this.#docs.get(id);
	}

	/** Documents whose readers were derived from `id`. */
	dependentsOf(id: string): string[] {
		return [...(this.#dependents.get(id) ?? [])];
	}

	/** Stores a document's state (null: gone); returns the previous one. */
	set(id: string, state: DocState | null): DocState | undefined {
		// Derived before any change, so that they are derived from the model as it was.
		const dependents = this.#dependents;
		const deadlines = this.#deadlines;
		const before = this.#docs.get(id);
		if (before) {
			for (const p of readersIn(before.acl.entries)) {
				const ids = this.#idsOf(p);
				ids?.delete(id);
				if (ids?.size === 0) this.#byPrincipal.delete(p);
			}
			for (const s of before.acl.sources) remove(dependents, s, id);
			deadlines.remove(before.acl.entries);
			if (this.#teamsIndex) indexTeams(this.#teamsIndex, id, before, remove);
			if (this.#byMarkIndex)
				for (const m of marksIn(before.acl.entries)) remove(this.#byMarkIndex, m, id);
			this.#docs.delete(id);
		}
		if (state) {
			this.#docs.set(id, state);
			for (const p of readersIn(state.acl.entries)) {
				const ids = this.#idsOf(p);
				if (ids) ids.add(id);
				else this.#byPrincipal.set(p, new Set([id]));
			}
			for (const s of state.acl.sources) add(dependents, s, id);
			deadlines.add(state.acl.entries);
			if (this.#teamsIndex) indexTeams(this.#teamsIndex, id, state, add);
			if (this.#byMarkIndex)
				for (const m of marksIn(state.acl.entries)) add(this.#byMarkIndex, m, id);
		}
		return before;
	}

	/**
	 * [id, rev] of every document one of `held` reads at `now`, sorted by id. With `workingSet`
	 * (a desk device), only those in its working set (working-set.ts) or opened online
	 * (`pinned`).
	 */
	manifest(
		held: readonly string[],
		now: number,
		workingSet?: WorkingSetFilter
	): Array<[string, string]> {
		const ids = new Set<string>();
		const set = new Set(held);
		if (workingSet) {
			// From the user's marks (and what they opened): bounded by the working set, whatever
			// the size of what they may read.
			const readNow = (state: DocState) =>
				state.acl.entries.some((e) => set.has(e[0]) && validAt(e, now));
			const consider = (id: string) => {
				if (ids.has(id)) return;
				const state = this.#docs.get(id);
				if (!state || !readNow(state)) return;
				if (
					inWorkingSet(state.acl.entries, workingSet.holds, now, workingSet.days) ||
					workingSet.pinned.has(id)
				)
					ids.add(id);
			};
			for (const mark of workingSet.holds)
				for (const id of this.#byMark.get(mark) ?? []) consider(id);
			for (const id of workingSet.pinned) consider(id);
			return [...ids]
				.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
				.map((id) => [id, this.#docs.get(id)!.rev]);
		}
		for (const p of held) {
			for (const id of this.#byPrincipal.get(p) ?? []) {
				if (ids.has(id)) continue;
				const state = this.#docs.get(id);
				if (state && state.acl.entries.some((e) => set.has(e[0]) && validAt(e, now))) ids.add(id);
			}
		}
		return [...ids]
			.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
			.map((id) => [id, this.#docs.get(id)!.rev]);
	}

	readable(id: string, held: ReadonlySet<string>, now: number): boolean {
		const state = this.#docs.get(id);
		return state !== undefined && state.acl.entries.some((e) => held.has(e[0]) && validAt(e, now));
	}

	/** Principals who gain or lose a document at an instant in (since, until]. */
	deadlinesBetween(since: number, until: number): Set<string> {
		return this.#deadlines.between(since, until);
	}

	#rows<R>(ids: Set<string> | undefined, rows: Map<string, R>): R[] {
		return [...(ids ?? [])].sort().flatMap((id) => {
			const row = rows.get(id);
			return row ? [row] : [];
		});
	}
}

/** Instants at which some principal's access starts or ends, with the principals. */
class Deadlines {
	readonly #at = new Map<number, Map<string, number>>();
	#sorted: number[] | null = [];

	add(entries: readonly AclEntry[]): void {
		this.#each(entries, (time, principal) => {
			let counts = this.#at.get(time);
			if (!counts) {
				counts = new Map();
				this.#at.set(time, counts);
				this.#sorted = null;
			}
			counts.set(principal, (counts.get(principal) ?? 0) + 1);
		});
	}

	remove(entries: readonly AclEntry[]): void {
		this.#each(entries, (time, principal) => {
			const counts = this.#at.get(time);
			if (!counts) return;
			const n = (counts.get(principal) ?? 0) - 1;
			if (n > 0) counts.set(principal, n);
			else counts.delete(principal);
			if (counts.size === 0) {
				this.#at.delete(time);
				this.#sorted = null;
			}
		});
	}

	between(since: number, until: number): Set<string> {
		const out = new Set<string>();
		if (until <= since) return out;
		this.#sorted ??= [...this.#at.keys()].sort((a, b) => a - b);
		const times = this.#sorted;
		let lo = 0;
		let hi = times.length;
		while (lo < hi) {
			const mid = (lo + hi) >> 1;
			if ((times[mid] ?? 0) <= since) lo = mid + 1;
			else hi = mid;
		}
		for (let i = lo; i < times.length && (times[i] ?? Infinity) <= until; i++) {
			for (const p of this.#at.get(times[i]!)?.keys() ?? []) out.add(p);
		}
		return out;
	}

	#each(entries: readonly AclEntry[], fn: (time: number, principal: string) => void): void {
		for (const [principal, from, until] of entries) {
			if (from !== null) fn(from, principal);
			if (until !== null) fn(until, principal);
		}
	}
}

const TEAM_MARK = holdTeam('');

/** The hold marks among a document's entries (not the aging one, which is not held). */
function marksIn(entries: readonly AclEntry[]): string[] {
	const out: string[] = [];
	for (const [p] of entries) if (p !== AGING && isHoldMark(p)) out.push(p);
	return out;
}

/** The team marks among a document's entries (a client or person names at most one team). */
function teamMarksIn(entries: readonly AclEntry[]): string[] {
	const out: string[] = [];
	for (const [p] of entries) if (p.startsWith(TEAM_MARK)) out.push(p);
	return out;
}

/** Files a client or person under its team's mark, or under the bare mark when in none. */
function indexTeams(
	index: Map<string, Set<string>>,
	id: string,
	state: DocState,
	op: (map: Map<string, Set<string>>, key: string, value: string) => void
): void {
	const marks = teamMarksIn(state.acl.entries);
	if (marks.length > 0) for (const m of marks) op(index, m, id);
	else if (id.startsWith('client:') || id.startsWith('user:')) op(index, TEAM_MARK, id);
}

function add(map: Map<string, Set<string>>, key: string, value: string): void {
	const set = map.get(key);
	if (set) set.add(value);
	else map.set(key, new Set([value]));
}

function remove(map: Map<string, Set<string>>, key: string, value: string): void {
	const set = map.get(key);
	if (!set) return;
	set.delete(value);
	if (set.size === 0) map.delete(key);
}
