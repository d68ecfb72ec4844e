import { createHmac, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'terrain_session';
/** Technicians stay signed in for a long time: they work offline for days. */
export const SESSION_DAYS = 30;

export interface SessionClaims {
	/** Login name (the user id without its `user:` prefix). */
	readonly u: string;
	/** Credential version: bumped on disable or password reset, which ends older sessions. */
	readonly v: number;
	/** Expiry, ms since epoch. */
	readonly e: number;
}

/**
 * A signed, stateless session token: any server instance can check it with the shared
 * secret, so nothing lives in one process's memory.
 */
export function signSession(claims: SessionClaims, secret: string): string {
	const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
	return `${body}.${mac(body, secret)}`;
}

export function readSession(
	token: string | undefined,
	secret: string,
	now: number
): SessionClaims | null {
	if (!token) return null;
	const [body, signature] = token.split('.');
	if (!body || !signature) return null;
	const expected = new TextEncoder().encode(mac(body, secret));
	const given = new TextEncoder().encode(signature);
	if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
	try {
		const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as SessionClaims;
		if (
			typeof claims.u !== 'string' ||
			typeof claims.v !== 'number' ||
			typeof claims.e !== 'number'
		) {
			return null;
		}
		return claims.e > now ? claims : null;
	} catch {
		return null;
	}
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
		`Max-Age=${maxAgeSeconds}`,
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
