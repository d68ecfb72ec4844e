import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import * as v from 'valibot';
import { HttpError } from '../errors.ts';
import { getCredential, getProfile } from '../auth/users.ts';
import { noStore, requireUser } from '../http/auth.ts';
import type { AppContext } from '../http/context.ts';
import { handle, parseBody } from '../http/handle.ts';
import { syncOf } from '../sync/service.ts';
import { pickFor, technicianFeed } from './feed.ts';
import { getOrNull, hashSecret as hash, revokeFeed } from './tokens.ts';

const Target = v.object({ technician: v.optional(v.pipe(v.string(), v.maxLength(64))) });

/**
 * iCalendar feed per technician behind a secret URL, so missions and absences show in the
 * phone's own calendar (seed 000 §5.1). The technician or an admin makes or revokes it;
 * only a hash of the secret is stored. The feed holds only what the technician's phone may
 * hold now (the sync access rules), and nothing once the account is disabled.
 */
export function icalRoutes(ctx: AppContext): Router {
	const router = Router();
	const db = ctx.couch.privateDb;

	async function target(req: Parameters<typeof requireUser>[1]): Promise<string> {
		const user = await requireUser(ctx, req);
		const { technician } = parseBody(Target, req.body);
		const login = technician ?? user.name;
		if (login !== user.name && !user.roles.includes('admin')) {
			throw new HttpError(
				403,
				'forbidden',
				'Seul un administrateur gère le calendrier d’un autre technicien.'
			);
		}
		return login;
	}

	const revoke = (login: string) => revokeFeed(db, login);
	const get = (id: string) => getOrNull(db, id);

	router.post(
		'/api/ical/token',
		handle(async (req, res) => {
			noStore(res);
			const login = await target(req);
			await revoke(login);
			const token = randomBytes(24).toString('base64url');
			const tokenHash = hash(token);
			await db.bulk({
				docs: [
					{ _id: `ical:${tokenHash}`, type: 'ical', login },
					{
						_id: `icaluser:${login}`,
						type: 'icaluser',
						tokenHash,
						createdAt: ctx.now().toISOString()
					}
				]
			});
			res.json({ path: `/api/ical/${token}.ics` });
		})
	);

	router.delete(
		'/api/ical/token',
		handle(async (req, res) => {
			noStore(res);
			await revoke(await target(req));
			res.json({ ok: true });
		})
	);

	router.get(
		'/api/ical/:file',
		handle(async (req, res) => {
			const token = /^([A-Za-z0-9_-]{20,64})\.ics$/.exec(String(req.params.file))?.[1];
			const entry = token ? await get(`ical:${hash(token)}`) : null;
			if (!entry) throw new HttpError(404, 'not_found', 'Calendrier inconnu ou révoqué.');
			const login = String(entry.login);
			// A disabled account's feed is revoked when it is disabled; refused here too.
			const [credential, profile] = await Promise.all([
				getCredential(ctx.couch, login),
				getProfile(ctx.couch, login)
			]);
			if (!credential || credential.disabled || !profile || profile.disabled) {
				throw new HttpError(404, 'not_found', 'Calendrier inconnu ou révoqué.');
			}
			// Only what the access rules let the technician hold now (the sync manifest): a
			// mission leaves the feed when it leaves the phone (the window after closure).
			const sync = syncOf(ctx);
			await sync.caughtUp();
			const now = ctx.now().getTime();
			const ids = sync.model
				.manifest(sync.model.principalsOf(profile), now)
				.map(([id]) => id)
				.filter((id) => /^(mission|calendar|client):/.test(id));
			const found = ids.length > 0 ? await ctx.couch.db.fetch({ keys: ids }) : { rows: [] };
			const wanted = found.rows.flatMap((row) => ('doc' in row && row.doc ? [row.doc] : []));
			const { missions, entries, clients } = pickFor(profile._id, wanted);
			res.setHeader('Content-Type', 'text/calendar; charset=utf-8');
			res.setHeader('Cache-Control', 'private, max-age=300');
			res.send(technicianFeed(login, missions, entries, clients));
		})
	);

	return router;
}
