import { Router } from 'express';
import * as v from 'valibot';
import { HttpError } from '../errors.ts';
import { checkPassword, getProfile } from '../auth/users.ts';
import { sessionCookie } from '../auth/session.ts';
import { closeSession, openSession } from '../auth/sessions.ts';
import { clientAddress, currentUser, forgetSession, noStore, sessionClaims } from './auth.ts';
import type { AppContext } from './context.ts';
import { handle, parseBody } from './handle.ts';

const SignIn = v.object({
	name: v.pipe(
		v.string('name: required'),
		v.trim(),
		v.toLowerCase(),
		v.maxLength(64, 'name: too long')
	),
	password: v.pipe(v.string('password: required'), v.maxLength(256, 'password: too long'))
});

/** One message for every wrong pair, so it never tells which part was wrong. */
export const WRONG_CREDENTIALS = 'Identifiant ou mot de passe incorrect.';

export function sessionRoutes(ctx: AppContext): Router {
	const router = Router();

	router.get(
		'/api/session',
		handle(async (req, res) => {
			noStore(res);
			const user = await currentUser(ctx, req);
			if (!user) throw new HttpError(401, 'unauthenticated', 'Non connecté.');
			res.json({ user: publicProfile(user) });
		})
	);

	router.post(
		'/api/session',
		handle(async (req, res) => {
			noStore(res);
			const { name, password } = parseBody(SignIn, req.body);
			const now = ctx.now().getTime();
			const keys = [`account:${name}`, `address:${clientAddress(ctx, req)}`];
			// Counted before the password is checked, so parallel attempts cannot all get in
			// before the first failure is written; a success gives its count back.
			const wait = await ctx.throttle.attempt(keys, now);
			if (wait > 0) {
				const seconds = Math.ceil(wait / 1000);
				res.setHeader('Retry-After', String(seconds));
				throw new HttpError(
					429,
					'too_many_attempts',
					`Trop de tentatives : réessayez dans ${seconds} s.`
				);
			}
			// A wrong pair keeps its count; a success gives it back (and clears the account's);
			// anything else (the database failing) was no attempt at all.
			let wrong = false;
			try {
				const credential = await checkPassword(ctx.couch, name, password);
				const profile = credential ? await getProfile(ctx.couch, name) : null;
				if (!credential || !profile) {
					wrong = true;
					await ctx.throttle.failed(keys, ctx.now().getTime()).catch(() => undefined);
					throw new HttpError(401, 'wrong_credentials', WRONG_CREDENTIALS);
				}
				const session = await openSession(
					ctx.couch.privateDb,
					ctx.config.secrets.sessionSecret,
					name,
					credential.version,
					now
				);
				await ctx.throttle.succeeded(keys);
				res.setHeader(
					'Set-Cookie',
					sessionCookie(session.token, ctx.config.secureCookies, session.maxAgeSeconds)
				);
				res.json({ user: publicProfile(profile) });
			} catch (error) {
				if (!wrong) await ctx.throttle.cancelled(keys).catch(() => undefined);
				throw error;
			}
		})
	);

	router.delete(
		'/api/session',
		handle(async (req, res) => {
			noStore(res);
			// Ends this session for every instance: its record goes, so the token is refused
			// wherever it is shown again (even by a copy taken before sign-out).
			const claims = sessionClaims(ctx, req);
			if (claims) {
				forgetSession(claims);
				await closeSession(ctx.couch.privateDb, claims.u, claims.s);
				forgetSession(claims);
			}
			res.setHeader('Set-Cookie', sessionCookie('', ctx.config.secureCookies, 0));
			res.json({ ok: true });
		})
	);

	return router;
}

function publicProfile(p: {
	name: string;
	displayName: string;
	roles: string[];
	groups: string[];
	skills: string[];
}) {
	return {
		name: p.name,
		displayName: p.displayName,
		roles: p.roles,
		groups: p.groups,
		skills: p.skills
	};
}
