import { assets, immutable } from '$app/manifest';
import { version } from '$app/env';
import { self } from '$app/service-worker';
import {
	cleanupOutdatedCaches,
	createHandlerBoundToURL,
	precacheAndRoute
} from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

/** The app shell every route renders in: cached so the app opens with no network at all. */
const SHELL = '/shell.html';

precacheAndRoute([
	// Hashed file names: the URL is the revision.
	...immutable.map(({ path }) => ({ url: path, revision: null })),
	...assets.map(({ path }) => ({ url: path, revision: version })),
	{ url: SHELL, revision: version }
]);
cleanupOutdatedCaches();

// Every navigation gets the shell, except the API and sync endpoints.
registerRoute(new NavigationRoute(createHandlerBoundToURL(SHELL), { denylist: [/^\/api\//] }));

// The page asks for the new version to take over only when no draft is open.
self.addEventListener('message', (event) => {
	if ((event.data as { type?: string } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});
