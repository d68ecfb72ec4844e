/**
 * Who a ticket is for: its client, the client's site and the requester. Intake sets them when
 * the caller is known; a web-form pre-ticket, or a ticket opened before the caller was found,
 * gets them later from the ticket page, and only then can be qualified. Each change is one
 * timeline event (data/ticket-parties.ts); the server checks the same rules on every push
 * (may-write.ts `partiesChangeAllowed`).
 *
 * Who: a dispatcher (or an admin) while the ticket is open; an expert only on a new ticket,
 * since any expert may qualify one and qualifying needs a client. The client no longer
 * changes once a mission may be planned for it (planned, in progress, resolved): a mission
 * carries its ticket's client, and billing follows the client at closure.
 */
import { refusal, type Refusal } from './refusals.ts';
import { err, ok, type Result } from './result.ts';
import type { ClientDoc } from './schemas/client.ts';
import type { PartyField } from './schemas/event.ts';
import type { Requester, TicketDoc, TicketStatus } from './schemas/ticket.ts';
import { hasRole, type Actor } from './ticket-rules.ts';

export type PartyChange =
	| { readonly field: 'client'; readonly clientId: string; readonly siteId?: string | undefined }
	| { readonly field: 'site'; readonly siteId: string | null }
	| { readonly field: 'requester'; readonly requester: Requester };

/** A client as the rules need it: its sites and contacts, to check what is picked. */
export type PartyClient = Pick<ClientDoc, '_id' | 'name' | 'sites' | 'contacts'>;

/** Statuses before any mission can exist for the ticket (pending counts from where it was). */
const CLIENT_STATUSES: readonly TicketStatus[] = ['new', 'qualified', 'assigned'];
const OVER: readonly TicketStatus[] = ['closed', 'cancelled'];

const no = (key: Refusal['key'], message: string, params?: Refusal['params']) =>
	err(refusal(key === 'parties_who' ? 'role' : 'rule', key, message, params));

const sameRequester = (a: Requester, b: Requester): boolean =>
	a.name === b.name && a.email === b.email && a.phone === b.phone && a.contactId === b.contactId;

/** Whether `actor` may change the client, site or requester of `ticket` now. */
export function mayChangeParties(ticket: TicketDoc, actor: Actor): Result<true, Refusal> {
	if (OVER.includes(ticket.status))
		return no('parties_over', 'a closed or cancelled ticket keeps its client and requester');
	const desk = hasRole(actor, 'dispatcher') || hasRole(actor, 'admin');
	if (!desk && !(hasRole(actor, 'expert') && ticket.status === 'new'))
		return no('parties_who', 'only a dispatcher may change the client, site or requester');
	return ok(true);
}

/** Whether the client may still change: no mission may have been planned for it yet. */
export function clientMayChange(ticket: TicketDoc): Result<true, Refusal> {
	const from = ticket.status === 'pending' ? ticket.pending?.from : ticket.status;
	return from !== undefined && CLIENT_STATUSES.includes(from)
		? ok(true)
		: no('client_after_planning', 'the client no longer changes once a mission is planned');
}

function siteOf(client: PartyClient | null, siteId: string): Result<true, Refusal> {
	if (client === null) return no('need_client', 'identify the client first');
	return client.sites.some((s) => s.id === siteId)
		? ok(true)
		: no('unknown_site', 'the site is not one of the client’s');
}

/**
 * The ticket after `change`, unstamped (the caller stamps it with `touch`), or why not.
 * `client` is the ticket's client after the change (the new one for a client change), as
 * stored; null when there is none or it is unknown on this device.
 */
export function changeParties(
	ticket: TicketDoc,
	change: PartyChange,
	actor: Actor,
	client: PartyClient | null
): Result<TicketDoc, Refusal> {
	const allowed = mayChangeParties(ticket, actor);
	if (!allowed.ok) return allowed;
	switch (change.field) {
		case 'client': {
			if (client === null || client._id !== change.clientId)
				return no('unknown_client', 'there is no such client');
			if (change.clientId === ticket.clientId && change.siteId === ticket.siteId)
				return no('party_unchanged', 'nothing changes');
			const may = change.clientId === ticket.clientId ? ok(true) : clientMayChange(ticket);
			if (!may.ok) return may;
			// A site belongs to its client: another client's site never stays on the ticket.
			const { siteId: _old, ...rest } = ticket;
			const next: TicketDoc = { ...rest, clientId: change.clientId };
			if (change.siteId !== undefined) {
				const site = siteOf(client, change.siteId);
				if (!site.ok) return site;
				next.siteId = change.siteId;
			}
			return ok(next);
		}
		case 'site': {
			if ((change.siteId ?? undefined) === ticket.siteId)
				return no('party_unchanged', 'nothing changes');
			const { siteId: _old, ...rest } = ticket;
			if (change.siteId === null) return ok(rest);
			const site = siteOf(ticket.clientId === undefined ? null : client, change.siteId);
			return site.ok ? ok({ ...rest, siteId: change.siteId }) : site;
		}
		case 'requester': {
			const r = change.requester;
			if (r.name.trim() === '') return no('need_requester', "the requester's name is required");
			if (sameRequester(r, ticket.requester)) return no('party_unchanged', 'nothing changes');
			if (r.contactId !== undefined && !client?.contacts.some((c) => c.id === r.contactId))
				return no('unknown_contact', 'the contact is not one of the client’s');
			return ok({ ...ticket, requester: { ...r, name: r.name.trim() } });
		}
	}
}

/** Which of the parties differ between two versions of a ticket (a pushed document). */
export function changedParties(before: TicketDoc, after: TicketDoc): PartyField[] {
	const out: PartyField[] = [];
	if (before.clientId !== after.clientId) out.push('client');
	if (before.siteId !== after.siteId) out.push('site');
	if (!sameRequester(before.requester, after.requester)) out.push('requester');
	return out;
}

/**
 * For a save arriving through sync, which does not say what it changed: the same rules as
 * `changeParties`. `client` is the stored client the new version names (null: none exists;
 * undefined: not looked up, so not checked).
 */
export function partiesChangeAllowed(
	before: TicketDoc,
	after: TicketDoc,
	actor: Actor,
	client?: PartyClient | null
): Result<true, Refusal> {
	const changed = changedParties(before, after);
	if (changed.length === 0) return ok(true);
	const allowed = mayChangeParties(before, actor);
	if (!allowed.ok) return allowed;
	if (changed.includes('client')) {
		const may = clientMayChange(before);
		if (!may.ok) return may;
		if (client === null) return no('unknown_client', 'there is no such client');
	}
	if (client === undefined) return ok(true);
	if (after.siteId !== undefined && changed.some((f) => f === 'client' || f === 'site')) {
		const site = siteOf(client, after.siteId);
		if (!site.ok) return site;
	}
	const contactId = after.requester.contactId;
	if (
		changed.some((f) => f === 'client' || f === 'requester') &&
		contactId !== undefined &&
		!client?.contacts.some((c) => c.id === contactId)
	)
		return no('unknown_contact', 'the contact is not one of the client’s');
	return ok(true);
}
