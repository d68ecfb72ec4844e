/**
 * The readers of every document computed straight from the domain's `principalsFor` over the
 * whole data, independently of the server's access model: the oracle of the randomized sync
 * and push tests.
 */
import {
	principalsFor,
	userPrincipals,
	type AccessContext,
	type UserLike
} from '../../src/lib/domain/access.ts';
import {
	agingFrom,
	DEFAULT_WORKING_SET_DAYS,
	holdMarksFor,
	ticketHoldMarks,
	userHolds,
	workingSetDaysFor
} from '../../src/lib/domain/working-set.ts';
import { subjectsFirst } from '../../server/sync/indexer.ts';
import type { Doc, TicketDoc } from '../../src/lib/domain/schemas.ts';
import { endedAt } from '../../src/lib/domain/ticket.ts';

/** The readers of every document, straight from the domain's rules over the whole data. */
export function expectedReaders(docs: readonly Doc[], now: number): Map<string, string[]> {
	const config = docs.find((d) => d._id === 'config:access') as { windowDays?: number } | undefined;
	const windowDays = config?.windowDays;
	const tickets = new Map<string, TicketDoc>();
	for (const d of docs) if (d.type === 'ticket') tickets.set(d._id, d);
	const byTicket = new Map<string, AccessContext['missions'] & object[]>();
	const byClient = new Map<string, AccessContext['missions'] & object[]>();
	const grants = new Map<string, NonNullable<AccessContext['grants']> & object[]>();
	for (const d of docs) {
		if (d.type === 'mission') {
			const ticket = tickets.get(d.ticketId);
			const fact = {
				technicianId: d.technicianId,
				status: d.status,
				ticketEndedAt: ticket ? endedAt(ticket) : undefined
			};
			byTicket.set(d.ticketId, [...(byTicket.get(d.ticketId) ?? []), fact]);
			byClient.set(d.clientId, [...(byClient.get(d.clientId) ?? []), fact]);
		} else if (d.type === 'grant') {
			grants.set(d.clientId, [...(grants.get(d.clientId) ?? []), d]);
		}
	}
	const readers = new Map<string, string[]>();
	for (const d of docs) {
		if (d.type === 'event') continue;
		const context: AccessContext = { now, windowDays };
		if (d.type === 'ticket') context.missions = byTicket.get(d._id) ?? [];
		if (d.type === 'client' || d.type === 'techfile') {
			const clientId = d.type === 'client' ? d._id : d.clientId;
			context.missions = byClient.get(clientId) ?? [];
			context.grants = grants.get(clientId) ?? [];
		}
		if (d.type === 'mission' || d.type === 'report') {
			const ticket = tickets.get(d.ticketId);
			context.ticket = { group: ticket?.group, endedAt: ticket ? endedAt(ticket) : undefined };
		}
		readers.set(d._id, principalsFor(d, context));
	}
	const events = new Map(docs.flatMap((d) => (d.type === 'event' ? [[d._id, d] as const] : [])));
	// An event about an event (a merge's note on a duplicated notice) after its subject.
	for (const id of subjectsFirst(events.keys(), (id) => events.get(id)?.subjectId ?? '')) {
		const d = events.get(id)!;
		readers.set(
			d._id,
			principalsFor(d, { now, windowDays, subjectPrincipals: readers.get(d.subjectId) ?? [] })
		);
	}
	return readers;
}

/** A document's working-set marks and the instant it ages from (working-set.ts), by the domain. */
export interface ExpectedHold {
	readonly marks: readonly string[];
	readonly aging: number | undefined;
}

/**
 * The working-set marks of every document at `now`, straight from the domain's `holdMarksFor`
 * and `agingFrom` over the whole data (independently of the server's model), with the same facts
 * as `expectedReaders`.
 */
export function expectedHolds(docs: readonly Doc[], now: number): Map<string, ExpectedHold> {
	const tickets = new Map<string, TicketDoc>();
	for (const d of docs) if (d.type === 'ticket') tickets.set(d._id, d);
	const byClient = new Map<string, NonNullable<AccessContext['missions']> & object[]>();
	const grants = new Map<string, NonNullable<AccessContext['grants']> & object[]>();
	for (const d of docs) {
		if (d.type === 'mission') {
			const list = byClient.get(d.clientId) ?? [];
			list.push({ technicianId: d.technicianId, status: d.status });
			byClient.set(d.clientId, list);
		} else if (d.type === 'grant') {
			grants.set(d.clientId, [...(grants.get(d.clientId) ?? []), d]);
		}
	}
	const out = new Map<string, ExpectedHold>();
	const ms = (iso: string | undefined) => (iso === undefined ? undefined : Date.parse(iso));
	for (const d of docs) {
		if (d.type === 'event') continue;
		const context: Parameters<typeof holdMarksFor>[1] = { now };
		let ended: string | undefined;
		if (d.type === 'mission' || d.type === 'report' || d.type === 'survey') {
			const ticket = tickets.get(d.ticketId);
			if (ticket) {
				context.ticket = { holds: ticketHoldMarks(ticket) };
				ended = endedAt(ticket);
			}
		}
		if (d.type === 'techfile') {
			context.missions = byClient.get(d.clientId) ?? [];
			context.grants = grants.get(d.clientId) ?? [];
		}
		out.set(d._id, { marks: holdMarksFor(d, context), aging: ms(agingFrom(d, ended)) });
	}
	const events = new Map(docs.flatMap((d) => (d.type === 'event' ? [[d._id, d] as const] : [])));
	for (const id of subjectsFirst(events.keys(), (id) => events.get(id)?.subjectId ?? '')) {
		const d = events.get(id)!;
		const subject = out.get(d.subjectId);
		const marks = holdMarksFor(d, { now, subjectPrincipals: subject?.marks ?? [] });
		const own = ms(agingFrom(d));
		out.set(d._id, {
			marks,
			aging: d.kind === 'credential_reveal' ? own : subject?.aging
		});
	}
	return out;
}

/** The ids a user's device holds: what they read and, on a desk device, what is in its set. */
export function expectedDeviceIds(
	docs: readonly Doc[],
	user: UserLike,
	now: number,
	days: number = DEFAULT_WORKING_SET_DAYS
): Set<string> {
	const readers = expectedReaders(docs, now);
	const holds = expectedHolds(docs, now);
	const principals = new Set(userPrincipals(user));
	// The user's team, from the documents (a client or person whose `team` names it, or in none).
	const profile = docs.find((d) => d._id === user._id);
	const team = profile?.type === 'user' ? profile.team : undefined;
	const members = (type: 'client' | 'user') =>
		docs
			.filter((d) => d.type === type && (d.team === team || d.team === undefined))
			.map((d) => d._id);
	const marks = userHolds(
		user,
		team === undefined
			? undefined
			: { team, clients: members('client'), technicians: members('user') }
	);
	const out = new Set<string>();
	for (const d of docs) {
		if (!(readers.get(d._id) ?? []).some((p) => principals.has(p))) continue;
		if (marks !== null) {
			const hold = holds.get(d._id);
			if (!hold || !hold.marks.some((m) => marks.includes(m))) continue;
			const kept = workingSetDaysFor(user, days);
			if (hold.aging !== undefined && now >= hold.aging + kept * 86_400_000) continue;
		}
		out.add(d._id);
	}
	return out;
}
