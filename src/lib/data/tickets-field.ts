/**
 * What the technician's phone reads and writes about tickets, missions and clients: typed
 * reads from the local PouchDB, and ticket transitions written with their timeline event in
 * one batch. The sync service pushes the writes when the network is back.
 */
import type { DocType } from '#lib/domain/ids.ts';
import type { Result } from '#lib/domain/result.ts';
import { err, ok } from '#lib/domain/result.ts';
import {
	parseAs,
	type DocOf,
	type MissionDoc,
	type MissionStatus,
	type Role,
	type TicketDoc
} from '#lib/domain/schemas.ts';
import { touch } from '#lib/domain/stamps.ts';
import { actorFromUser, transition, type Actor, type TicketAction } from '#lib/domain/ticket.ts';
import type { LocalDb } from './local-db.ts';
import { newEvent, type Author } from './events.ts';

/** The signed-in user as the domain rules see them. */
export interface FieldUser {
	readonly name: string;
	readonly displayName: string;
	readonly roles: readonly string[];
	readonly groups: readonly string[];
}

export const userId = (user: Pick<FieldUser, 'name'>): string => `user:${user.name}`;

export function actorOf(user: FieldUser): Actor {
	return actorFromUser({
		_id: userId(user),
		roles: user.roles as Role[],
		groups: [...user.groups]
	});
}

export function authorOf(user: FieldUser): Author {
	return { id: userId(user), name: user.displayName };
}

function isNotFound(error: unknown): boolean {
	return (error as { status?: unknown } | null)?.status === 404;
}

/**
 * One document of a known type from the local database, checked against its schema.
 * @returns null when the document is not on the device (or was deleted).
 * @throws {Error} when the stored document is not valid, or the database fails.
 */
export async function readDoc<T extends DocType>(
	db: LocalDb,
	type: T,
	id: string
): Promise<DocOf<T> | null> {
	let raw: unknown;
	try {
		raw = await db.get(id);
	} catch (error) {
		if (isNotFound(error)) return null;
		throw error;
	}
	const parsed = parseAs(type, raw);
	if (!parsed.ok) throw new Error(`${id} is not a valid ${type}: ${parsed.error.join('; ')}`);
	return parsed.value;
}

/**
 * Every valid document of a type that passes `keep`. Invalid documents are skipped with a
 * warning: one bad document must not hide a technician's whole day.
 */
export async function readAll<T extends DocType>(
	db: LocalDb,
	type: T,
	keep: (doc: DocOf<T>) => boolean = () => true
): Promise<DocOf<T>[]> {
	const result = await db.allDocs({
		startkey: `${type}:`,
		endkey: `${type}:\ufff0`,
		include_docs: true
	});
	const out: DocOf<T>[] = [];
	for (const row of result.rows) {
		if (!row.doc) continue;
		const parsed = parseAs(type, row.doc);
		if (parsed.ok) {
			if (keep(parsed.value)) out.push(parsed.value);
		} else console.warn(`skipped ${row.id}: ${parsed.error.join('; ')}`);
	}
	return out;
}

/**
 * Applies a ticket action for the user and writes the ticket with a status-change event.
 * @returns the saved ticket, or the domain's refusal (nothing is written then).
 * @throws {Error} when the database refuses the write (a conflict: the caller re-reads).
 */
export async function applyTicketAction(
	db: LocalDb,
	ticket: TicketDoc,
	action: TicketAction,
	user: FieldUser,
	now: Date,
	body: string
): Promise<Result<TicketDoc, string>> {
	const next = transition(ticket, action, actorOf(user), now);
	if (!next.ok) return err(next.error.message);
	const event = newEvent({
		subjectId: ticket._id,
		ticketId: ticket._id,
		kind: 'status_change',
		author: authorOf(user),
		at: now,
		body,
		data: { action: action.type, from: ticket.status, to: next.value.status }
	});
	const revs = await writeAll(db, [next.value, event]);
	return ok({ ...next.value, _rev: revs.get(ticket._id) });
}

/** The mission with a new status, stamped; the only field a technician may change. */
export function missionWithStatus(
	mission: MissionDoc,
	status: MissionStatus,
	now: Date,
	user: FieldUser
): MissionDoc {
	return touch(mission, { ...mission, status }, now, userId(user));
}

/**
 * Saves documents in one batch.
 * @returns the new revision of each document, by id.
 * @throws {Error} naming the first document the database refused (conflict, validation).
 */
export async function writeAll(db: LocalDb, docs: readonly object[]): Promise<Map<string, string>> {
	const results = await db.bulkDocs(docs as never[]);
	const revs = new Map<string, string>();
	for (const r of results) {
		if ('error' in r && r.error) throw new Error(`${r.id ?? '?'}: ${r.message ?? String(r.error)}`);
		if ('rev' in r && r.id && r.rev) revs.set(r.id, r.rev);
	}
	return revs;
}
