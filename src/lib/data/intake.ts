import { givenNumbers, numbered } from './tickets.ts';
import { hourBankBalance } from '../domain/hour-bank.ts';
import type { ClientDoc, HourBankDoc, TicketDoc } from '../domain/schemas.ts';
import { readAll } from './docs.ts';
import type { LocalDb } from './local-db.ts';

/** What the hotline's one search field can find. */
export type IntakeHit =
	| { readonly kind: 'client'; readonly client: ClientDoc; readonly why: string }
	| { readonly kind: 'contact'; readonly client: ClientDoc; readonly contactId: string; readonly why: string }
	| { readonly kind: 'ticket'; readonly ticket: TicketDoc; readonly client: ClientDoc | null; readonly why: string };

interface Entry {
	readonly text: string;
	readonly hit: IntakeHit;
}

/** Lower-case, no accents, digits of phone numbers joined: "01 23" finds "0123". */
export function normalise(text: string): string {
	return text
		.normalize('NFD')
		.replace(/\p{Diacritic}/gu, '')
		.toLowerCase()
		.replace(/(\d)[\s.-]+(?=\d)/g, '$1');
}

/**
 * An in-memory index over clients, their contacts and sites, and tickets (by number,
 * title, requester), built once from the local database; searching is a scan of short
 * strings, well under 100 ms for the demo data ×10.
 */
export class IntakeIndex {
	readonly #entries: Entry[];
	readonly clients: ReadonlyMap<string, ClientDoc>;
	readonly tickets: readonly TicketDoc[];
	/** The hour banks' movements (written by the server at closures), for the balances. */
	readonly movements: readonly HourBankDoc[];

	constructor(clients: readonly ClientDoc[], tickets: readonly TicketDoc[], movements: readonly HourBankDoc[] = []) {
		this.clients = new Map(clients.map((c) => [c._id, c]));
		this.tickets = tickets;
		this.movements = movements;
		const entries: Entry[] = [];
		for (const client of clients) {
			entries.push({ text: normalise(client.name), hit: { kind: 'client', client, why: client.name } });
			for (const site of client.sites) {
				const where = `${site.label ?? ''} ${site.address} ${site.postcode} ${site.city}`;
				entries.push({ text: normalise(where), hit: { kind: 'client', client, why: where.trim() } });
			}
			for (const contact of client.contacts) {
				const who = `${contact.name} ${contact.phone ?? ''} ${contact.email ?? ''}`;
				entries.push({ text: normalise(who), hit: { kind: 'contact', client, contactId: contact.id, why: who.trim() } });
			}
		}
		for (const ticket of tickets) {
			const client = ticket.clientId ? (this.clients.get(ticket.clientId) ?? null) : null;
			const what = `${ticket.number ?? ''} ${ticket.title} ${ticket.requester.name} ${ticket.requester.email ?? ''} ${ticket.requester.phone ?? ''}`;
			entries.push({ text: normalise(what), hit: { kind: 'ticket', ticket, client, why: `n° ${ticket.number ?? '—'} ${ticket.title}` } });
		}
		this.#entries = entries;
	}

	search(query: string, limit = 12): IntakeHit[] {
		const words = normalise(query).split(/\s+/).filter((w) => w.length > 0);
		if (words.length === 0) return [];
		const hits: IntakeHit[] = [];
		const seen = new Set<string>();
		for (const entry of this.#entries) {
			if (!words.every((w) => entry.text.includes(w))) continue;
			const key = entry.hit.kind === 'ticket' ? entry.hit.ticket._id : `${entry.hit.kind}:${entry.hit.client._id}:${entry.hit.kind === 'contact' ? entry.hit.contactId : ''}`;
			if (seen.has(key)) continue;
			seen.add(key);
			hits.push(entry.hit);
			if (hits.length >= limit) break;
		}
		return hits;
	}

	openTicketsOf(clientId: string): TicketDoc[] {
		return this.tickets.filter((t) => t.clientId === clientId && !['resolved', 'closed', 'cancelled'].includes(t.status));
	}
}

export async function intakeIndex(db: LocalDb): Promise<IntakeIndex> {
	const [clients, tickets, numbers, movements] = await Promise.all([readAll(db, 'client'), readAll(db, 'ticket'), givenNumbers(db), readAll(db, 'hourbank')]);
	// Numbers shown and searched; these copies are for display and are never saved.
	return new IntakeIndex(
		clients,
		tickets.map((t) => numbered(t, numbers)),
		movements
	);
}

export interface ContractSummary {
	readonly kind: ClientDoc['contract']['kind'];
	readonly expired: boolean;
	readonly end: string | null;
	/** What is left in the hour bank, in minutes, from its movements; null without a bank. */
	readonly bankMinutes: number | null;
}

export function contractSummary(client: ClientDoc, today: string, movements: readonly HourBankDoc[] = []): ContractSummary {
	const c = client.contract;
	return {
		kind: c.kind,
		expired: c.kind !== 'none' && !!c.end && c.end < today,
		end: c.end ?? null,
		bankMinutes: hourBankBalance(client, movements)?.balanceMinutes ?? null
	};
}
