import { Router } from 'express';
import type { AppContext } from './context.ts';
import { handle } from './handle.ts';
import { messageOf } from '../errors.ts';

export function healthRoutes(ctx: AppContext): Router {
	const router = Router();
	router.get(
		'/api/health',
		handle(async (_req, res) => {
			res.setHeader('Cache-Control', 'no-store');
			const mode = ctx.couch.embedded ? 'embedded' : 'couchdb';
			try {
				const info = (await ctx.couch.db.info()) as { doc_count?: number };
				res.json({
					status: 'ok',
					database: {
						status: 'ok',
						mode,
						name: ctx.config.dbName,
						docCount: info.doc_count ?? null
					}
				});
			} catch (error) {
				res.status(503).json({
					status: 'unavailable',
					database: {
						status: 'unreachable',
						mode,
						message: `La base de données ne répond pas (${messageOf(error)}).`
					}
				});
			}
		})
	);
	return router;
}
