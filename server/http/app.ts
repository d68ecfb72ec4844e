import express, { type Express } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AppContext } from './context.ts';
import { errorHandler } from './handle.ts';
import { healthRoutes } from './health.ts';
import { sessionRoutes } from './session-routes.ts';
import { syncRoutes } from '../sync/routes.ts';
import { syncDbRoutes } from '../sync/db-routes.ts';
import { HttpError } from '../errors.ts';
import { icalRoutes } from '../ical/routes.ts';
import { publicRoutes } from '../public/routes.ts';
import { notifyRoutes } from '../notify/routes.ts';

export const BUILD_DIR = join(import.meta.dirname, '..', '..', 'build');

/** The whole HTTP surface: API, then the built app with the shell as fallback. */
export function createApp(ctx: AppContext, buildDir = BUILD_DIR): Express {
	const app = express();
	app.disable('x-powered-by');
	app.set('trust proxy', process.env.TRUST_PROXY === '1');
	// Before the JSON parser: pushes carry attachments and have their own body limit.
	app.use(syncDbRoutes(ctx));
	app.use(express.json({ limit: '8mb' }));
	app.use(healthRoutes(ctx));
	app.use(sessionRoutes(ctx));
	app.use(icalRoutes(ctx));
	app.use(publicRoutes(ctx));
	app.use(syncRoutes(ctx));
	app.use(notifyRoutes(ctx));
	app.use('/api', (_req, _res, next) =>
		next(new HttpError(404, 'not_found', 'Point d’accès inconnu.'))
	);
	if (existsSync(buildDir)) {
		app.use(
			express.static(buildDir, {
				index: false,
				setHeaders(res, path) {
					if (path.includes('/_app/immutable/')) {
						res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
					} else {
						res.setHeader('Cache-Control', 'no-cache');
					}
				}
			})
		);
		// Every app route renders on the device: serve the shell.
		app.get('/{*path}', (_req, res) => {
			res.setHeader('Cache-Control', 'no-cache');
			res.sendFile(join(buildDir, 'shell.html'));
		});
	}
	app.use(errorHandler);
	return app;
}
