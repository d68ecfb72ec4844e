// Issue #15, point 6: the admin sets the document limit of a role on the devices screen (wrong
// input refused in words, nothing written); a technician's phone past the new limit stops
// syncing and says by how much and what to do; the admin's screen then shows the limit reached.
import { expect, test } from 'playwright/test';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { DEMO_PASSWORD } from '../support/demo.ts';
import { DeskPage, SignInPage } from './pages.ts';

let server: ServerProcess;

test.beforeAll(async () => {
	server = await startServerProcess();
});

test.afterAll(async () => {
	await server?.stop();
});

test('an admin lowers the technicians’ limit; the phone past it says so, and the admin sees it', async ({
	page,
	browser
}) => {
	test.setTimeout(240_000);
	const desk = new DeskPage(page);
	await desk.signIn(server.url, 'admin', DEMO_PASSWORD);
	await page.getByRole('link', { name: 'Limites des appareils' }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(
		'Appareils : limites et synchronisation'
	);
	const technician = page.getByLabel('Limite de documents du rôle Technicien');
	// The defaults: a phone's set is smaller than a desk's.
	await expect(technician).toHaveValue('5000', { timeout: 60_000 });
	await expect(page.getByLabel('Limite de documents du rôle Hotline (niveau 1)')).toHaveValue(
		'10000'
	);
	await expect(page.getByText(/^Plafond pour tous les rôles/)).toContainText('10 000');

	// Wrong input: said in words, nothing saved.
	await technician.fill('beaucoup');
	await page.getByRole('button', { name: 'Enregistrer les limites' }).click();
	await expect(page.getByRole('alert')).toHaveText(
		'La limite du rôle Technicien doit être un nombre entier de documents, au moins 1.'
	);
	await technician.fill('10');
	await page.getByRole('button', { name: 'Enregistrer les limites' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Limites enregistrées' })).toBeVisible();
	// Sent to the server (nothing left to send).
	await expect(page.getByText(/modifications? non envoyées?/)).toHaveCount(0, { timeout: 30_000 });
	await expect(page.getByRole('status').filter({ hasText: /Dernière synchro :/ })).toBeVisible({
		timeout: 30_000
	});

	// The technician's phone: past the limit, the sync says how far and what to do.
	const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
	const field = await phone.newPage();
	const form = new SignInPage(field);
	await form.open(server.url);
	await form.signIn('tech.julien', DEMO_PASSWORD);
	const refused = field
		.getByRole('status')
		.filter({ hasText: 'Trop de documents pour cet appareil' });
	await expect(refused).toContainText(
		/: [\d\u202f\u00a0]+ pour une limite de 10, celle du rôle « Technicien »/,
		{
			timeout: 60_000
		}
	);
	await expect(refused).toContainText(
		'Demandez à l’administrateur de relever la limite de ce rôle'
	);
	await field.screenshot({ path: '/tmp/o-cap-phone.png', fullPage: true });
	await phone.close();

	// The admin's screen lists it.
	await page.getByRole('button', { name: 'Actualiser' }).click();
	const row = page.getByRole('row').filter({ hasText: 'Julien Moreau' });
	await expect(row).toContainText(
		/Limite atteinte le \d{2}\/\d{2}\/\d{4} \d{2}:\d{2} : [\d\u202f\u00a0]+ documents pour une limite de 10/
	);
	await page.screenshot({ path: '/tmp/o-cap-admin.png', fullPage: true });
});
