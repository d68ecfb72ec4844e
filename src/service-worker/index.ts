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

/**
 * A web push from the server: `{ v, id, event, title, body, missionId?, ticketId, url }`.
 * Shows the notification and tells the open pages to sync (`{ type: 'sync', reason: 'push' }`),
 * so the mission is on the device when the technician opens it.
 */
interface PushPayload {
	readonly id?: string;
	readonly title?: string;
	readonly body?: string;
	readonly url?: string;
	readonly missionId?: string;
	readonly ticketId?: string;
	readonly event?: string;
}

function readPush(event: PushEvent): PushPayload {
	try {
		return (event.data?.json() ?? {}) as PushPayload;
	} catch {
		return { body: event.data?.text() ?? '' };
	}
}

/** A synthetic event (a test dispatching one) may not extend its lifetime. */
function keepAlive(event: ExtendableEvent, work: Promise<unknown>): void {
	if (event.isTrusted) event.waitUntil(work);
	else void work;
}

self.addEventListener('push', (event) => {
	const data = readPush(event);
	const url = data.url?.startsWith('/') ? data.url : '/missions';
	const shown = self.registration.showNotification(data.title ?? 'Terrain', {
		body: data.body ?? '',
		icon: '/icons/icon-192.png',
		badge: '/icons/icon-192.png',
		tag: data.missionId ?? data.ticketId ?? data.id ?? 'terrain',
		data: { url, missionId: data.missionId, ticketId: data.ticketId, event: data.event }
	});
	const told = self.clients
		.matchAll({ type: 'window', includeUncontrolled: true })
		.then((clients) => {
			for (const client of clients) client.postMessage({ type: 'sync', reason: 'push' });
		});
	keepAlive(event, Promise.all([shown, told]));
});

/** Opens the mission, in the app's open window when there is one. */
async function openFromNotification(url: string): Promise<void> {
	const clients = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
	const target = new URL(url, self.location.origin).href;
	const open = clients.find((c) => c.url === target) ?? clients[0];
	if (!open) {
		await self.clients.openWindow(target);
		return;
	}
	// Focusing needs the user's tap; the page navigates itself if the worker may not.
	await open.focus().catch(() => undefined);
	if (open.url !== target) {
		const moved = await open.navigate(target).catch(() => null);
		if (!moved) open.postMessage({ type: 'open', url });
	}
}

self.addEventListener('notificationclick', (event) => {
	event.notification.close();
	const data = event.notification.data as { url?: string } | null;
	const url = data?.url?.startsWith('/') ? data.url : '/missions';
	keepAlive(event, openFromNotification(url));
});
