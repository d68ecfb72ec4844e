/**
 * Setting who a ticket is for from the ticket page: its client, site and requester. The domain
 * decides (parties.ts); each change is written with its one timeline event, naming what it
 * was and what it becomes, in one checked batch.
 */
import { changeParties, type PartyChange } from '../domain/parties.ts';
import { err, ok, type Result } from '../domain/result.ts';
import { invalid, type Refusal } from '../domain/refusals.ts';
import { parseTicket, type ClientDoc, type TicketDoc } from '../domain/schemas.ts';
import { touch } from '../domain/stamps.ts';
import { actorOf, authorOf, userId, type Me } from './me.ts';
import { readDoc, writeAll } from './docs.ts';
import { newEvent } from './events.ts';
import type { LocalDb } from './local-db.ts';

type Site = ClientDoc['sites'][number];

/** How a site reads: its label, else its address. */
export function siteName(site: Site): string {
	return site.label ?? `${site.address}, ${site.postcode} ${site.city}`;
}

function siteNameOf(client: ClientDoc | null, siteId: string | undefined): string {
	const site = siteId === undefined ? undefined : client?.sites.find((s) => s.id === siteId);
	return site ? siteName(site) : '';
}

async function clientOrNull(db: LocalDb, id: string | undefined): Promise<ClientDoc | null> {
	return id === undefined ? null : readDoc(db, 'client', id).catch(() => null);
}

/**
 * Applies `change` for `me` and writes the ticket with one event per party that changed
 * (a new client with its site: two lines).
 * @returns the saved ticket, or the domain's refusal (nothing is written then).
 * @throws {WriteError} when the database refuses a document (a conflict: the caller re-reads).
 */
export async function changeTicketParties(
	db: LocalDb,
	ticket: TicketDoc,
	change: PartyChange,
	me: Me,
	now: Date
): Promise<Result<TicketDoc, Refusal>> {
	const beforeClient = await clientOrNull(db, ticket.clientId);
	const afterClient =
		change.field === 'client' ? await clientOrNull(db, change.clientId) : beforeClient;
	const changed = changeParties(ticket, change, actorOf(me), afterClient);
	if (!changed.ok) return changed;
	const next = touch(ticket, changed.value, now, userId(me));
	const parsed = parseTicket(next);
	if (!parsed.ok) return err(invalid(parsed.error));
	const line = (field: 'client' | 'site' | 'requester', from: string, to: string) =>
		newEvent({
			subjectId: ticket._id,
			ticketId: ticket._id,
			kind: 'party_change',
			author: authorOf(me),
			at: now,
			data: {
				field,
				from,
				to,
				...(next.clientId === undefined ? {} : { clientId: next.clientId })
			}
		});
	const events = [];
	if (next.clientId !== ticket.clientId)
		events.push(line('client', beforeClient?.name ?? '', afterClient?.name ?? ''));
	if (next.siteId !== ticket.siteId)
		events.push(
			line(
				'site',
				siteNameOf(beforeClient, ticket.siteId),
				siteNameOf(afterClient, next.siteId)
			)
		);
	if (change.field === 'requester')
		events.push(line('requester', ticket.requester.name, next.requester.name));
	const revs = await writeAll(db, [next, ...events]);
	return ok({ ...next, _rev: revs.get(ticket._id) });
}
