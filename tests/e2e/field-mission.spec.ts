// The technician's whole mission with no network: start, tasks, a photo, a technical-file
// change, both signatures, closing the ticket; then a reload offline, and the sync once the
// network is back, checked on the server.
import { expect, test } from 'playwright/test';
import { verifyReport } from '../../src/lib/domain/report-hash.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import {
	AdminReader,
	PIN,
	drawSignature,
	openOpenMission,
	phoneContext,
	signInOnPhone,
	testPng
} from './field-helpers.ts';

let server: ServerProcess;

test.beforeAll(async () => {
	server = await startServerProcess();
});

test.afterAll(async () => {
	await server?.stop();
});

test('a whole mission offline: report signed on the phone, ticket closed, synced later', async ({
	browser
}) => {
	test.setTimeout(180_000);
	const context = await phoneContext(browser);
	const page = await context.newPage();
	await signInOnPhone(page, server.url);
	const missionSuffix = await openOpenMission(page);
	const missionId = `mission:${missionSuffix}`;
	const ticketTitle = await page.getByRole('heading', { level: 1 }).textContent();

	// From here on, no network at all.
	await context.setOffline(true);
	// One tap starts the work (issue #13): the report opens with the clock running.
	await page.getByRole('button', { name: 'Commencer l’intervention' }).click();
	await expect(page.getByRole('heading', { name: 'Temps passé' })).toBeVisible();
	await expect(page.getByRole('button', { name: 'Commencer l’intervention' })).toHaveCount(0);
	await expect(page.getByRole('heading', { name: 'Temps passé' })).toBeVisible();
	const started = Date.now();

	await page.getByRole('checkbox', { name: 'Diagnostic de la panne' }).check();
	await page
		.getByRole('checkbox', { name: 'Test de bon fonctionnement avec l’utilisateur' })
		.check();
	await page.getByRole('textbox', { name: 'Pièce', exact: true }).fill('Câble RJ45 Cat.6 3 m');
	await page.getByRole('spinbutton', { name: 'Quantité' }).fill('2');
	await page.getByRole('button', { name: 'Ajouter la pièce' }).click();
	await expect(page.getByText('2 × Câble RJ45 Cat.6 3 m')).toBeVisible();
	await page
		.getByRole('textbox', { name: 'Remarques' })
		.fill('Prise du bureau 12 repassée sur le switch.');

	await page.getByLabel('Prendre une photo').setInputFiles({
		name: 'prise.png',
		mimeType: 'image/png',
		buffer: Buffer.from(testPng())
	});
	await expect(page.getByRole('img', { name: 'Photo 1' })).toBeVisible();

	await page.getByRole('button', { name: 'Ajouter un matériel' }).click();
	await page.getByRole('textbox', { name: 'Type', exact: true }).fill('switch');
	await page.getByRole('textbox', { name: 'Nom', exact: true }).fill('SW-E2E-01');
	await page.getByRole('textbox', { name: 'Marque', exact: true }).fill('Netgear');
	await page.getByRole('button', { name: 'Enregistrer la modification' }).click();
	await expect(page.getByText('Matériel ajouté : SW-E2E-01')).toBeVisible();

	// A work period shorter than a second does not count.
	await page.waitForTimeout(Math.max(0, 1500 - (Date.now() - started)));
	await page.getByRole('button', { name: 'Terminer' }).click();
	await expect(page.getByText('Terminée')).toBeVisible();

	await drawSignature(page, page.getByLabel(/Zone de signature/));
	await page.getByRole('button', { name: 'Valider la signature' }).click();
	await expect(page.getByText(/Signé par/)).toBeVisible();

	await page.getByRole('button', { name: 'Faire signer le client' }).click();
	await page.getByLabel('Code PIN', { exact: true }).fill(PIN);
	await page.getByLabel('Confirmez le code PIN').fill(PIN);
	await page.getByRole('button', { name: 'Enregistrer le code et continuer' }).click();

	const signing = page.getByRole('dialog', { name: 'Signature du client' });
	await expect(signing).toBeVisible();
	await expect(signing.getByText('2 × Câble RJ45 Cat.6 3 m')).toBeVisible();
	await signing.getByLabel('Nom du signataire').fill('Aurélie Benali');
	await drawSignature(page, signing.getByLabel(/Zone de signature/));
	await signing.getByRole('button', { name: 'Signer le rapport' }).click();
	await expect(signing.getByText(/le rapport est signé/)).toBeVisible();
	const shown = await signing.getByText(/Empreinte : [0-9a-f]{4} [0-9a-f]{4}/).textContent();

	await signing.getByRole('button', { name: 'Technicien : quitter le mode signature' }).click();
	await signing.getByLabel('Code PIN').fill(PIN);
	await signing.getByRole('button', { name: 'Déverrouiller' }).click();
	await expect(signing).toBeHidden();

	await expect(page.getByRole('heading', { name: 'Rapport signé' })).toBeVisible();
	await expect(page.getByText('Empreinte vérifiée')).toBeVisible();
	await expect(page.getByText(shown ?? '')).toBeVisible();
	await page.getByRole('button', { name: 'Clôturer le ticket' }).click();
	await expect(page.getByText('Ticket : Clos')).toBeVisible();

	// Still offline: the app and its data come from the device.
	await page.reload();
	await expect(page.getByRole('heading', { name: 'Rapport signé' })).toBeVisible();
	await expect(page.getByText('Ticket : Clos')).toBeVisible();
	await page.getByRole('link', { name: ticketTitle ?? '' }).click();
	await expect(page.getByText('Mission : Terminée')).toBeVisible();
	await expect(page.getByRole('link', { name: 'Voir le rapport signé' })).toBeVisible();

	// Back online: the sync pushes everything; the server holds the sealed report.
	await context.setOffline(false);
	const admin = new AdminReader(server.url);
	await admin.signIn();
	let reportId: string | undefined;
	await expect
		.poll(
			async () => {
				const ids = (await admin.manifest())
					.map(([id]) => id)
					.filter((id) => id.startsWith('report:'));
				const reports = await admin.docs(ids);
				reportId = reports.find((r) => r.missionId === missionId)?._id as string | undefined;
				return reportId !== undefined;
			},
			{ timeout: 60_000, intervals: [1_000] }
		)
		.toBe(true);
	const report = (await admin.doc(reportId ?? '')) as Record<string, unknown> & {
		_attachments: Record<string, { data: string; content_type: string }>;
		ticketId: string;
		hash: string;
		techfileChanges: Array<{ summary: string }>;
	};
	expect(Object.keys(report._attachments).sort()).toEqual([
		'photo-01.jpg',
		'signature-client.png',
		'signature-technician.png'
	]);
	expect(report._attachments['photo-01.jpg']?.content_type).toBe('image/jpeg');
	const images: Record<string, Uint8Array> = {};
	for (const name of ['signature-technician.png', 'signature-client.png']) {
		images[name] = new Uint8Array(Buffer.from(report._attachments[name]?.data ?? '', 'base64'));
	}
	expect(await verifyReport(report, images)).toEqual({ ok: true });
	expect(shown).toContain(`${report.hash.slice(0, 4)} ${report.hash.slice(4, 8)}`);
	expect(report.techfileChanges.map((c) => c.summary)).toContain('Matériel ajouté : SW-E2E-01');

	await expect
		.poll(async () => (await admin.doc(report.ticketId))?.status, { timeout: 30_000 })
		.toBe('closed');
	// Closed through the signed report, and the closure says so.
	expect((await admin.doc(report.ticketId))?.closure).toMatchObject({
		reportId: report._id,
		how: 'level2'
	});
	const mission = await admin.doc(missionId);
	expect(mission?.status).toBe('done');
	await context.close();
});

test('no one-tap close: a mission ended without a report needs a reason and leaves the ticket open', async ({
	browser
}) => {
	test.setTimeout(180_000);
	const context = await phoneContext(browser);
	const page = await context.newPage();
	await signInOnPhone(page, server.url);
	// The cards of "Mes missions" offer no way to finish or close anything in one tap.
	await expect(page.getByRole('tabpanel').getByRole('article').first()).toBeVisible();
	await expect(page.getByRole('button', { name: /Terminer|Clôturer|Clore/ })).toHaveCount(0);

	const missionId = `mission:${await openOpenMission(page)}`;
	await page.getByRole('button', { name: 'Terminer sans rapport…' }).click();
	const form = page.getByRole('region', { name: 'Terminer la mission sans rapport signé' });
	await expect(form).toContainText('Le ticket reste ouvert');
	// No reason picked: nothing happens but the browser's own "required" (the select is empty).
	await form.getByRole('button', { name: 'Confirmer la fin sans rapport' }).click();
	await expect(page.getByText('Mission : Interrompue sans rapport')).toHaveCount(0);
	// "Other reason" must be written out.
	await form.getByLabel('Raison').selectOption({ label: 'Autre raison' });
	await form.getByRole('button', { name: 'Confirmer la fin sans rapport' }).click();
	await expect(page.getByText('Mission : Interrompue sans rapport')).toHaveCount(0);
	await form.getByLabel('Raison').selectOption({ label: 'Client absent' });
	await form.getByLabel('Précisions').fill('Personne à l’accueil, bureau fermé.');
	await form.getByRole('button', { name: 'Confirmer la fin sans rapport' }).click();
	await expect(page.getByText('Mission : Interrompue sans rapport')).toBeVisible();
	const timeline = page.getByRole('region', { name: 'Historique du ticket' });
	await expect(timeline).toContainText('Intervention interrompue sans rapport : Client absent');
	await expect(timeline).toContainText('Personne à l’accueil, bureau fermé.');

	// On the server: the mission is unfinished, the ticket still open, the reason recorded.
	const admin = new AdminReader(server.url);
	await admin.signIn();
	await expect
		.poll(async () => (await admin.doc(missionId))?.status, { timeout: 60_000 })
		.toBe('unfinished');
	const mission = await admin.doc(missionId);
	const ticket = await admin.doc(String(mission?.ticketId));
	expect(ticket?.status).not.toBe('closed');
	expect(ticket?.closure).toBeUndefined();
	await context.close();
});
