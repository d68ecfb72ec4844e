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
	await page.getByLabel('Priorité', { exact: true }).selectOption('P1');
	await expect(count).not.toHaveText(`${before} tickets`);
	const p1 = Number(/(\d+)/.exec((await count.textContent()) ?? '')?.[1]);
	expect(p1).toBeLessThan(before);
	await expect(list.getByRole('option').first().getByText('P1', { exact: true })).toBeVisible();

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
	await page.goto(`${server.url}/tickets`);
	const list = page.getByRole('listbox', { name: 'Tickets' });
	await expect(list.getByRole('option').first()).toBeVisible({ timeout: 45_000 });
	await list.getByRole('option').first().click();
	const close = page.getByRole('button', { name: 'Clore' });
	await expect(close).toBeDisabled();
	const reasonId = await close.getAttribute('aria-describedby');
	expect(reasonId).toBeTruthy();
	await expect(page.locator(`#${reasonId}`)).not.toBeEmpty();
});
