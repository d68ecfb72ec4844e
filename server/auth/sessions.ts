/**
 * Session records: `session:<login>:<id>` in the private database (never replicated), one per
 * signed-in device. The cookie is a signed token naming its record (session.ts); a request is
 * signed in only while the record exists, so signing out (deleting it) ends the session on
 * every server instance. One user's sessions are one id range, so disabling a user or
 * resetting a password ends them all.
 */
import { randomBytes } from 'node:crypto';
import type { DocumentScope } from 'nano';
import { statusOf } from '../errors.ts';
import {
	SESSION_IDLE_MS,
	SESSION_MAX_MS,
	SESSION_RENEW_AFTER_MS,
	signSession,
	type SessionClaims
} from './session.ts';

type Db = DocumentScope<Record<string, unknown>>;

export interface SessionRecord {
	readonly _id: string;
	readonly _rev?: string;
	readonly type: 'session';
	readonly user: string;
	readonly createdAt: string;
	/** No request after this instant (ms since epoch), whatever the cookie says. */
	readonly until: number;
	/** How long the session lasts without a request (each renewal gives this much again). */
	readonly idleMs: number;
}

export interface SessionLimits {
	readonly idleMs: number;
	readonly maxMs: number;
}

export const DEFAULT_LIMITS: SessionLimits = { idleMs: SESSION_IDLE_MS, maxMs: SESSION_MAX_MS };

export function sessionRecordId(login: string, sessionId: string): string {
	return `session:${login}:${sessionId}`;
}

export interface IssuedSession {
	readonly token: string;
	readonly claims: SessionClaims;
	/** For the cookie's Max-Age. */
	readonly maxAgeSeconds: number;
}

/** Writes a new session record for the user and signs the token naming it. */
export async function openSession(
	db: Db,
	secret: string,
	login: string,
	version: number,
	now: number,
	limits: SessionLimits = DEFAULT_LIMITS
): Promise<IssuedSession> {
	const id = randomBytes(16).toString('base64url');
	const record: SessionRecord = {
		_id: sessionRecordId(login, id),
		type: 'session',
		user: login,
		createdAt: new Date(now).toISOString(),
		until: now + limits.maxMs,
		idleMs: limits.idleMs
	};
	await db.insert(record as unknown as Record<string, unknown>);
	return issue(secret, { u: login, s: id, v: version }, record, now);
}

/**
 * A fresh cookie for a session in use whose cookie is more than a day old (sliding renewal),
 * else null.
 */
export function renewal(
	secret: string,
	claims: SessionClaims,
	record: SessionRecord,
	now: number
): IssuedSession | null {
	if (now - claims.i < SESSION_RENEW_AFTER_MS) return null;
	return issue(secret, claims, record, now);
}

function issue(
	secret: string,
	who: Pick<SessionClaims, 'u' | 's' | 'v'>,
	record: SessionRecord,
	now: number
): IssuedSession {
	const claims: SessionClaims = {
		u: who.u,
		s: who.s,
		v: who.v,
		i: now,
		e: Math.min(now + record.idleMs, record.until)
	};
	return {
		token: signSession(claims, secret),
		claims,
		maxAgeSeconds: Math.floor((claims.e - now) / 1000)
	};
}

/** The record a token names, when it still exists and is within its absolute limit. */
export function liveRecord(doc: unknown, claims: SessionClaims, now: number): SessionRecord | null {
	const record = doc as Partial<SessionRecord> | null | undefined;
	if (!record || record.type !== 'session' || record.user !== claims.u) return null;
	if (typeof record.until !== 'number' || record.until <= now) return null;
	if (typeof record.idleMs !== 'number' || record.idleMs <= 0) return null;
	return record as SessionRecord;
}

/** Deletes one session's record (sign-out); already gone is fine. */
export async function closeSession(db: Db, login: string, sessionId: string): Promise<void> {
	const id = sessionRecordId(login, sessionId);
	for (let attempt = 0; attempt < 5; attempt++) {
		let rev: string;
		try {
			rev = (await db.get(id))._rev;
		} catch (error) {
			if (statusOf(error) === 404) return;
			throw error;
		}
		try {
			await db.destroy(id, rev);
			return;
		} catch (error) {
			if (statusOf(error) === 404) return;
			if (statusOf(error) !== 409) throw error;
		}
	}
}

/** Deletes every session record of the user; returns how many there were. */
export async function closeSessionsOf(db: Db, login: string): Promise<number> {
	const prefix = `session:${login}:`;
	const { rows } = await db.list({ startkey: prefix, endkey: `${prefix}\ufff0` });
	if (rows.length === 0) return 0;
	await db.bulk({ docs: rows.map((r) => ({ _id: r.id, _rev: r.value.rev, _deleted: true })) });
	// A record written meanwhile (a sign-in racing the disable) is refused anyway by the
	// credential version; one more pass removes what the bulk write lost to a conflict.
	const left = await db.list({ startkey: prefix, endkey: `${prefix}\ufff0` });
	for (const r of left.rows) await closeSession(db, login, r.id.slice(prefix.length));
	return rows.length;
}
