import express, { type Express, type Request, type RequestHandler } from 'express';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { AppContext } from './context.ts';
import { errorHandler } from './handle.ts';
import { healthRoutes } from './health.ts';
import { sessionRoutes } from './session-routes.ts';
import { syncRoutes } from '../sync/routes.ts';
import { searchRoutes } from '../search/routes.ts';
import { syncDbRoutes } from '../sync/db-routes.ts';
import { HttpError } from '../errors.ts';
import { icalRoutes } from '../ical/routes.ts';
import { publicRoutes } from '../public/routes.ts';
import { requesterRoutes } from '../requester/routes.ts';
import { notifyRoutes } from '../notify/routes.ts';
import { jobRoutes } from '../jobs/routes.ts';
import { billingRoutes } from '../billing/routes.ts';

export const BUILD_DIR = join(import.meta.dirname, '..', '..', 'build');

export interface AppOptions {
	/** The address people use (`PUBLIC_URL`): its origin is accepted, https turns HSTS on. */
	readonly publicUrl?: string | undefined;
}

/** The whole HTTP surface: API, then the built app with the shell as fallback. */
export function createApp(
	ctx: AppContext,
	buildDir = BUILD_DIR,
	options: AppOptions = {}
): Express {
	const app = express();
	app.disable('x-powered-by');
	// As many hops as TRUST_PROXY says (never `true`: the leftmost X-Forwarded-For is the client's to write).
	app.set('trust proxy', ctx.config.trustProxy || false);
	const publicOrigin = originOf(options.publicUrl);
	app.use(securityHeaders(buildDir, publicOrigin?.startsWith('https:') ?? false));
	app.use('/api', sameOriginJson(publicOrigin));
	// Before the JSON parser: pushes carry attachments and have their own body limit.
	app.use(syncDbRoutes(ctx));
	app.use(express.json({ limit: '8mb' }));
	app.use(healthRoutes(ctx));
	app.use(sessionRoutes(ctx));
	app.use(icalRoutes(ctx));
	app.use(publicRoutes(ctx));
	app.use(requesterRoutes(ctx));
	app.use(syncRoutes(ctx));
	app.use(searchRoutes(ctx));
	app.use(notifyRoutes(ctx));
	app.use(jobRoutes(ctx));
	app.use(billingRoutes(ctx));
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

/** API answers are data, never pages to render or frame (the unsubscribe page has inline style). */
const API_POLICY =
	"default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/** Without a policy in the built shell (kit.csp in vite.config.ts): what holds anyway. */
const FALLBACK_POLICY = "object-src 'none'; base-uri 'self'";

/**
 * Headers on every answer: a Content-Security-Policy (the app's own, as built into shell.html
 * with the hashes of its inline scripts, plus `frame-ancestors 'none'`, which a `<meta>` cannot
 * carry), `nosniff`, a same-origin referrer, no framing, and HSTS behind https.
 */
function securityHeaders(buildDir: string, https: boolean): RequestHandler {
	const appPolicy = builtPolicy(join(buildDir, 'shell.html'));
	return (req, res, next) => {
		const api = req.path === '/api' || req.path.startsWith('/api/');
		res.setHeader(
			'Content-Security-Policy',
			api ? API_POLICY : `${appPolicy() ?? FALLBACK_POLICY}; frame-ancestors 'none'`
		);
		res.setHeader('X-Content-Type-Options', 'nosniff');
		res.setHeader('Referrer-Policy', 'same-origin');
		res.setHeader('X-Frame-Options', 'DENY');
		if (https) res.setHeader('Strict-Transport-Security', 'max-age=31536000');
		next();
	};
}

/** The policy SvelteKit wrote into the shell, read again when the shell is rebuilt. */
function builtPolicy(shell: string): () => string | null {
	let seen: { mtime: number; policy: string | null } | null = null;
	return () => {
		let mtime: number;
		try {
			mtime = statSync(shell).mtimeMs;
		} catch {
			return null;
		}
		if (seen?.mtime !== mtime) {
			const html = readFileSync(shell, 'utf8');
			const found = /<meta http-equiv="content-security-policy" content="([^"]*)"/i.exec(html);
			seen = { mtime, policy: found ? unescapeAttribute(found[1]!) : null };
		}
		return seen.policy;
	};
}

function unescapeAttribute(value: string): string {
	return value
		.replaceAll('&quot;', '"')
		.replaceAll('&#39;', "'")
		.replaceAll('&lt;', '<')
		.replaceAll('&gt;', '>')
		.replaceAll('&amp;', '&');
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Requests that change something come from the app itself: a JSON body (or none) — no form a
 * foreign page could post — and, when the browser names the page's origin, this server's.
 */
function sameOriginJson(publicOrigin: string | null): RequestHandler {
	return (req, _res, next) => {
		if (!UNSAFE_METHODS.has(req.method)) return next();
		const origin = req.headers.origin;
		if (origin !== undefined && !isOwnOrigin(origin, req, publicOrigin)) {
			return next(
				new HttpError(
					403,
					'cross_origin',
					'Requête refusée : elle ne vient pas d’une page de cette application.'
				)
			);
		}
		const type = req.headers['content-type'];
		const hasBody =
			req.headers['transfer-encoding'] !== undefined ||
			(req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
		if ((type !== undefined || hasBody) && !isJson(type)) {
			return next(
				new HttpError(
					415,
					'unsupported_media_type',
					'Le corps de la requête doit être du JSON (Content-Type: application/json).'
				)
			);
		}
		next();
	};
}

function isJson(type: string | undefined): boolean {
	return type?.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

/**
 * The page's origin names this server: PUBLIC_URL's origin, or the host the request was sent to
 * (either scheme, since TLS may end at a proxy in front).
 */
function isOwnOrigin(origin: string, req: Request, publicOrigin: string | null): boolean {
	let url: URL;
	try {
		url = new URL(origin);
	} catch {
		return false;
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
	if (publicOrigin !== null && url.origin === publicOrigin) return true;
	const hosts = [req.headers.host, req.host].filter((h): h is string => typeof h === 'string');
	return hosts.some((host) => host.toLowerCase() === url.host);
}

function originOf(raw: string | undefined): string | null {
	if (!raw?.trim()) return null;
	try {
		return new URL(raw.trim()).origin;
	} catch {
		return null;
	}
}
