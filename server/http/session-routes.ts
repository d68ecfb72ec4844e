import { Router } from 'express';
import * as v from 'valibot';
import { HttpError } from '../errors.ts';
import { checkPassword, getProfile } from '../auth/users.ts';
import { SESSION_DAYS, sessionCookie, signSession } from '../auth/session.ts';
import { clientAddress, currentUser, noStore } from './auth.ts';
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
			const keys = [`account:${name}`, `address:${clientAddress(req)}`];
			const wait = await ctx.throttle.waitFor(keys, now);
			if (wait > 0) {
				const seconds = Math.ceil(wait / 1000);
				res.setHeader('Retry-After', String(seconds));
				throw new HttpError(
					429,
					'too_many_attempts',
					`Trop de tentatives : réessayez dans ${seconds} s.`
				);
			}
			const credential = await checkPassword(ctx.couch, name, password);
			const profile = credential ? await getProfile(ctx.couch, name) : null;
			if (!credential || !profile) {
				await ctx.throttle.failed(keys, now);
				throw new HttpError(401, 'wrong_credentials', WRONG_CREDENTIALS);
			}
			await ctx.throttle.succeeded(`account:${name}`);
			const maxAge = SESSION_DAYS * 24 * 3600;
			const token = signSession(
				{ u: name, v: credential.version, e: now + maxAge * 1000 },
				ctx.config.secrets.sessionSecret
			);
			res.setHeader('Set-Cookie', sessionCookie(token, ctx.config.secureCookies, maxAge));
			res.json({ user: publicProfile(profile) });
		})
	);

	router.delete(
		'/api/session',
		handle(async (_req, res) => {
			noStore(res);
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
