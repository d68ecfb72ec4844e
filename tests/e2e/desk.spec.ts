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

test('the dispatcher filters the list, opens a ticket with the keyboard and adds a follow-up', async ({
	page
}) => {
	const signIn = new SignInPage(page);
	await signIn.open(server.url);
	await signIn.signIn(demoLogin('dispatcher'), DEMO_PASSWORD);
	const list = page.getByRole('listbox', { name: 'Tickets' });
	// The first sync brings a few thousand documents: allow for a slow machine.
	await expect(list.getByRole('option').first()).toBeVisible({ timeout: 45_000 });
	const count = page.getByRole('status').filter({ hasText: /\d+ tickets/ });
	const before = Number(/(\d+)/.exec((await count.textContent()) ?? '')?.[1]);
	// Filter on the priority of the first ticket shown: fewer tickets, all of that priority.
	const priority =
		(await list.getByRole('option').first().locator('.priority').textContent())?.trim() ?? '';
	expect(priority).toMatch(/^P[1-5]$/);
	await page.getByLabel('Priorité', { exact: true }).selectOption(priority);
	await expect(list.getByRole('option').first().locator('.priority')).toHaveText(priority);
	const filtered = Number(/(\d+)/.exec((await count.textContent()) ?? '')?.[1]);
	expect(filtered).toBeGreaterThan(0);
	expect(filtered).toBeLessThan(before);
	const priorities = await list.getByRole('option').locator('.priority').allTextContents();
	expect(new Set(priorities.map((p) => p.trim()))).toEqual(new Set([priority]));

	await list.focus();
	await page.keyboard.press('ArrowDown');
	await page.keyboard.press('Enter');
	await expect(page).toHaveURL(/\/tickets\/ticket:/);
	await expect(page.getByRole('heading', { name: 'Suivi' })).toBeVisible();
	await page.getByLabel('Nouveau suivi').fill('Rappelé le client, il confirme le problème.');
	await page.getByRole('button', { name: 'Ajouter le suivi' }).click();
	await expect(page.getByText('Rappelé le client, il confirme le problème.')).toBeVisible();
});

test('a role that may not close a ticket does not get the action, and sees why', async ({
	page
}) => {
	const signIn = new SignInPage(page);
	await signIn.open(server.url);
	await signIn.signIn(demoLogin('technician'), DEMO_PASSWORD);
	await page.waitForURL(/\/missions$/);
	await page.goto(`${server.url}/tickets`);
	const list = page.getByRole('listbox', { name: 'Tickets' });
	// Every status, not only open ones: the technician's tickets of the day may be closed already.
	await page.getByLabel('Statut', { exact: true }).selectOption({ index: 0 });
	await expect(list.getByRole('option').first()).toBeVisible({ timeout: 45_000 });
	await list.getByRole('option').first().click();
	const close = page.getByRole('button', { name: 'Clore' });
	await expect(close).toBeDisabled();
	const reasonId = await close.getAttribute('aria-describedby');
	expect(reasonId).toBeTruthy();
	await expect(page.locator(`#${reasonId}`)).not.toBeEmpty();
});
