// Issue #15, point 4: a dispatcher's first sync never looks like an empty queue. The list says
// how far the tickets have come ("Chargement des tickets : 120 / 480") where it will be, and it
// is usable as soon as the tickets are in, before the rest of the first sync (timelines,
// missions, reports) has arrived. Each `_bulk_get` answer is held back here, as on a slow
// network, so that the first sync lasts long enough to be watched.
import { expect, test } from 'playwright/test';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { DEMO_PASSWORD, demoLogin } from '../support/demo.ts';
import { SignInPage } from './pages.ts';

let server: ServerProcess;

test.beforeAll(async () => {
	server = await startServerProcess();
});

test.afterAll(async () => {
	await server?.stop();
});

test('the first sync shows the tickets coming in, then the list before the rest has arrived', async ({
	page
}) => {
	test.setTimeout(240_000);
	// Whether "Aucun ticket." was ever on the screen, and what the list's place said.
	await page.addInitScript(() => {
		const seen = ((window as unknown as { seenTexts: string[] }).seenTexts = [] as string[]);
		new MutationObserver(() => {
			const text = document.querySelector('main')?.textContent ?? '';
			if (text.includes('Aucun ticket.')) seen.push('Aucun ticket.');
		}).observe(document, { subtree: true, childList: true, characterData: true });
	});
	await page.route('**/api/sync/bulk_get', async (route) => {
		await new Promise((resolve) => setTimeout(resolve, 700));
		await route.continue();
	});
	const signIn = new SignInPage(page);
	await signIn.open(server.url);
	await signIn.signIn(demoLogin('dispatcher'), DEMO_PASSWORD);

	// Where the list will be: the tickets counted as they come in, in French digits.
	const loading = page
		.getByRole('main')
		.getByRole('status')
		.filter({ hasText: /^Chargement des tickets : [\d\u202f\u00a0]+ \/ [\d\u202f\u00a0]+$/ });
	await expect(loading).toBeVisible({ timeout: 60_000 });
	await page.screenshot({ path: '/tmp/o-first-sync-loading.png', fullPage: true });
	const [done, total] = ((await loading.textContent()) ?? '')
		.replace(/[\u202f\u00a0]/g, '')
		.match(/\d+/g)!
		.map(Number);
	// Her working set (issue #15): her group’s and the intake queue’s tickets, recent closures.
	expect(total).toBeGreaterThan(20);
	expect(done).toBeLessThan(total!);
	// The filters do not count an empty queue meanwhile.
	await expect(page.getByLabel('Statut', { exact: true }).locator('option:checked')).toHaveText(
		'Ouverts'
	);

	// The list is there while the first sync is still bringing the rest.
	const list = page.getByRole('listbox', { name: 'Tickets' });
	await expect(list.getByRole('option').first()).toBeVisible({ timeout: 120_000 });
	const firstSync = page.getByRole('status').filter({ hasText: /Première synchronisation : / });
	await expect(firstSync).toBeVisible();
	const shown = page.getByRole('status').filter({ hasText: /^\d+ tickets$/ });
	expect(Number(/\d+/.exec((await shown.textContent()) ?? '')?.[0])).toBeGreaterThan(0);
	await page.screenshot({ path: '/tmp/o-first-sync-list.png', fullPage: true });
	// Then the first sync ends; the queue was never shown empty.
	await expect(firstSync).toHaveCount(0, { timeout: 180_000 });
	expect(
		await page.evaluate(() => (window as unknown as { seenTexts: string[] }).seenTexts)
	).toEqual([]);
});
