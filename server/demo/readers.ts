// The `access` field of every document, computed by the domain's access rules
// (principalsFor) from the facts each rule needs: the missions of a ticket or a client,
// the grants on a client, the ticket behind a mission or report, and for an event the
// readers of the document it is about.
import {
	missionFact,
	principalsFor,
	type AccessContext,
	type MissionFact
} from '../../src/lib/domain/access.ts';
import type { Doc, GrantDoc, MissionDoc, TicketDoc } from '../../src/lib/domain/schemas.ts';
import { endedAt } from '../../src/lib/domain/ticket.ts';

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
	const list = map.get(key);
	if (list) list.push(value);
	else map.set(key, [value]);
}

/** Sets `access` on every document, in place. Events last: they inherit their subject's readers. */
export function assignAccess(docs: readonly Doc[], now: number): void {
	const tickets = new Map<string, TicketDoc>();
	const missions: MissionDoc[] = [];
	const grantsByClient = new Map<string, GrantDoc[]>();
	for (const doc of docs) {
		if (doc.type === 'ticket') tickets.set(doc._id, doc);
		else if (doc.type === 'mission') missions.push(doc);
		else if (doc.type === 'grant') push(grantsByClient, doc.clientId, doc);
	}
	const byTicket = new Map<string, MissionFact[]>();
	const byClient = new Map<string, MissionFact[]>();
	for (const mission of missions) {
		const fact = missionFact(mission, tickets.get(mission.ticketId));
		push(byTicket, mission.ticketId, fact);
		push(byClient, mission.clientId, fact);
	}
	const contextFor = (doc: Doc): AccessContext => {
		switch (doc.type) {
			case 'ticket':
				return { now, missions: byTicket.get(doc._id) ?? [] };
			case 'client':
			case 'techfile': {
				const clientId = doc.type === 'client' ? doc._id : doc.clientId;
				return {
					now,
					missions: byClient.get(clientId) ?? [],
					grants: grantsByClient.get(clientId) ?? []
				};
			}
			case 'mission':
			case 'report': {
				const ticket = tickets.get(doc.ticketId);
				return {
					now,
					ticket: {
						group: ticket?.group,
						endedAt: ticket === undefined ? undefined : endedAt(ticket)
					}
				};
			}
			default:
				return { now };
		}
	};
	const readers = new Map<string, string[]>();
	for (const doc of docs) {
		if (doc.type === 'event') continue;
		doc.access = principalsFor(doc, contextFor(doc));
		readers.set(doc._id, doc.access);
	}
	for (const doc of docs) {
		if (doc.type !== 'event') continue;
		doc.access = principalsFor(doc, { now, subjectPrincipals: readers.get(doc.subjectId) ?? [] });
	}
}
