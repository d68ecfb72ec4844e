import type { Doc } from '#lib/domain/schemas.ts';
import {
	escalationFactIds,
	escalationGroupOf,
	grantRow,
	missionRow,
	ticketFact,
	type Acl,
	type AclEntry,
	type FactSource,
	type GrantRow,
	type MissionRow
} from './acl.ts';
import { windowDaysOf } from './indexer.ts';
import type { AccessModel } from './model.ts';

/** The access model's facts with a batch of documents applied on top. */
export class OverlayFacts implements FactSource {
	readonly #base: AccessModel;
	readonly #overlay: ReadonlyMap<string, Doc | null>;
	readonly #computed: ReadonlyMap<string, Acl>;

	constructor(
		base: AccessModel,
		overlay: ReadonlyMap<string, Doc | null>,
		computed: ReadonlyMap<string, Acl>
	) {
		this.#base = base;
		this.#overlay = overlay;
		this.#computed = computed;
	}

	windowDays(): number | undefined {
		return this.#overlay.has('config:access')
			? windowDaysOf(this.#overlay.get('config:access'))
			: this.#base.windowDays();
	}
	missionsOfTicket(ticketId: string): MissionRow[] {
		return this.#rows(this.#base.missionsOfTicket(ticketId), 'mission', (d) =>
			d.type === 'mission' && d.ticketId === ticketId ? missionRow(d) : null
		);
	}
	missionsAtClient(clientId: string): MissionRow[] {
		return this.#rows(this.#base.missionsAtClient(clientId), 'mission', (d) =>
			d.type === 'mission' && d.clientId === clientId ? missionRow(d) : null
		);
	}
	grantsOnClient(clientId: string): GrantRow[] {
		return this.#rows(this.#base.grantsOnClient(clientId), 'grant', (d) =>
			d.type === 'grant' && d.clientId === clientId ? grantRow(d) : null
		);
	}
	ticket(ticketId: string) {
		if (!this.#overlay.has(ticketId)) return this.#base.ticket(ticketId);
		const doc = this.#overlay.get(ticketId);
		return doc?.type === 'ticket' ? ticketFact(doc) : undefined;
	}
	escalationGroups(ticketId: string): string[] {
		const ids = escalationFactIds(ticketId);
		if (!ids.some((id) => this.#overlay.has(id))) return this.#base.escalationGroups(ticketId);
		// (A device never writes these facts, may-write.ts; judged as the batch would make them.)
		const base = new Set(this.#base.escalationGroups(ticketId));
		const groups = ids.flatMap((id) => {
			if (!this.#overlay.has(id)) return [];
			const group = escalationGroupOf(this.#overlay.get(id) ?? null);
			return group === undefined ? [] : [group];
		});
		return [...new Set([...base, ...groups])];
	}
	subjectEntries(docId: string): readonly AclEntry[] | undefined {
		return this.#computed.get(docId)?.entries ?? this.#base.subjectEntries(docId);
	}

	#rows<R extends { id: string }>(
		stored: readonly R[],
		type: string,
		pick: (doc: Doc) => R | null
	): R[] {
		const out = stored.filter((r) => !this.#overlay.has(r.id));
		for (const [id, doc] of this.#overlay) {
			if (!id.startsWith(`${type}:`) || !doc) continue;
			const row = pick(doc);
			if (row) out.push(row);
		}
		return out;
	}
}
