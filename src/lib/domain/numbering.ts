/**
 * Ticket numbers given by the server to tickets opened on a device: they live in a separate
 * document, the event `event:number:<ticketId>` (kind `ticket_numbered`), so the server never
 * edits a ticket a device may be editing. Tickets the server opens itself (the public form)
 * carry `number` from the start.
 */

export const NUMBER_EVENT_PREFIX = 'event:number:';

export const numberEventId = (ticketId: string): string => `${NUMBER_EVENT_PREFIX}${ticketId}`;

/** The number a `ticket_numbered` event gives, or undefined for any other document. */
export function numberFromEvent(doc: unknown): { ticketId: string; number: number } | undefined {
	const d = doc as { kind?: unknown; ticketId?: unknown; data?: unknown } | null | undefined;
	if (d?.kind !== 'ticket_numbered' || typeof d.ticketId !== 'string') return undefined;
	const number = (d.data as { number?: unknown } | undefined)?.number;
	return typeof number === 'number' && Number.isInteger(number) && number > 0
		? { ticketId: d.ticketId, number }
		: undefined;
}

/** The ticket's number: its own, else the one its timeline received; null while provisional. */
export function ticketNumber(
	ticket: { _id: string; number?: number | undefined },
	events: readonly unknown[]
): number | null {
	if (ticket.number !== undefined) return ticket.number;
	for (const e of events) {
		const given = numberFromEvent(e);
		if (given?.ticketId === ticket._id) return given.number;
	}
	return null;
}
