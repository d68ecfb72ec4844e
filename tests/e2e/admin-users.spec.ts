import { expect, test } from 'playwright/test';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { DeskPage } from './pages.ts';
import { DEMO_PASSWORD } from '../support/demo.ts';

let server: ServerProcess;

test.beforeAll(async () => {
	server = await startServerProcess();
});

test.afterAll(async () => {
	await server?.stop();
});

test('an admin gives a technician a skill picked by name from the referential, never typed', async ({
	page
}) => {
	const desk = new DeskPage(page);
	await desk.signIn(server.url, 'admin', DEMO_PASSWORD);
	await page.getByRole('link', { name: 'Administration' }).click();
	const row = page.getByRole('row').filter({ hasText: 'Julien Moreau' });
	// Groups and skills read by their names, not their ids.
	// The people come with the admin's first sync: allow for a slow machine, as the desk does.
	await expect(row).toContainText('Techniciens terrain', { timeout: 45_000 });
	await expect(row).toContainText('Réseau, Wi-Fi, Sécurité');
	await expect(row).not.toContainText(/reseau|securite|terrain,|support-n2/);
	await page.getByRole('button', { name: 'Modifier Julien Moreau' }).click();
	const form = page.getByRole('form', { name: 'Modifier Julien Moreau' });
	const skills = form.getByRole('group', { name: 'Compétences' });
	await expect(skills.getByRole('checkbox', { name: 'Réseau' })).toBeChecked();
	await expect(skills.getByRole('checkbox', { name: 'Imprimante' })).not.toBeChecked();
	await expect(form.getByRole('textbox')).toHaveCount(0);
	await skills.getByRole('checkbox', { name: 'Imprimante' }).check();
	await form
		.getByRole('group', { name: 'Groupes' })
		.getByRole('checkbox', { name: 'Hotline (niveau 1)' })
		.check();
	await form.getByRole('button', { name: 'Enregistrer' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Enregistré' })).toBeVisible();
	// In the referential's order.
	await expect(row).toContainText('Réseau, Wi-Fi, Imprimante, Sécurité');
	await expect(row).toContainText('Hotline (niveau 1)');
	await page.screenshot({ path: 'test-results/admin-users.png', fullPage: true });
});

test('an admin puts a hotliner in a team by its name; her row says it, and “none” takes it off', async ({
	page
}) => {
	const desk = new DeskPage(page);
	await desk.signIn(server.url, 'admin', DEMO_PASSWORD);
	await page.getByRole('link', { name: 'Administration' }).click();
	const row = page.getByRole('row').filter({ hasText: 'claire.hotline' });
	await expect(row.getByRole('cell').nth(3)).toHaveText('Aucune');
	const name = ((await row.getByRole('cell').first().textContent()) ?? '').split(' (')[0]!.trim();
	await page.getByRole('button', { name: `Modifier ${name}` }).click();
	const form = page.getByRole('form', { name: `Modifier ${name}` });
	const team = form.getByLabel('Équipe (agence)');
	await expect(team).toHaveValue('');
	// The referential's groups, by name.
	await team.selectOption({ label: 'Hotline (niveau 1)' });
	await expect(form).toContainText(
		'garde hors ligne les clients, tickets et plannings de son équipe'
	);
	await form.getByRole('button', { name: 'Enregistrer' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Enregistré' })).toBeVisible();
	await expect(row.getByRole('cell').nth(3)).toHaveText('Hotline (niveau 1)');
	await page.screenshot({ path: 'test-results/admin-team.png', fullPage: true });
	await page.getByRole('button', { name: `Modifier ${name}` }).click();
	await expect(team).toHaveValue('hotline');
	await team.selectOption({ label: 'Aucune (toutes les équipes)' });
	await form.getByRole('button', { name: 'Enregistrer' }).click();
	await expect(row.getByRole('cell').nth(3)).toHaveText('Aucune');
});
