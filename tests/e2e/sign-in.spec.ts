import { expect, test } from 'playwright/test';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { SignInPage } from './pages.ts';
import { DEMO_PASSWORD, demoLogin } from '../support/demo.ts';

let server: ServerProcess;

test.beforeAll(async () => {
	server = await startServerProcess();
});

test.afterAll(async () => {
	await server?.stop();
});

test('a technician signs in on a phone and sees today’s missions', async ({ browser }) => {
	const context = await browser.newContext({
		viewport: { width: 390, height: 844 },
		hasTouch: true,
		isMobile: true
	});
	const page = await context.newPage();
	const signIn = new SignInPage(page);
	await signIn.open(server.url);
	await signIn.signIn(demoLogin('technician'), DEMO_PASSWORD);
	await expect(page).toHaveURL(/\/missions$/);
	await expect(page.getByRole('heading', { name: 'Mes missions' })).toBeVisible();
	const today = page.getByRole('tab', { name: /Aujourd’hui/ });
	await expect(today).toHaveAttribute('aria-selected', 'true');
	// Demo data gives every technician missions today; they arrive through sync.
	const missions = page.getByRole('tabpanel').getByRole('article');
	await expect(missions.first()).toBeVisible();
	expect(await missions.count()).toBeGreaterThanOrEqual(1);
	// Each card: client, address, slot, the ticket's priority and its SLA state (from the device).
	const card = missions.first();
	await expect(card.locator('.priority')).toHaveText(/^P[1-5]$/);
	await expect(
		card.getByText(/^SLA : (Dans les temps|À risque|Dépassé|Respecté|en pause)/)
	).toBeVisible();
	await context.close();
});

test('a dispatcher signs in and sees the ticket list', async ({ page }) => {
	const signIn = new SignInPage(page);
	await signIn.open(server.url);
	await signIn.signIn(demoLogin('dispatcher'), DEMO_PASSWORD);
	await expect(page).toHaveURL(/\/tickets$/);
	await expect(page.getByRole('heading', { name: 'Tickets', level: 1 })).toBeVisible();
	const rows = page.getByRole('listbox', { name: 'Tickets' }).getByRole('option');
	await expect(rows.first()).toBeVisible();
	// A virtual list: only the rows on screen are in the page, the count says how many match.
	// The first sync fills the list in batches: wait until more than a screenful has arrived.
	await expect.poll(() => rows.count(), { timeout: 60_000 }).toBeGreaterThan(5);
	await expect(page.getByRole('status').filter({ hasText: /\d+ tickets/ })).toBeVisible();
});

test('a wrong password shows one message that does not say which part was wrong', async ({
	page
}) => {
	const signIn = new SignInPage(page);
	await signIn.open(server.url);
	await signIn.signIn(demoLogin('dispatcher'), 'not-the-password');
	await expect(page.getByRole('alert')).toHaveText('Identifiant ou mot de passe incorrect.');
	await signIn.signIn('nobody-here', 'not-the-password');
	await expect(page.getByRole('alert')).toHaveText('Identifiant ou mot de passe incorrect.');
	await expect(page).toHaveURL(/\/login$/);
});
