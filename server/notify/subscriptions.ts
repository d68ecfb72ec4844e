/**
 * Push subscriptions (`pushsub:<user id>:<hash of endpoint>`, so one user's are one id
 * range), technicians' push preferences (`pushprefs:<user id>`) and requesters who asked for
 * no more notices (`unsub:<hash of address>`), all in the private database.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { PUSH_EVENTS, type PushEvent } from './intents.ts';
import type { PushSubscriptionKeys } from './push-send.ts';
import { byPrefix, getOrNull, write, type Db } from './store.ts';
import { statusOf } from '../errors.ts';

export interface SubscriptionDoc extends PushSubscriptionKeys {
	readonly type: 'pushsub';
	readonly user: string;
	readonly createdAt: string;
	readonly userAgent?: string;
}

export type PushPreferences = Readonly<Record<PushEvent, boolean>>;

export const DEFAULT_PREFERENCES: PushPreferences = Object.fromEntries(
	PUSH_EVENTS.map((e) => [e, true])
) as Record<PushEvent, boolean>;

function hash(text: string): string {
	return createHash('sha256').update(text).digest('base64url').slice(0, 32);
}

export function subscriptionId(userId: string, endpoint: string): string {
	return `pushsub:${userId}:${hash(endpoint)}`;
}

/** Stores (or refreshes) a subscription for the user. */
export async function saveSubscription(
	db: Db,
	userId: string,
	sub: PushSubscriptionKeys,
	now: Date,
	userAgent?: string
): Promise<void> {
	const _id = subscriptionId(userId, sub.endpoint);
	for (let attempt = 0; attempt < 3; attempt++) {
		const current = await getOrNull<SubscriptionDoc>(db, _id);
		const doc = {
			_id,
			...(current?._rev ? { _rev: current._rev } : {}),
			type: 'pushsub',
			user: userId,
			endpoint: sub.endpoint,
			keys: { p256dh: sub.keys.p256dh, auth: sub.keys.auth },
			createdAt: now.toISOString(),
			...(userAgent ? { userAgent: userAgent.slice(0, 200) } : {})
		};
		if (await write(db, doc)) return;
	}
}

/** Removes a subscription by id; already gone is fine. */
export async function removeSubscription(db: Db, id: string): Promise<void> {
	const current = await getOrNull<SubscriptionDoc>(db, id);
	if (!current?._rev) return;
	await db.destroy(id, current._rev).catch((error: unknown) => {
		if (statusOf(error) !== 404 && statusOf(error) !== 409) throw error;
	});
}

/**
 * The user's subscriptions, none for a disabled account (their subscriptions are deleted
 * when the account is disabled; this also holds for one written meanwhile).
 */
export async function subscriptionsOf(
	db: Db,
	userId: string
): Promise<Array<SubscriptionDoc & { _id: string }>> {
	const [subs, credential] = await Promise.all([
		byPrefix<SubscriptionDoc>(db, `pushsub:${userId}:`),
		getOrNull<{ disabled?: boolean }>(db, `credential:${userId.replace(/^user:/, '')}`)
	]);
	return credential?.disabled === true ? [] : subs;
}

/** Deletes every subscription of the user (account disabled); returns how many there were. */
export async function removeSubscriptionsOf(db: Db, userId: string): Promise<number> {
	const subs = await byPrefix<SubscriptionDoc>(db, `pushsub:${userId}:`);
	for (const sub of subs) await removeSubscription(db, sub._id);
	return subs.length;
}

export async function preferencesOf(db: Db, userId: string): Promise<PushPreferences> {
	const doc = await getOrNull<{ events?: Partial<PushPreferences> }>(db, `pushprefs:${userId}`);
	return { ...DEFAULT_PREFERENCES, ...(doc?.events ?? {}) };
}

export async function savePreferences(
	db: Db,
	userId: string,
	events: Partial<PushPreferences>
): Promise<PushPreferences> {
	const id = `pushprefs:${userId}`;
	for (let attempt = 0; attempt < 3; attempt++) {
		const current = await getOrNull<{ events?: Partial<PushPreferences> }>(db, id);
		const merged = { ...DEFAULT_PREFERENCES, ...(current?.events ?? {}), ...events };
		const ok = await write(db, {
			_id: id,
			...(current?._rev ? { _rev: current._rev } : {}),
			type: 'pushprefs',
			user: userId,
			events: merged
		});
		if (ok) return merged;
	}
	throw new Error('preferences kept changing');
}

/** A link token naming the address, signed so nobody can unsubscribe someone else. */
export function unsubscribeToken(secret: string, email: string): string {
	const address = Buffer.from(email.trim().toLowerCase()).toString('base64url');
	return `${address}.${createHmac('sha256', secret).update(`unsub:${address}`).digest('base64url').slice(0, 32)}`;
}

/** The address a token names, or null when the signature does not match. */
export function readUnsubscribeToken(secret: string, token: string): string | null {
	const [address, signature] = token.split('.');
	if (!address || !signature) return null;
	const expected = createHmac('sha256', secret)
		.update(`unsub:${address}`)
		.digest('base64url')
		.slice(0, 32);
	const a = new TextEncoder().encode(signature);
	const b = new TextEncoder().encode(expected);
	if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
	return Buffer.from(address, 'base64url').toString('utf8');
}

function unsubId(email: string): string {
	return `unsub:${hash(email.trim().toLowerCase())}`;
}

export async function markUnsubscribed(db: Db, email: string, now: Date): Promise<void> {
	const id = unsubId(email);
	if (await getOrNull(db, id)) return;
	await write(db, { _id: id, type: 'unsub', at: now.toISOString() });
}

export async function isUnsubscribed(db: Db, email: string): Promise<boolean> {
	return (await getOrNull(db, unsubId(email))) !== null;
}
