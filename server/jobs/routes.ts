/** The admin's view of the server's jobs: last run, what it did, its errors. */
import { Router } from 'express';
import { noStore, requireRole } from '../http/auth.ts';
import type { AppContext } from '../http/context.ts';
import { handle } from '../http/handle.ts';
import { jobStates } from './runner.ts';

export function jobRoutes(ctx: AppContext): Router {
	const router = Router();
	router.get(
		'/api/admin/jobs',
		handle(async (req, res) => {
			await requireRole(ctx, req, 'admin');
			noStore(res);
			const states = await jobStates(ctx.couch.privateDb, ctx.now());
			res.json({
				jobs: states.map(({ name, doc, running }) => ({
					name,
					running,
					lastRun: doc?.lastRun ?? null,
					runs: doc?.runs ?? [],
					lastActionAt: doc?.lastActionAt ?? null
				}))
			});
		})
	);
	return router;
}
