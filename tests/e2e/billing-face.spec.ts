// The commercial service's face (issue #14, point 5), on the demo: the billing user finds the
// closed intervention of the managed-services client, sees the hour-bank debit, issues the
// invoice, downloads its PDF and marks it paid; the desk then shows the client's new standing.
// Unhappy paths: a changed amount without its reason is not issued; offline, issuing says it
// needs the network.
import { readFileSync } from 'node:fs';
import { expect, test, type Browser, type Page } from 'playwright/test';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { DEMO_PASSWORD, demoLogin } from '../support/demo.ts';
import { DeskPage, SignInPage } from './pages.ts';

const CLIENT = 'Orée & Associés';
let server: ServerProcess;

test.beforeAll(async () => {
	server = await startServerProcess();
});

test.afterAll(async () => {
	await server?.stop();
});

/** The desk's intake card for the client: its hour bank and commercial standing. */
async function deskCard(
	browser: Browser
): Promise<{ page: Page; standing: () => Promise<string> }> {
	const context = await browser.newContext();
	const page = await context.newPage();
	const desk = new DeskPage(page);
	await desk.signIn(server.url, demoLogin('dispatcher'), DEMO_PASSWORD);
	const open = async () => {
		await desk.startTicketFor(CLIENT);
		const card = page.getByRole('article', { name: CLIENT });
		await expect(card).toContainText(/Banque d’heures : \d+ h \d{2} restantes|dépassée/);
		const standing = card.getByText(/^Situation commerciale :/);
		await expect(standing).toBeVisible();
		return (await standing.textContent())?.replace(/\s+/g, ' ').trim() ?? '';
	};
	return { page, standing: open };
}

test('the billing user issues the managed-services client’s invoice, downloads it, marks it paid; the desk sees the new standing', async ({
	browser
}) => {
	// Two devices sign in and sync the demo: room for a loaded machine.
	test.setTimeout(300_000);
	const desk = await deskCard(browser);
	const before = await desk.standing();
	expect(before).toContain('À jour');
	expect(before).not.toContain('dernier paiement');

	const context = await browser.newContext({ acceptDownloads: true });
	const page = await context.newPage();
	const signIn = new SignInPage(page);
	await signIn.open(server.url);
	await signIn.signIn(demoLogin('billing'), DEMO_PASSWORD);
	// A billing user lands on the billing face, without the desk entries it cannot use.
	await expect(page).toHaveURL(/\/billing$/);
	await expect(page.getByRole('heading', { level: 1, name: 'Facturation' })).toBeVisible();
	const nav = page.getByRole('navigation', { name: 'Console' });
	await expect(nav.getByRole('link', { name: 'Facturation' })).toBeVisible();
	await expect(nav.getByRole('link', { name: 'Nouveau ticket' })).toHaveCount(0);
	await expect(nav.getByRole('link', { name: 'Planning' })).toHaveCount(0);

	// The first sync brings the billing items, reports, clients and the closed tickets.
	const filter = page.getByLabel('Client', { exact: true });
	await expect(filter.locator('option', { hasText: CLIENT })).toHaveCount(1, { timeout: 60_000 });
	// A changed amount without its reason cannot be issued: the button waits, the words say why.
	const billable = page
		.getByRole('list', { name: 'À facturer' })
		.getByRole('button', { name: /Sans contrat/ })
		.first();
	await billable.click();
	const item = page.getByRole('region', { name: 'Intervention à facturer' });
	const amount = item.getByLabel(/^Montant HT de « /).first();
	await amount.fill('15,00');
	await expect(
		item.getByRole('alert').filter({ hasText: 'indiquez le motif de la modification' })
	).toBeVisible();
	await expect(item.getByRole('button', { name: 'Émettre la facture' })).toBeDisabled();
	const reason = item.getByLabel(/^Motif de la modification de « /).first();
	await expect(reason).toBeVisible();
	await page.screenshot({ path: '/tmp/o-reason.png', fullPage: true });
	await reason.fill('Geste commercial');
	await expect(item.getByRole('button', { name: 'Émettre la facture' })).toBeEnabled();
	await expect(item.getByRole('alert')).toHaveCount(0);
	// With its reason, the changed amount is issued (the server keeps the reason on the line).
	await item.getByRole('button', { name: 'Émettre la facture' }).click();
	await expect(page.getByRole('heading', { name: /^Facture F\d{4}-\d{6} émise$/ })).toBeVisible();
	await page.getByRole('button', { name: 'Facturer une autre intervention' }).click();

	await filter.selectOption({ label: CLIENT });
	const queue = page.getByRole('list', { name: 'À facturer' });
	const row = queue.getByRole('button', { name: new RegExp(CLIENT) }).first();
	await expect(row).toContainText(/n° \d+/);
	await expect(row).toContainText('Infogérance');
	await expect(row).toContainText('€');
	await page.screenshot({ path: '/tmp/o-queue.png', fullPage: true });
	await row.click();

	// The detail: the report, the hour-bank debit and the client's balance from the movements.
	const detail = page.getByRole('region', { name: 'Intervention à facturer' });
	await expect(detail.getByText(/^Débit de cette intervention : \d+ h \d{2}$/)).toBeVisible();
	await expect(detail.getByText(/^Banque d’heures : \d+ h \d{2} restantes$/)).toBeVisible();
	await expect(detail.getByText(/Rapport signé le/)).toBeVisible();
	await expect(detail.getByRole('button', { name: 'Télécharger le PDF du rapport' })).toBeVisible();
	await expect(detail.getByText('Signature vérifiée', { exact: false })).toBeVisible();
	const issue = detail.getByRole('button', { name: 'Émettre la facture' });
	const ticketNumber = /n° (\d+)/.exec(
		(await detail.getByRole('heading', { level: 3 }).first().textContent()) ?? ''
	)?.[1];
	expect(ticketNumber).toMatch(/^\d+$/);

	// Offline: issuing needs the network, and nothing is lost.
	await context.setOffline(true);
	await issue.click();
	await expect(
		detail.getByRole('alert').filter({ hasText: 'l’émission d’une facture demande le réseau' })
	).toBeVisible();
	await context.setOffline(false);

	// Issued: the number the server gave, the PDF, the payment.
	await issue.click();
	const issued = page.getByRole('heading', { name: /^Facture F\d{4}-\d{6} émise$/ });
	await expect(issued).toBeVisible();
	const number = /F\d{4}-\d{6}/.exec((await issued.textContent()) ?? '')?.[0] ?? '';
	const downloading = page.waitForEvent('download');
	await page.getByRole('link', { name: `Télécharger la facture ${number} (PDF)` }).click();
	const download = await downloading;
	expect(download.suggestedFilename()).toBe(`facture-${number}.pdf`);
	const pdf = readFileSync(await download.path());
	expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
	await page.screenshot({ path: '/tmp/o-issued.png', fullPage: true });

	await expect(page.getByLabel(`Date du paiement de la facture ${number}`)).toHaveValue(
		/^\d{4}-\d{2}-\d{2}$/
	);
	await page.getByRole('button', { name: `Marquer payée la facture ${number}` }).click();
	await expect(page.getByText(/^Payée le /)).toBeVisible();
	await expect(page.getByRole('status').filter({ hasText: 'Nouvelle situation de' })).toContainText(
		/À jour — dernier paiement le/
	);

	// The invoices list has it, paid; the item left the queue.
	await page.getByRole('link', { name: 'Factures et relevés' }).click();
	const invoiceRow = page.getByRole('row', { name: new RegExp(number) });
	await expect(invoiceRow).toContainText(CLIENT, { timeout: 30_000 });
	await expect(invoiceRow).toContainText('Payée le');
	await page.screenshot({ path: '/tmp/o-invoices.png', fullPage: true });

	// The client's hour-bank statement over the last year (the demo's debits are in its three
	// months), and the accounting export with today's invoice and the debits: both downloaded,
	// as the accountant would take them.
	const yearAgo = new Date(Date.now() - 365 * 86_400_000).toISOString().slice(0, 10);
	const statementSection = page.getByRole('region', { name: 'Relevé de banque d’heures' });
	await statementSection.getByLabel('Client en infogérance').selectOption({ label: CLIENT });
	await statementSection.getByLabel('Du').fill(yearAgo);
	const statementDownload = page.waitForEvent('download');
	await statementSection.getByRole('link', { name: 'Télécharger le relevé (PDF)' }).click();
	const statement = await statementDownload;
	expect(statement.suggestedFilename()).toMatch(/\.pdf$/);
	expect(
		readFileSync(await statement.path())
			.subarray(0, 5)
			.toString('latin1')
	).toBe('%PDF-');
	const exportSection = page.getByRole('region', { name: 'Export comptable' });
	await exportSection.getByLabel('Du').fill(yearAgo);
	const csvDownload = page.waitForEvent('download');
	await exportSection.getByRole('link', { name: 'Télécharger l’export (CSV)' }).click();
	const csv = readFileSync(await (await csvDownload).path(), 'utf8').replace(/^\ufeff/, '');
	const csvRows = csv.trim().split('\r\n');
	expect(csvRows[0]).toMatch(/^type;numero;date;client_id;client;/);
	expect(csvRows.find((r) => r.startsWith(`facture;${number};`))).toContain(CLIENT);
	expect(csvRows.some((r) => r.startsWith('banque_heures_') && r.includes(CLIENT))).toBe(true);
	await page.getByRole('link', { name: 'Facturation' }).click();
	await page.getByLabel('Client', { exact: true }).selectOption({ label: 'Tous les clients' });
	await expect(
		page.getByRole('list', { name: 'À facturer' }).getByRole('button', {
			name: new RegExp(`n° ${ticketNumber}\\b`)
		})
	).toHaveCount(0, { timeout: 30_000 });

	// The desk shows the client's standing changed.
	await desk.page.goto(`${server.url}/tickets`);
	const after = await desk.standing();
	expect(after).toMatch(/À jour — dernier paiement le \d+ \S+ \d{4}/);
	expect(after).not.toBe(before);
	await desk.page.screenshot({ path: '/tmp/o-desk.png', fullPage: true });
});
