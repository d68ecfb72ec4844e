import { createHash, randomBytes } from 'node:crypto';
import { Router } from 'express';
import * as v from 'valibot';
import { HttpError, statusOf } from '../errors.ts';
import { noStore, requireUser } from '../http/auth.ts';
import type { AppContext } from '../http/context.ts';
import { handle, parseBody } from '../http/handle.ts';
import { pickFor, technicianFeed } from './feed.ts';

const Target = v.object({ technician: v.optional(v.pipe(v.string(), v.maxLength(64))) });

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * iCalendar feed per technician behind a secret URL, so missions and absences show in the
 * phone's own calendar (seed 000 §5.1). The technician or an admin makes or revokes it;
 * only a hash of the secret is stored.
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

	async function revoke(login: string): Promise<void> {
		const current = await get(`icaluser:${login}`);
		if (!current) return;
		const byToken = await get(`ical:${String(current.tokenHash)}`);
		if (byToken) await db.destroy(byToken._id as string, byToken._rev as string);
		await db.destroy(current._id as string, current._rev as string);
	}

	async function get(id: string): Promise<Record<string, unknown> | null> {
		try {
			return (await db.get(id)) as Record<string, unknown>;
		} catch (error) {
			if (statusOf(error) === 404) return null;
			throw error;
		}
	}

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
			const ranges = await Promise.all(
				['mission', 'calendar', 'client'].map((type) =>
					ctx.couch.db.list({ startkey: `${type}:`, endkey: `${type}:\ufff0`, include_docs: true })
				)
			);
			const wanted = ranges.flatMap((r) => r.rows.map((row) => row.doc));
			const { missions, entries, clients } = pickFor(`user:${login}`, wanted);
			res.setHeader('Content-Type', 'text/calendar; charset=utf-8');
			res.setHeader('Cache-Control', 'private, max-age=300');
			res.send(technicianFeed(login, missions, entries, clients));
		})
	);

	return router;
}
