// Issue #15, point 5: the desk's client directory. A hotliner finds a client by a word of its
// name (accents aside), or finds none and is told so; opens the client's file: contract and
// hour bank, sites, contacts with call and mail links, tickets, interventions, the technical
// file and its history; showing a password is logged and appears in that history by name.
import { expect, test } from 'playwright/test';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { DEMO_PASSWORD, demoLogin } from '../support/demo.ts';
import { DeskPage } from './pages.ts';

let server: ServerProcess;

test.beforeAll(async () => {
	server = await startServerProcess();
});

test.afterAll(async () => {
	await server?.stop();
});

test('a hotliner finds a client, reads its file and technical file; a shown password is in its history', async ({
	page
}) => {
	test.setTimeout(240_000);
	const desk = new DeskPage(page);
	await desk.signIn(server.url, demoLogin('dispatcher'), DEMO_PASSWORD);
	await page.getByRole('link', { name: 'Clients', exact: true }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Clients');
	const table = page.getByRole('table', { name: 'Clients' });
	await expect(table.getByRole('row').nth(5)).toBeVisible({ timeout: 60_000 });

	// Nothing matches: said so.
	const search = page.getByLabel('Rechercher un client');
	await search.fill('zzz introuvable');
	await expect(page.getByText('Aucun client ne correspond à cette recherche.')).toBeVisible();
	await expect(page.getByRole('main').getByRole('status')).toHaveText('0 clients');
	// A word of the name, without its accent.
	await search.fill('oree');
	await expect(table.getByRole('row')).toHaveCount(2);
	const row = table.getByRole('row', { name: /Orée & Associés/ });
	await expect(row).toContainText('Infogérance');
	await page.screenshot({ path: '/tmp/o-clients.png', fullPage: true });
	await row.getByRole('link', { name: 'Orée & Associés' }).click();

	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Orée & Associés');
	const contract = page.getByRole('region', { name: 'Contrat' });
	await expect(contract).toContainText('Infogérance');
	await expect(contract).toContainText(/Banque d’heures : \d+ h \d{2} restantes|dépassée/);
	await expect(contract).toContainText(/Statut du client : Client /);
	await expect(page.getByRole('region', { name: 'Adresse du site' }).first()).toContainText(
		/\d{5} /
	);
	const contacts = page.getByRole('region', { name: 'Contacts du client' });
	await expect(contacts.locator('a[href^="tel:"]').first()).toBeVisible();
	// Closed tickets: those of the last days are on the device (the demo follows today's date, so
	// there may be none); the rest is in the full history below, from the server.
	const past = page.getByRole('region', { name: 'Tickets clos' });
	await expect(past).toContainText(
		/n° \d+ — .+ — (Clos|Annulé)|Aucun ticket clos ces derniers jours sur cet appareil : l’historique complet est plus bas \(serveur\)\./
	);
	if ((await past.getByRole('link').count()) > 0)
		await expect(past.getByRole('link').first()).toHaveText(/^n° \d+ — .+ — (Clos|Annulé)$/);

	// Past interventions took place: none of them is dated after today (planned ones are apart).
	const months = [
		'janv.',
		'févr.',
		'mars',
		'avr.',
		'mai',
		'juin',
		'juil.',
		'août',
		'sept.',
		'oct.',
		'nov.',
		'déc.'
	];
	const interventions = page.getByRole('region', {
		name: 'Interventions précédentes chez ce client'
	});
	await expect(interventions).toBeVisible();
	const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
	for (const summary of await interventions.locator('summary').allTextContents()) {
		const [, d, m, y] = /^(\d{1,2}) (\S+) (\d{4}) —/.exec(summary.trim()) ?? [];
		const iso = `${y}-${String(months.indexOf(m ?? '') + 1).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
		expect(iso <= today && months.includes(m ?? ''), summary).toBe(true);
	}

	// The technical file: a password is masked until shown, and showing it is logged.
	const techfile = page.getByRole('region', { name: 'Dossier technique', exact: true });
	await expect(techfile).toBeVisible();
	await techfile.getByText(/^Identifiants \(\d+\)$/).click();
	const show = techfile.getByRole('button', { name: /^Afficher le mot de passe « / }).first();
	const credential = /« (.+) »/.exec(
		(await show.getAttribute('aria-label')) ?? (await show.textContent()) ?? ''
	)?.[1];
	expect(credential).toBeTruthy();
	await show.click();
	await expect(
		techfile.getByRole('button', { name: `Masquer le mot de passe « ${credential} »` })
	).toBeVisible();
	const history = page.getByRole('list', { name: 'Historique du dossier technique' });
	await expect(history.getByRole('listitem').first()).toHaveText(
		new RegExp(
			`^\\d{2}/\\d{2}/\\d{4} \\d{2}:\\d{2} — Claire Dubois a affiché le mot de passe « ${credential!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} »$`
		)
	);

	// An edit of the technical file from the desk: in the file, and first in its history, by name.
	const changes = page.getByRole('region', { name: 'Modifications du dossier technique' });
	await changes.getByRole('button', { name: 'Ajouter un matériel' }).click();
	await changes.getByLabel('Type').fill('network');
	await changes.getByLabel('Nom', { exact: true }).fill('Switch étage 2');
	await changes.getByLabel('Marque').fill('Netgear');
	await changes.getByRole('button', { name: 'Enregistrer la modification' }).click();
	await page.getByRole('button', { name: 'Enregistrer les modifications du dossier (1)' }).click();
	await expect(
		page.getByRole('status').filter({ hasText: 'Dossier technique enregistré' })
	).toBeVisible();
	await expect(history.getByRole('listitem').first()).toHaveText(
		/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2} — Claire Dubois : ajout \(Matériel\) — Matériel ajouté : Switch étage 2$/
	);
	await expect(techfile).toContainText('Switch étage 2');
	// The client's whole history comes from the server (the device holds its working set).
	const fullHistory = page.getByRole('region', { name: 'Historique complet (serveur)' });
	await expect(fullHistory.getByRole('link', { name: /^n° \d+ — / }).first()).toBeVisible();
	// Closed tickets months old among them, with their status in words.
	await expect(
		fullHistory
			.getByRole('listitem')
			.filter({ hasText: /(Clos|Annulé) · / })
			.first()
	).toBeVisible();
	await page.screenshot({ path: '/tmp/o-client-file.png', fullPage: true });
	const text = (await page.getByRole('main').textContent()) ?? '';
	expect(text).not.toMatch(/client:|ticket:|techfile:|user:|managed|credential_reveal/);
});
