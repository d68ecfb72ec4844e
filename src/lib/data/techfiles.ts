/**
 * The client's technical file on the device. Changes made on site are kept in the report
 * draft as edits, then applied to the file in the same batch as the signed report (seed 000
 * F8: the technician updates the client's technical status when closing), so the file and
 * the report's history of changes always agree.
 */
import { techfileIdFor } from '#lib/domain/ids.ts';
import {
	parseTechfile,
	type Equipment,
	type TechfileDoc,
	type TechfileChangeSchema
} from '#lib/domain/schemas.ts';
import { touch } from '#lib/domain/stamps.ts';
import type * as v from 'valibot';
import type { LocalDb } from './local-db.ts';
import { readDoc, writeAll } from './docs.ts';
import { newEvent } from './events.ts';

export type NetworkRange = TechfileDoc['network']['ranges'][number];
export type TechfileChange = v.InferOutput<typeof TechfileChangeSchema>;

/** One change made on site; `summary` is the sentence kept in the report. */
export type TechfileEdit =
	| { section: 'equipment'; action: 'added' | 'changed'; item: Equipment; summary: string }
	| { section: 'network'; action: 'added' | 'changed'; item: NetworkRange; summary: string };

/**
 * The client's technical file, or null when the device has none.
 * @throws {Error} when the stored file is not valid.
 */
export function techfileOf(db: LocalDb, clientId: string): Promise<TechfileDoc | null> {
	return readDoc(db, 'techfile', techfileIdFor(clientId));
}

function upsert<T extends { id: string }>(list: readonly T[], item: T): T[] {
	const at = list.findIndex((x) => x.id === item.id);
	if (at < 0) return [...list, item];
	return list.map((x, i) => (i === at ? item : x));
}

/** An empty file for a client that has none yet (its id follows from the client's). */
export function emptyTechfile(clientId: string, now: Date, by: string): TechfileDoc {
	const at = now.toISOString();
	return {
		_id: techfileIdFor(clientId),
		type: 'techfile',
		clientId,
		equipment: [],
		network: { ranges: [] },
		software: [],
		credentials: [],
		notes: '',
		createdAt: at,
		createdBy: by,
		updatedAt: at,
		updatedBy: by
	};
}

/** The file with the edits applied, in order (later edits of one item win). */
export function applyEdits(file: TechfileDoc, edits: readonly TechfileEdit[]): TechfileDoc {
	let next: TechfileDoc = { ...file, network: { ...file.network } };
	for (const edit of edits) {
		if (edit.section === 'equipment') next = { ...next, equipment: upsert(next.equipment, edit.item) };
		else next = { ...next, network: { ...next.network, ranges: upsert(next.network.ranges, edit.item) } };
	}
	return next;
}

/** What the report records of the edits: one line per item, its last action. */
export function changesOf(edits: readonly TechfileEdit[]): TechfileChange[] {
	const byItem = new Map<string, TechfileChange>();
	for (const edit of edits) {
		const key = `${edit.section}/${edit.item.id}`;
		const earlier = byItem.get(key);
		// An item added then changed in the same visit was added.
		const action = earlier?.action === 'added' ? 'added' : edit.action;
		byItem.set(key, { section: edit.section, action, itemId: edit.item.id, summary: edit.summary });
	}
	return [...byItem.values()];
}

/**
 * The file to save with the report: the stored one (or a new one) with the edits applied,
 * stamped, and checked; null when there is nothing to change.
 * @throws {Error} when the result is not a valid technical file (a bug in an editor).
 */
export function editedTechfile(
	stored: TechfileDoc | null,
	clientId: string,
	edits: readonly TechfileEdit[],
	now: Date,
	by: string
): TechfileDoc | null {
	if (edits.length === 0) return null;
	const base = stored ?? emptyTechfile(clientId, now, by);
	const next = touch(stored, applyEdits(base, edits), now, by);
	const parsed = parseTechfile(next);
	if (!parsed.ok) throw new Error(parsed.error.join('; '));
	return parsed.value;
}

/**
 * Saves a desk edit of a client's technical file: the file (stamped) and, for its history, a
 * `techfile_change` event about it listing what changed (one line per item), written together.
 * @returns false when there was nothing to change.
 * @throws {WriteError} when the database refuses a document.
 */
export async function saveTechfileEdits(
	db: LocalDb,
	stored: TechfileDoc | null,
	clientId: string,
	edits: readonly TechfileEdit[],
	author: { readonly id: string; readonly name: string },
	now: Date
): Promise<boolean> {
	const techfile = editedTechfile(stored, clientId, edits, now, author.id);
	if (!techfile) return false;
	const event = newEvent({
		subjectId: techfile._id,
		kind: 'techfile_change',
		author,
		at: now,
		data: { changes: changesOf(edits) }
	});
	await writeAll(db, [techfile, event]);
	return true;
}
