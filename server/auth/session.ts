import { createHmac, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'terrain_session';

const DAY_MS = 24 * 60 * 60_000;
/**
 * A session ends after 7 days without a request (a technician offline over a long weekend
 * stays signed in), and 30 days after sign-in whatever happens.
 */
export const SESSION_IDLE_MS = 7 * DAY_MS;
export const SESSION_MAX_MS = 30 * DAY_MS;
/** A cookie older than this is re-issued (7 more idle days) on the next signed-in request. */
export const SESSION_RENEW_AFTER_MS = DAY_MS;

export interface SessionClaims {
	/** Login name (the user id without its `user:` prefix). */
	readonly u: string;
	/** Session id: the `session:<login>:<id>` record in the private database, deleted at sign-out. */
	readonly s: string;
	/** Credential version: bumped on disable or password reset, which ends older sessions. */
	readonly v: number;
	/** When this cookie was issued, ms since epoch (renewal re-issues it). */
	readonly i: number;
	/** When this cookie expires, ms since epoch. */
	readonly e: number;
}

const FIELDS = ['e', 'i', 's', 'u', 'v'] as const;
const LOGIN = /^[a-z0-9][a-z0-9._-]{1,63}$/;
export const SESSION_ID = /^[A-Za-z0-9_-]{22}$/;
/** `body.signature`, both base64url; the signature is an HMAC-SHA256 (32 bytes → 43 characters). */
const TOKEN = /^([A-Za-z0-9_-]{20,1000})\.([A-Za-z0-9_-]{43})$/;

/**
 * A signed token naming a session; only the server holding the secret can make one. Sessions
 * are opened with `openSession` (sessions.ts), which writes the record the token names.
 * Claims without a session (`{u, v, e}`, the stateless tokens of before) still sign, for
 * callers not yet moved, but every server refuses the token they make.
 */
export function signSession(
	claims: SessionClaims | { readonly u: string; readonly v: number; readonly e: number },
	secret: string
): string {
	const exact =
		's' in claims
			? { u: claims.u, s: claims.s, v: claims.v, i: claims.i, e: claims.e }
			: { u: claims.u, v: claims.v, e: claims.e };
	const body = Buffer.from(JSON.stringify(exact)).toString('base64url');
	return `${body}.${mac(body, secret)}`;
}

/**
 * The claims of a well-formed, correctly signed, unexpired token, else null. Strict: exactly
 * `base64url.base64url`, canonical encoding, a JSON object with exactly the five fields and
 * their types. Whether the session still exists is for the caller to check (sessions.ts).
 */
export function readSession(
	token: string | undefined,
	secret: string,
	now: number
): SessionClaims | null {
	if (!token) return null;
	const match = TOKEN.exec(token);
	if (!match) return null;
	const [, body, signature] = match as unknown as [string, string, string];
	const expected = new TextEncoder().encode(mac(body, secret));
	const given = new TextEncoder().encode(signature);
	if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
	const bytes = Buffer.from(body, 'base64url');
	if (bytes.toString('base64url') !== body) return null;
	let claims: unknown;
	try {
		claims = JSON.parse(bytes.toString('utf8'));
	} catch {
		return null;
	}
	if (!isClaims(claims)) return null;
	return claims.e > now ? claims : null;
}

function isClaims(value: unknown): value is SessionClaims {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
	if (Object.getPrototypeOf(value) !== Object.prototype) return false;
	const keys = Object.keys(value).sort();
	if (keys.length !== FIELDS.length || keys.some((k, i) => k !== FIELDS[i])) return false;
	const c = value as Record<string, unknown>;
	return (
		typeof c.u === 'string' &&
		LOGIN.test(c.u) &&
		typeof c.s === 'string' &&
		SESSION_ID.test(c.s) &&
		Number.isSafeInteger(c.v) &&
		(c.v as number) > 0 &&
		Number.isSafeInteger(c.i) &&
		Number.isSafeInteger(c.e) &&
		(c.e as number) > (c.i as number)
	);
}

function mac(body: string, secret: string): string {
	return createHmac('sha256', secret).update(body).digest('base64url');
}

export function sessionCookie(token: string, secure: boolean, maxAgeSeconds: number): string {
	return [
		`${SESSION_COOKIE}=${token}`,
		'Path=/',
		'HttpOnly',
		'SameSite=Lax',
		`Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`,
		...(secure ? ['Secure'] : [])
	].join('; ');
}

export function parseCookies(header: string | undefined): Map<string, string> {
	const cookies = new Map<string, string>();
	for (const part of (header ?? '').split(';')) {
		const eq = part.indexOf('=');
		if (eq > 0) cookies.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
	}
	return cookies;
}
