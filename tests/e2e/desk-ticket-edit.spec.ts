// Issue #13 point 5: a web-form pre-ticket is not stuck. The dispatcher opens it, identifies the
// client and the requester as at intake, qualifies it, and assigns it by picking a technician
// by name (never typing an id); the timeline says each change in French, groups by their label.
import { expect, test } from 'playwright/test';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { DeskPage } from './pages.ts';
import { DEMO_PASSWORD, DEMO_SIGN_INS, demoLogin } from '../support/demo.ts';

let server: ServerProcess;

test.beforeAll(async () => {
	server = await startServerProcess();
});

test.afterAll(async () => {
	await server?.stop();
});

test('a public pre-ticket gets its client and requester, is qualified and assigned by name', async ({
	page
}) => {
	const title = `Écran noir au guichet ${Date.now()}`;
	await page.goto(`${server.url}/request`);
	await page.getByLabel('Nom', { exact: true }).fill('Claire Visiteuse');
	await page.getByLabel('E-mail').fill('claire.visiteuse@example.fr');
	await page.getByLabel('Objet').fill(title);
	await page.getByLabel('Description').fill('L’écran du guichet reste noir depuis ce matin.');
	await page.getByRole('button', { name: 'Envoyer la demande' }).click();
	await expect(page.getByRole('status')).toBeVisible();

	const desk = new DeskPage(page);
	await desk.signIn(server.url, demoLogin('dispatcher'), DEMO_PASSWORD);
	// Found as at intake, by its title.
	await page.getByRole('link', { name: 'Nouveau ticket' }).click();
	await page.getByLabel('Client, demandeur, téléphone, e-mail, site ou n° de ticket').fill(title);
	await page.getByRole('list', { name: 'Résultats' }).getByRole('button').first().click();
	await expect(page.getByRole('heading', { level: 1 })).toContainText(title);

	const parties = page.getByRole('region', { name: 'Client et demandeur' });
	await expect(parties).toContainText('Pré-ticket reçu du formulaire');
	await expect(parties).toContainText('Client non identifié');
	// Qualifying without a client is refused in French.
	await page.getByLabel('Catégorie').selectOption({ index: 1 });
	await page.getByRole('button', { name: 'Qualifier', exact: true }).click();
	await expect(page.getByRole('alert').first()).toContainText('Identifiez d’abord le client');

	await parties.getByRole('button', { name: 'Identifier le client' }).click();
	await parties.getByLabel('Rechercher le client (nom, site, contact, téléphone)').fill('paris');
	const hit = parties.getByRole('list', { name: 'Résultats' }).getByRole('button').first();
	const clientName = ((await hit.textContent()) ?? '').split(' — ')[0]?.trim() ?? '';
	expect(clientName).not.toBe('');
	await hit.click();
	await expect(parties.getByRole('definition').first()).toHaveText(clientName);
	const contacts = parties.getByLabel('Demandeur parmi les contacts du client');
	await contacts.selectOption({ index: 1 });
	const contactName = (await contacts.locator('option:checked').textContent())?.trim() ?? '';
	await expect(parties).toContainText(contactName);
	// Let the changes reach the server (which numbers the ticket) before the next action.
	const deskSync = page.getByRole('banner').getByRole('status');
	await expect(deskSync).toContainText('Dernière synchro', { timeout: 30_000 });
	await expect(deskSync).not.toContainText(/non envoyée|Refusé/);

	await page.getByLabel('Catégorie').selectOption({ index: 1 });
	await page.getByRole('button', { name: 'Qualifier', exact: true }).click();
	await expect(page.locator('header.head')).toContainText('Qualifié');

	// A name that is nobody's finds nobody, and nothing is assigned.
	const assign = page.getByRole('region', { name: 'Attribution' });
	const combo = assign.getByRole('combobox', { name: 'Attribuer à' });
	await combo.fill('Zébulon');
	await expect(assign.getByRole('listbox', { name: 'Personnes' })).toContainText(
		'Personne ne correspond.'
	);
	await assign.getByRole('button', { name: 'Attribuer', exact: true }).click();
	await expect(assign.getByRole('alert')).toHaveText('Choisissez une personne dans la liste.');

	// Picked by name with the keyboard.
	const technician = DEMO_SIGN_INS.find((s) => s.role === 'technician');
	expect(technician).toBeTruthy();
	await combo.fill(technician!.displayName);
	await expect(
		assign.getByRole('listbox', { name: 'Personnes' }).getByRole('option').first()
	).toContainText(technician!.displayName);
	await combo.press('Enter');
	await expect(combo).toHaveValue(technician!.displayName);
	await assign.getByRole('button', { name: 'Attribuer', exact: true }).click();
	await expect(page.locator('header.head')).toContainText(
		`Attribué à : ${technician!.displayName}`
	);

	const timeline = page.getByRole('region', { name: 'Suivi' }).getByRole('list').first();
	await expect(timeline).toContainText(`Attribué à ${technician!.displayName}`);
	const entries = await timeline.getByRole('listitem').allTextContents();
	const all = entries.join('\n');
	expect(all).toContain(`Client : ${clientName}`);
	expect(all).toContain(`Demandeur : ${contactName} (au lieu de Claire Visiteuse)`);
	expect(all).toContain('Ticket qualifié');
	expect(all).toContain(`Attribué à ${technician!.displayName}`);
	const shown = `${all}\n${(await page.locator('header.head').textContent()) ?? ''}`;
	expect(shown).not.toMatch(/user:|client:|support-n2|\d{4}-\d{2}-\d{2}T/);
	await page.screenshot({ path: 'test-results/desk-ticket-edit.png', fullPage: true });
});
