// Web push on the technician's phone, in Chromium. Headless Chromium has no push service, so
// the push is delivered through the DevTools protocol (ServiceWorker.deliverPushMessage):
// that runs the worker's real `push` handler with the server's payload shape. The tap is a
// `notificationclick` dispatched in the worker on the notification it showed (a real tap
// cannot be simulated headless); the handler then brings the open window to the mission.
import { expect, test, type BrowserContext, type Page } from 'playwright/test';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { DEMO_PASSWORD } from '../support/demo.ts';
import { aTicket } from '../../src/lib/domain/testing/factories.ts';
import { SignInPage } from './pages.ts';
import { openOpenMission, phoneContext, signInOnPhone } from './field-helpers.ts';

let server: ServerProcess;
let context: BrowserContext;
let page: Page;

test.beforeAll(async () => {
	server = await startServerProcess();
});

test.afterAll(async () => {
	await context?.close();
	await server?.stop();
});

type WorkerScope = {
	registration: ServiceWorkerRegistration;
	dispatchEvent(event: Event): boolean;
	NotificationEvent: new (type: string, init: { notification: Notification }) => Event;
};

test('after sign-in the app explains and asks; a push shows the mission; a tap opens it', async ({
	browser
}) => {
	context = await phoneContext(browser);
	page = await context.newPage();
	await signInOnPhone(page, server.url);

	// Asked after sign-in, with the reason, and "Later" puts it off.
	const prompt = page.getByRole('region', { name: 'Recevoir vos missions sur ce téléphone ?' });
	await expect(prompt).toBeVisible();
	await expect(prompt).toContainText('une heure avant chaque intervention');
	await prompt.getByRole('button', { name: 'Plus tard' }).click();
	await expect(prompt).toBeHidden();

	const missionSuffix = await openOpenMission(page);
	await page.goto(`${server.url}/missions`);
	await expect(page.getByRole('heading', { name: 'Mes missions' })).toBeVisible();
	await context.grantPermissions(['notifications'], { origin: server.url });
	await page.evaluate(() => {
		const seen: unknown[] = [];
		(window as unknown as { swMessages: unknown[] }).swMessages = seen;
		navigator.serviceWorker.addEventListener('message', (e: MessageEvent) => seen.push(e.data));
	});

	const cdp = await context.newCDPSession(page);
	const registrationId = new Promise<string>((done) => {
		cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
			const ours = registrations.find((r) => r.scopeURL.startsWith(server.url) && !r.isDeleted);
			if (ours) done(ours.registrationId);
		});
	});
	await cdp.send('ServiceWorker.enable');
	const payload = {
		v: 1,
		id: `notif:mission:${missionSuffix}:000001`,
		event: 'assigned',
		title: 'Nouvelle mission',
		body: 'Nouvelle mission le jeu. 26 nov. à 09:00 — n° 10421 Imprimante hors service',
		missionId: `mission:${missionSuffix}`,
		url: `/missions/${missionSuffix}`
	};
	await cdp.send('ServiceWorker.deliverPushMessage', {
		origin: new URL(server.url).origin,
		registrationId: await registrationId,
		data: JSON.stringify(payload)
	});

	// The worker's handler showed the notification…
	await expect
		.poll(() =>
			page.evaluate(async () => {
				const registration = await navigator.serviceWorker.ready;
				return (await registration.getNotifications()).map((n) => ({
					title: n.title,
					body: n.body,
					url: (n.data as { url?: string }).url
				}));
			})
		)
		.toEqual([{ title: payload.title, body: payload.body, url: payload.url }]);
	// …and told the open page to sync.
	await expect
		.poll(() => page.evaluate(() => (window as unknown as { swMessages: unknown[] }).swMessages))
		.toContainEqual({ type: 'sync', reason: 'push' });

	// A tap on it brings the open window to the mission.
	const worker = context.serviceWorkers().find((w) => w.url().startsWith(server.url));
	expect(worker).toBeTruthy();
	await worker!.evaluate(async () => {
		const scope = globalThis as unknown as WorkerScope;
		const [notification] = await scope.registration.getNotifications();
		if (!notification) throw new Error('no notification');
		scope.dispatchEvent(new scope.NotificationEvent('notificationclick', { notification }));
	});
	await expect(page).toHaveURL(new RegExp(`/missions/${missionSuffix}$`));
	await expect
		.poll(() =>
			page.evaluate(
				async () => (await (await navigator.serviceWorker.ready).getNotifications()).length
			)
		)
		.toBe(0);
});

test('without SMTP_URL the requester’s notice is kept and shown to admins', async ({ page }) => {
	await new SignInPage(page).open(server.url);
	await new SignInPage(page).signIn('admin', DEMO_PASSWORD);
	await expect(page).toHaveURL(/\/tickets/);
	// A new ticket reaches the server the way a device pushes one.
	const now = new Date().toISOString();
	// The caller's company is not identified yet: the factory's client is not in the demo.
	const { clientId: _unknown, ...ticket } = {
		...aTicket({
			title: 'Écran noir au poste 12',
			requester: { name: 'Anne Roy', email: 'anne.roy@client.fr' }
		}),
		_id: `ticket:01JE2EMAIL${Date.now().toString().padStart(16, '0')}`,
		_rev: `1-${'ab'.repeat(16)}`,
		createdAt: now,
		updatedAt: now,
		createdBy: 'user:admin',
		updatedBy: 'user:admin'
	};
	const pushed = await page.request.post(`${server.url}/api/sync/db/_bulk_docs`, {
		data: { docs: [ticket], new_edits: false }
	});
	expect(pushed.status()).toBeLessThan(300);
	// Stored, not refused (a 201 carries per-document refusals).
	expect(await pushed.json()).toEqual([expect.not.objectContaining({ error: expect.anything() })]);
	await page.goto(`${server.url}/admin/mail`);
	await expect(page.getByRole('heading', { name: 'E-mails' })).toBeVisible();
	await expect(page.getByText('Aucun serveur SMTP configuré')).toBeVisible();
	const list = page.getByRole('list', { name: 'E-mails' });
	await expect(async () => {
		await page.getByRole('button', { name: 'Actualiser' }).click();
		await expect(list.getByText(/anne\.roy@client\.fr · conservé/)).toBeVisible({ timeout: 1000 });
	}).toPass({ timeout: 20_000 });
	await list.getByText(/Demande n° .* enregistrée/).click();
	await expect(list.getByText(/Résumé de votre demande : Écran noir au poste 12/)).toBeVisible();
});
