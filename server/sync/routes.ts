import { Router } from 'express';
import * as v from 'valibot';
import { HttpError } from '../errors.ts';
import { requireUser, noStore } from '../http/auth.ts';
import type { AppContext } from '../http/context.ts';
import { handle, parseBody } from '../http/handle.ts';
import { userPrincipals } from '#lib/domain/access.ts';
import { allowedDocs } from './allowed.ts';

export const BULK_GET_MAX = 500;

const BulkGet = v.object({
	docs: v.pipe(
		v.array(
			v.object({
				id: v.pipe(v.string(), v.maxLength(200)),
				rev: v.optional(v.pipe(v.string(), v.maxLength(100)))
			})
		),
		v.maxLength(BULK_GET_MAX, `docs: at most ${BULK_GET_MAX} documents per request`)
	)
});

export function syncRoutes(ctx: AppContext): Router {
	const router = Router();

	/** Pull, step 1: the list of documents this user may hold now. */
	router.get(
		'/api/sync/manifest',
		handle(async (req, res) => {
			noStore(res);
			const user = await requireUser(ctx, req);
			const docs = await allowedDocs(ctx.couch, userPrincipals(user));
			const cap = ctx.config.docCap;
			if (docs.length > cap) {
				throw new HttpError(
					507,
					'doc_cap',
					`Trop de documents pour cet appareil (${docs.length} > ${cap}) : l’administrateur doit réduire vos accès.`
				);
			}
			res.json({ docs: docs.map((d) => [d.id, d.rev]), total: docs.length });
		})
	);

	/** Pull, step 2: the documents themselves, only those on the user's list. */
	router.post(
		'/api/sync/bulk_get',
		handle(async (req, res) => {
			noStore(res);
			const user = await requireUser(ctx, req);
			const { docs } = parseBody(BulkGet, req.body);
			const allowed = new Set(
				(await allowedDocs(ctx.couch, userPrincipals(user))).map((d) => d.id)
			);
			const refused = docs.find((d) => !allowed.has(d.id));
			if (refused) throw new HttpError(403, 'forbidden', `Document non autorisé : ${refused.id}`);
			const result = await ctx.couch.server.request({
				db: ctx.config.dbName,
				method: 'POST',
				path: '_bulk_get',
				qs: { revs: true, attachments: true },
				body: { docs }
			});
			res.json(result);
		})
	);

	return router;
}
