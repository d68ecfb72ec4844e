import type { Request, Response } from 'express';
import { HttpError } from '../errors.ts';
import { getCredential, getProfile, type Profile } from '../auth/users.ts';
import { readSession, parseCookies, SESSION_COOKIE } from '../auth/session.ts';
import type { AppContext } from './context.ts';

/** Short cache so a burst of sync requests does not read the credential each time. */
const CACHE_MS = 5_000;
const cache = new Map<string, { at: number; profile: Profile | null }>();

/** The signed-in user of a request, or null. Disabled users and outdated sessions count as signed out. */
export async function currentUser(ctx: AppContext, req: Request): Promise<Profile | null> {
	const now = ctx.now().getTime();
	const claims = readSession(
		parseCookies(req.headers.cookie).get(SESSION_COOKIE),
		ctx.config.secrets.sessionSecret,
		now
	);
	if (!claims) return null;
	const key = `${claims.u}:${claims.v}`;
	const hit = cache.get(key);
	if (hit && now - hit.at < CACHE_MS) return hit.profile;
	const accounts = ctx.couch;
	const credential = await getCredential(accounts, claims.u);
	const valid = credential && !credential.disabled && credential.version === claims.v;
	const profile = valid ? await getProfile(accounts, claims.u) : null;
	cache.set(key, { at: now, profile });
	if (cache.size > 10_000) cache.clear();
	return profile;
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

export function clientAddress(req: Request): string {
	return req.socket.remoteAddress ?? 'unknown';
}

export function noStore(res: Response): void {
	res.setHeader('Cache-Control', 'no-store');
}
