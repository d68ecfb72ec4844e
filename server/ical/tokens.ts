/**
 * The secrets of the iCalendar feeds in the private database: `ical:<hash of secret>` names
 * the technician, `icaluser:<login>` points back to the hash, so a feed can be revoked by
 * the technician's name (rotation, disabling the account).
 */
import { createHash } from 'node:crypto';
import type { DocumentScope } from 'nano';
import { statusOf } from '../errors.ts';

type Db = DocumentScope<Record<string, unknown>>;

export const hashSecret = (token: string) => createHash('sha256').update(token).digest('hex');

export async function getOrNull(db: Db, id: string): Promise<Record<string, unknown> | null> {
	try {
		return (await db.get(id)) as Record<string, unknown>;
	} catch (error) {
		if (statusOf(error) === 404) return null;
		throw error;
	}
}

/** Removes the technician's feed secret, if any: its URL answers 404 from then on. */
export async function revokeFeed(db: Db, login: string): Promise<void> {
	const current = await getOrNull(db, `icaluser:${login}`);
	if (!current) return;
	const byToken = await getOrNull(db, `ical:${String(current.tokenHash)}`);
	const gone = (error: unknown) => {
		if (statusOf(error) !== 404 && statusOf(error) !== 409) throw error;
	};
	if (byToken) await db.destroy(byToken._id as string, byToken._rev as string).catch(gone);
	await db.destroy(current._id as string, current._rev as string).catch(gone);
}
