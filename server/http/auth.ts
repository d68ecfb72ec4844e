import { isIP } from 'node:net';
import type { Request, Response } from 'express';
import { HttpError } from '../errors.ts';
import { credentialId, getProfile, type Credential, type Profile } from '../auth/users.ts';
import {
	readSession,
	parseCookies,
	sessionCookie,
	SESSION_COOKIE,
	type SessionClaims
} from '../auth/session.ts';
import { liveRecord, renewal, sessionRecordId, type SessionRecord } from '../auth/sessions.ts';
import type { AppContext } from './context.ts';

/**
 * How long (real time) one instance may keep answering from its last look at a session: a
 * burst of sync requests then reads the database once. Signing out on this instance forgets
 * it at once; on the others a signed-out or disabled session is refused at most this long
 * after.
 */
export const SESSION_CACHE_MS = 2_000;
const CACHE_MAX = 10_000;
const cache = new Map<
	string,
	{ at: number; profile: Profile | null; record: SessionRecord | null }
>();

/** The session claims of a request's cookie (signed, well-formed, unexpired), or null. */
export function sessionClaims(ctx: AppContext, req: Request): SessionClaims | null {
	return readSession(
		parseCookies(req.headers.cookie).get(SESSION_COOKIE),
		ctx.config.secrets.sessionSecret,
		ctx.now().getTime()
	);
}

/** Drops this instance's cached look at a session (sign-out). */
export function forgetSession(claims: SessionClaims): void {
	cache.delete(cacheKey(claims));
}

/** Requests whose response already carries a renewed cookie (asked twice in one request). */
const renewed = new WeakSet<Request>();

const cacheKey = (c: SessionClaims) => `${c.u}:${c.s}:${c.v}`;

/**
 * The signed-in user of a request, or null: the token must be valid, its session record must
 * still exist (sign-out deletes it), and the account enabled at the token's credential version.
 * A session in use with a cookie more than a day old gets a fresh cookie on this response.
 */
export async function currentUser(ctx: AppContext, req: Request): Promise<Profile | null> {
	const claims = sessionClaims(ctx, req);
	if (!claims) return null;
	const now = ctx.now().getTime();
	const { profile, record } = await lookup(ctx, claims, now);
	if (profile && record) {
		const fresh = renewal(ctx.config.secrets.sessionSecret, claims, record, now);
		const res = req.res;
		if (fresh && res && !res.headersSent && !renewed.has(req)) {
			renewed.add(req);
			res.append(
				'Set-Cookie',
				sessionCookie(fresh.token, ctx.config.secureCookies, fresh.maxAgeSeconds)
			);
		}
	}
	return profile;
}

/** The session's record and the user's profile (null: not signed in), briefly cached. */
async function lookup(
	ctx: AppContext,
	claims: SessionClaims,
	now: number
): Promise<{ profile: Profile | null; record: SessionRecord | null }> {
	const key = cacheKey(claims);
	const hit = cache.get(key);
	const real = performance.now();
	if (hit && real - hit.at < SESSION_CACHE_MS) {
		if (!hit.record || hit.record.until > now) return hit;
	}
	const { rows } = await ctx.couch.privateDb.fetch({
		keys: [sessionRecordId(claims.u, claims.s), credentialId(claims.u)]
	});
	const docOf = (i: number) => {
		const row = rows[i] as { doc?: unknown } | undefined;
		return row && 'doc' in row ? row.doc : null;
	};
	const record = liveRecord(docOf(0), claims, now);
	const credential = docOf(1) as Credential | null;
	const valid =
		record !== null &&
		credential?.type === 'credential' &&
		!credential.disabled &&
		credential.version === claims.v;
	const profile = valid ? await getProfile(ctx.couch, claims.u) : null;
	const entry = { at: real, profile, record: profile ? record : null };
	if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
	cache.delete(key);
	cache.set(key, entry);
	return entry;
}

/** @throws {HttpError} 401 when nobody is signed in. */
export async function requireUser(ctx: AppContext, req: Request): Promise<Profile> {
	const user = await currentUser(ctx, req);
	if (!user) throw new HttpError(401, 'unauthenticated', 'Session expirée : reconnectez-vous.');
	return user;
}

/** @throws {HttpError} 403 unless the user has one of the roles. */
export async function requireRole(
	ctx: AppContext,
	req: Request,
	...roles: string[]
): Promise<Profile> {
	const user = await requireUser(ctx, req);
	if (!user.roles.some((r) => roles.includes(r))) {
		throw new HttpError(403, 'forbidden', 'Votre rôle ne permet pas cette action.');
	}
	return user;
}

/**
 * The client's address for throttling. Behind `TRUST_PROXY=n` reverse proxies, the address
 * the n-th proxy from us saw (X-Forwarded-For, counted from the right: the entries a client
 * writes itself are further left and never used). IPv6 addresses count by their /64, what
 * one subscriber usually holds.
 */
export function clientAddress(ctx: AppContext, req: Request): string {
	const socket = req.socket.remoteAddress ?? '';
	let address = socket;
	const hops = ctx.config.trustProxy;
	if (hops > 0) {
		const header = req.headers['x-forwarded-for'];
		const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
			.split(',')
			.map((a) => a.trim())
			.filter(Boolean);
		const chain = [...forwarded, socket];
		address = chain[Math.max(0, chain.length - 1 - hops)] ?? socket;
	}
	return normalAddress(address);
}

export function normalAddress(raw: string): string {
	let address = raw.trim();
	if (address.startsWith('[') && address.includes(']'))
		address = address.slice(1, address.indexOf(']'));
	const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
	if (mapped) address = mapped[1]!;
	const kind = isIP(address);
	if (kind === 4) return address;
	if (kind === 6) return `${ipv6Groups(address).slice(0, 4).join(':')}::/64`;
	return 'unknown';
}

/** The eight 16-bit groups of an IPv6 address, in lowercase hex without leading zeros. */
function ipv6Groups(address: string): string[] {
	const [head = '', tail = ''] = address.toLowerCase().split('%')[0]!.split('::');
	const parse = (part: string) => (part ? part.split(':') : []);
	let left = parse(head);
	let right = parse(address.includes('::') ? tail : '');
	const last = (right.length ? right : left).at(-1) ?? '';
	if (last.includes('.')) {
		const bytes = last.split('.').map(Number);
		const groups = [
			((bytes[0]! << 8) | bytes[1]!).toString(16),
			((bytes[2]! << 8) | bytes[3]!).toString(16)
		];
		if (right.length) right = [...right.slice(0, -1), ...groups];
		else left = [...left.slice(0, -1), ...groups];
	}
	const fill = Array<string>(8 - left.length - right.length).fill('0');
	return [...left, ...fill, ...right].map((g) => parseInt(g, 16).toString(16));
}

export function noStore(res: Response): void {
	res.setHeader('Cache-Control', 'no-store');
}
