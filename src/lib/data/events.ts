/**
 * Timeline events on the device: read a ticket's timeline, append new entries. Events are
 * never edited, so they are written with a fresh id and never conflict. Every id comes from
 * one monotonic factory, so the entries of one burst keep the order they were written in.
 */
import { createIdFactory, toIso } from '#lib/domain/ids.ts';
import { parseEvent, type EventDoc, type EventKind } from '#lib/domain/schemas.ts';
import { timelineOf as ordered } from '#lib/domain/timeline.ts';
import { readAll, writeAll } from './docs.ts';
import type { LocalDb } from './local-db.ts';

export interface Author {
	readonly id: string;
	readonly name: string;
}

export interface NewEvent {
	subjectId: string;
	ticketId?: string | undefined;
	kind: EventKind;
	author: Author;
	at: Date;
	/** Only what a person wrote (a follow-up, a solution, a reason); codes go in `data`. */
	body?: string;
	visibility?: 'internal' | 'requester';
	data?: Record<string, unknown>;
}

// Ids strictly increase even within one millisecond, so a burst keeps its order.
const nextId = createIdFactory();

/**
 * A new event document, checked against the schema.
 * @throws {Error} when the event breaks the schema (a programming error).
 */
export function newEvent(input: NewEvent): EventDoc {
	const doc: EventDoc = {
		_id: nextId('event', input.at),
		type: 'event',
		subjectId: input.subjectId,
		kind: input.kind,
		visibility: input.visibility ?? 'internal',
		author: input.author.id,
		authorName: input.author.name,
		at: toIso(input.at),
		body: input.body ?? ''
	};
	if (input.ticketId !== undefined) doc.ticketId = input.ticketId;
	if (input.data !== undefined) doc.data = input.data;
	const parsed = parseEvent(doc);
	if (!parsed.ok) throw new Error(parsed.error.join('; '));
	return parsed.value;
}

/**
 * Writes one event to the local database (works offline; sync pushes it later).
 * @throws {WriteError} when the database refuses it.
 */
export async function appendEvent(db: LocalDb, input: NewEvent): Promise<EventDoc> {
	const event = newEvent(input);
	await writeAll(db, [event]);
	return event;
}

/** A ticket's timeline, oldest first (see domain/timeline.ts for the order). */
export async function timelineOf(db: LocalDb, ticketId: string): Promise<EventDoc[]> {
	return ordered(await readAll(db, 'event'), ticketId);
}
