import {
	expect,
	test,
	type Browser,
	type BrowserContext,
	type Locator,
	type Page
} from 'playwright/test';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { DEMO_PASSWORD, demoLogin } from '../support/demo.ts';
import { SignInPage } from './pages.ts';

// Runs against the built app (`node scripts/build.ts`): the service worker must be there.
let server: ServerProcess;

test.beforeAll(async () => {
	test.setTimeout(180_000);
	server = await startServerProcess();
	await syncReady(server.url);
});

/** The server answers sync once its access index is built (a 503 until then). */
async function syncReady(url: string): Promise<void> {
	const res = await fetch(`${url}/api/session`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ name: demoLogin('technician'), password: DEMO_PASSWORD })
	});
	const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
	const until = Date.now() + 150_000;
	while (Date.now() < until) {
		const manifest = await fetch(`${url}/api/sync/manifest`, { headers: { cookie } });
		if (manifest.status !== 503) return;
		await new Promise((done) => setTimeout(done, 1_000));
	}
	throw new Error('sync never became available');
}

test.afterAll(async () => {
	await server?.stop();
});

/** A first sync brings a few thousand documents: allow for a slow machine. */
const FIRST_SYNC = { timeout: 60_000 };
const ENDED = 'Interrompue sans rapport';

async function phone(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
	const context = await browser.newContext({
		viewport: { width: 390, height: 844 },
		hasTouch: true,
		isMobile: true
	});
	return { context, page: await context.newPage() };
}

async function signIn(page: Page, role: string): Promise<void> {
	const form = new SignInPage(page);
	await form.open(server.url);
	await form.signIn(demoLogin(role), DEMO_PASSWORD);
}

/** The sync status, as every screen shows it. */
const status = (page: Page) => page.getByRole('status').filter({ hasText: /synchro|ligne|envoy/i });

/** A mission card the technician can still work on, on the first tab that has one. */
async function finishableMission(page: Page) {
	for (const tab of ['Aujourd’hui', 'À venir']) {
		await page.getByRole('tab', { name: new RegExp(tab) }).click();
		const cards = page
			.getByRole('tabpanel')
			.getByRole('article')
			.filter({ hasText: /Planifiée|En cours/ });
		if ((await cards.count()) > 0) return cards.first();
	}
	throw new Error('no mission left to work on in the demo data');
}

/**
 * Ends the card's mission without a report, from its page (the card has no one-tap close):
 * a reason picked, then back to the list. Two changes: the mission and its timeline entry.
 */
async function endWithoutReport(page: Page, card: Locator): Promise<void> {
	await card.getByRole('link').first().click();
	await page.getByRole('button', { name: 'Terminer sans rapport…' }).click();
	await page.getByLabel('Raison').selectOption({ label: 'Client absent' });
	await page.getByRole('button', { name: 'Confirmer la fin sans rapport' }).click();
	await expect(page.getByText(`Mission : ${ENDED}`)).toBeVisible();
	await page.getByRole('link', { name: '← Mes missions' }).click();
	await expect(page.getByRole('heading', { name: 'Mes missions' })).toBeVisible();
}

/** The ticket of a mission, as the server has it (read through the technician's session). */
async function ticketOfMission(page: Page, missionId: string): Promise<string> {
	const res = await page.request.post(`${server.url}/api/sync/bulk_get`, {
		data: { docs: [{ id: missionId }] }
	});
	expect(res.ok()).toBe(true);
	const body = (await res.json()) as {
		results: Array<{ docs: Array<{ ok?: { ticketId?: string } }> }>;
	};
	const ticketId = body.results[0]?.docs[0]?.ok?.ticketId;
	if (!ticketId) throw new Error(`no ticket for ${missionId}`);
	return ticketId;
}

/** The mission card labelled `label`, on whichever tab it now sits. */
async function cardOnAnyTab(page: Page, label: string) {
	const card = page.getByRole('tabpanel').getByRole('article', { name: label });
	for (const tab of ['Aujourd’hui', 'À venir', 'Terminées']) {
		await page.getByRole('tab', { name: new RegExp(tab) }).click();
		if ((await card.count()) > 0) break;
	}
	return card;
}

async function signedInTechnician(browser: Browser) {
	const { context, page } = await phone(browser);
	await signIn(page, 'technician');
	await expect(page.getByRole('heading', { name: 'Mes missions' })).toBeVisible();
	await expect(status(page)).toContainText('Dernière synchro', FIRST_SYNC);
	// The service worker must hold the app before the network goes.
	await page.evaluate(async () => {
		await navigator.serviceWorker.ready;
	});
	return { context, page };
}

test('a technician ends a mission offline (with its reason), reopens the app offline, and the dispatcher sees it live, the ticket still open', async ({
	browser
}) => {
	test.setTimeout(240_000);
	const tech = await signedInTechnician(browser);
	const card = await finishableMission(tech.page);
	const label = (await card.getAttribute('aria-label')) ?? '';
	const title = label.slice(label.indexOf(' — ') + 3);
	expect(title).not.toBe('');

	// The dispatcher follows the mission's ticket from the desk.
	const href = (await card.getByRole('link').first().getAttribute('href')) ?? '';
	const ticketId = await ticketOfMission(tech.page, `mission:${href.split('/').pop() ?? ''}`);
	const desk = await browser.newContext({ viewport: { width: 1280, height: 900 } });
	const dispatcher = await desk.newPage();
	await signIn(dispatcher, 'dispatcher');
	await expect(
		dispatcher.getByRole('listbox', { name: 'Tickets' }).getByRole('option').first()
	).toBeVisible(FIRST_SYNC);
	await dispatcher.goto(`${server.url}/tickets/${ticketId}`);
	await expect(dispatcher.getByRole('heading', { level: 1 })).toContainText(title);
	const closed = dispatcher.getByText('Clos', { exact: true });
	await expect(closed).toHaveCount(0);
	const ended = dispatcher
		.getByRole('region', { name: 'Suivi' })
		.getByText('Intervention interrompue sans rapport : Client absent');
	await expect(ended).toHaveCount(0);

	// Offline: end the mission without a report (the ticket stays open: no report, no closure).
	await tech.context.setOffline(true);
	await expect(status(tech.page)).toContainText('Hors ligne');
	await endWithoutReport(tech.page, card);
	await expect(status(tech.page)).toContainText('non envoyée');
	const finished = await cardOnAnyTab(tech.page, label);
	await expect(finished.getByText(ENDED, { exact: true })).toBeVisible();
	await expect(status(tech.page)).toContainText('2 modifications non envoyées');

	// Still offline, the app opens again from the service worker, with the change.
	await tech.page.reload();
	await expect(tech.page.getByRole('heading', { name: 'Mes missions' })).toBeVisible();
	await expect(status(tech.page)).toContainText('Hors ligne');
	const reopened = await cardOnAnyTab(tech.page, label);
	await expect(reopened.getByText(ENDED, { exact: true })).toBeVisible();
	await expect(reopened.getByRole('button')).toHaveCount(0);
	await expect(status(tech.page)).toContainText('2 modifications non envoyées');

	// Back online: the change goes up, and the dispatcher's page shows it without a reload.
	await tech.context.setOffline(false);
	await expect(status(tech.page)).toContainText('Dernière synchro', { timeout: 30_000 });
	await expect(status(tech.page)).not.toContainText('non envoyée');
	await expect(status(tech.page)).not.toContainText('Refusé');
	await expect(ended).toBeVisible({ timeout: 30_000 });
	await expect(closed).toHaveCount(0);

	await tech.context.close();
	await desk.close();
});

test('sign-out warns about the unsynced changes by name, and erases the device', async ({
	browser
}) => {
	test.setTimeout(180_000);
	const tech = await signedInTechnician(browser);
	const page = tech.page;
	const card = await finishableMission(page);
	await tech.context.setOffline(true);
	await endWithoutReport(page, card);
	await expect(status(page)).toContainText('2 modifications non envoyées');

	const signOut = page.getByRole('button', { name: 'Se déconnecter' });
	await signOut.click();
	const dialog = page.getByRole('dialog', { name: 'Se déconnecter de cet appareil ?' });
	await expect(dialog).toBeVisible();
	await expect(dialog).toContainText(
		/2 modifications non synchronisées : (mission du ticket n° \d+, suivi du ticket n° \d+|suivi du ticket n° \d+, mission du ticket n° \d+)/
	);
	await expect(dialog).toContainText('Hors ligne : ces modifications seront perdues');
	// Offline, there is nothing to sync first with.
	await expect(dialog.getByRole('button', { name: 'Synchroniser d’abord' })).toHaveCount(0);
	await expect(dialog.getByRole('button', { name: 'Annuler' })).toBeFocused();

	await page.keyboard.press('Escape');
	await expect(dialog).toBeHidden();
	await expect(signOut).toBeFocused();

	// Online, the dialog offers to sync first; once synced, nothing is pending. The push the
	// app starts by itself on coming back online is held until the dialog shows, or it could
	// win the race and leave nothing to offer.
	let release = () => {};
	const held = new Promise<void>((done) => (release = done));
	await tech.context.route('**/api/sync/db/_bulk_docs', async (route) => {
		await held;
		await route.continue();
	});
	await tech.context.setOffline(false);
	await signOut.click();
	const syncFirst = dialog.getByRole('button', { name: 'Synchroniser d’abord' });
	await expect(syncFirst).toBeVisible();
	release();
	await syncFirst.click();
	await expect(dialog).toContainText('Aucune modification en attente', { timeout: 30_000 });

	await dialog.getByRole('button', { name: 'Effacer et se déconnecter' }).click();
	await expect(page).toHaveURL(/\/login$/);
	const login = demoLogin('technician');
	// IndexedDB deletes a database once its last connection closes: a handle of the page that
	// was signed out may close a moment after the navigation.
	await expect
		.poll(
			() =>
				page.evaluate(
					async (name) =>
						(await indexedDB.databases()).flatMap((d) => (d.name?.includes(name) ? [d.name] : [])),
					login
				),
			{ timeout: 10_000 }
		)
		.toEqual([]);
	await tech.context.close();
});
