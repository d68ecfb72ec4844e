// Issue #13, point 7: the desk sees what the technician did. On a demo ticket closed with a
// signed report, the dispatcher sees the mission (status, technician, time), the report with its
// photo thumbnail and both signatures, that the seal verifies, and downloads the PDF, which names
// the company of `config:company` and embeds the photo. At 1,366 px nothing scrolls sideways, and
// the actions the role cannot take now wait behind "Plus d'actions", opened with the keyboard.
import { readFileSync } from 'node:fs';
import { PDFDocument, PDFName, PDFRawStream } from 'pdf-lib';
import { expect, test } from 'playwright/test';
import type { MissionDoc, ReportDoc, TicketDoc, UserDoc } from '../../src/lib/domain/schemas.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { DEMO_PASSWORD, demoLogin } from '../support/demo.ts';
import { AdminReader } from './field-helpers.ts';
import { DeskPage } from './pages.ts';

let server: ServerProcess;

test.beforeAll(async () => {
	server = await startServerProcess();
});

test.afterAll(async () => {
	await server?.stop();
});

/** A closed demo ticket whose one mission ended with a signed report carrying a photo. */
async function closedWithReport(admin: AdminReader) {
	const ids = (await admin.manifest()).map(([id]) => id);
	const reportIds = ids.filter((id) => id.startsWith('report:'));
	for (let i = 0; i < reportIds.length; i += 200) {
		const reports = (await admin.docs(reportIds.slice(i, i + 200))) as unknown as ReportDoc[];
		const byTicket = new Map(reports.filter((r) => r.signedAt).map((r) => [r.ticketId, r]));
		const tickets = (await admin.docs([...byTicket.keys()])) as unknown as TicketDoc[];
		const ticket = tickets.find((t) => t.status === 'closed' && t.number !== undefined);
		if (!ticket) continue;
		const report = byTicket.get(ticket._id)!;
		expect(Object.keys(report._attachments ?? {})).toContain('photo-01.png');
		const mission = (await admin.doc(report.missionId)) as unknown as MissionDoc;
		const tech = (await admin.doc(report.technicianId)) as unknown as UserDoc;
		return { ticket, report, mission, tech };
	}
	throw new Error('no closed demo ticket with a signed report');
}

test('the desk sees the mission and its signed report, with photo, seal and PDF; the page fits 1,366 px', async ({
	browser
}) => {
	const admin = new AdminReader(server.url);
	await admin.signIn();
	const { ticket, report, tech } = await closedWithReport(admin);

	const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
	const page = await context.newPage();
	const desk = new DeskPage(page);
	await desk.signIn(server.url, demoLogin('dispatcher'), DEMO_PASSWORD);
	await page.goto(`${server.url}/tickets/${encodeURIComponent(ticket._id)}`);
	await expect(page.getByRole('heading', { level: 1 })).toContainText(`n° ${ticket.number}`);

	const work = page.getByRole('region', { name: 'Interventions' });
	const mission = work.getByRole('article').first();
	await expect(mission).toContainText('Statut : Terminée');
	await expect(mission).toContainText(`Technicien : ${tech.displayName}`);
	await expect(mission).toContainText(/Prévue de \d{2}:\d{2} à \d{2}:\d{2}/);
	const signed = work.getByRole('region', { name: /Rapport signé le/ });
	await expect(signed).toContainText(report.tasks[0]!);
	await expect(signed).toContainText(/Total sur site : (\d+ min|\d+ h \d{2})/);
	const photo = signed.getByRole('img', { name: 'Photo 1 du rapport' });
	await expect(photo).toBeVisible();
	expect(await photo.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
	await expect(
		signed.getByRole('img', { name: /Signature du technicien|—/ }).first()
	).toBeVisible();
	await expect(signed).toContainText(`${report.signatures.client!.name}, le`);
	await expect(signed.getByRole('status')).toContainText('Signature vérifiée', {
		timeout: 30_000
	});
	// No ISO timestamp reaches the screen.
	expect(await work.textContent()).not.toMatch(/\d{4}-\d{2}-\d{2}T/);

	const download = page.waitForEvent('download');
	await signed.getByRole('button', { name: 'Télécharger le PDF du rapport' }).click();
	const file = await (await download).path();
	expect((await download).suggestedFilename()).toBe(`rapport-${ticket.number}.pdf`);
	const pdf = await PDFDocument.load(new Uint8Array(readFileSync(file)));
	expect(pdf.getCreator()).toBe('Aprile Services Informatiques');
	const images = [...pdf.context.enumerateIndirectObjects()].filter(
		([, o]) =>
			o instanceof PDFRawStream &&
			o.dict.get(PDFName.of('Subtype')) === PDFName.of('Image') &&
			o.dict.get(PDFName.of('ColorSpace')) === PDFName.of('DeviceRGB')
	);
	expect(images.length, 'the photo (RGB) is in the PDF').toBeGreaterThanOrEqual(1);

	// The page fits the desk's screen.
	expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1366);
	// What the dispatcher cannot do on a closed ticket waits behind "Plus d'actions".
	const more = page.getByRole('button', { name: /Plus d’actions/ });
	await expect(more).toHaveAttribute('aria-expanded', 'false');
	await expect(page.getByRole('button', { name: 'Qualifier' })).toBeHidden();
	await more.focus();
	await page.keyboard.press('Enter');
	await expect(more).toHaveAttribute('aria-expanded', 'true');
	const qualify = page.getByRole('button', { name: 'Qualifier' });
	await expect(qualify).toBeVisible();
	await expect(qualify).toBeDisabled();
	const why = await qualify.getAttribute('aria-describedby');
	await expect(page.locator(`#${why}`)).toContainText(/clos/i);
	await page.keyboard.press('Tab');
	await expect(qualify).toBeFocused();
	if (process.env.SCREENSHOTS)
		await page.screenshot({ path: process.env.SCREENSHOTS, fullPage: true });
	await page.keyboard.press('Escape');
	await expect(more).toHaveAttribute('aria-expanded', 'false');
	await expect(more).toBeFocused();
	expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1366);
	await context.close();
});
