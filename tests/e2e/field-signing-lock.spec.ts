// The client signs on the technician's phone: from the signing mode they can reach nothing
// else, whatever they press, until the technician unlocks it.
import { expect, test } from 'playwright/test';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import {
	PIN,
	openOpenMission,
	phoneContext,
	reachClientSigning,
	signInOnPhone
} from './field-helpers.ts';

let server: ServerProcess;

test.beforeAll(async () => {
	server = await startServerProcess();
});

test.afterAll(async () => {
	await server?.stop();
});

test('the client signing mode cannot be left without the technician', async ({ browser }) => {
	test.setTimeout(180_000);
	const context = await phoneContext(browser);
	let page = await context.newPage();
	await signInOnPhone(page, server.url);
	await openOpenMission(page);
	await reachClientSigning(page);
	const reportUrl = page.url();
	const signing = page.getByRole('dialog', { name: 'Signature du client' });

	// Only the signing screen is reachable: a modal dialog makes the rest of the app inert,
	// and covers it, so nothing behind it (header, links, sign-out) can be tapped.
	expect(await signing.evaluate((d) => d.matches(':modal'))).toBe(true);
	const reachable = await page.evaluate(() =>
		[...document.querySelectorAll('a, button, input, textarea, select')]
			.filter((el) => !el.closest('dialog'))
			.filter((el) => {
				const r = el.getBoundingClientRect();
				const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
				return r.width > 0 && hit !== null && hit.closest('dialog') === null;
			})
			.map((el) => el.textContent)
	);
	expect(reachable).toEqual([]);
	for (let i = 0; i < 25; i++) {
		await page.keyboard.press('Tab');
		const outside = await page.evaluate(
			() => document.activeElement !== document.body && !document.activeElement?.closest('dialog')
		);
		expect(outside).toBe(false);
	}

	// Escape, the back button and history.back() leave it where it is.
	await page.keyboard.press('Escape');
	await expect(signing).toBeVisible();
	await page.goBack();
	await expect(signing).toBeVisible();
	await page.evaluate(() => history.go(-2));
	await expect(signing).toBeVisible();
	await expect(page).toHaveURL(reportUrl);

	// Leaving the page asks first (beforeunload); declining keeps the client here.
	const prompts: string[] = [];
	page.on('dialog', (dialog) => {
		prompts.push(dialog.type());
		void dialog.dismiss();
	});
	await page.evaluate(() => {
		location.href = '/missions';
	});
	await expect.poll(() => prompts).toContain('beforeunload');
	await expect(signing).toBeVisible();
	await expect(page).toHaveURL(reportUrl);

	// The app killed and opened again: the signing mode is back, still locked.
	await page.close({ runBeforeUnload: false });
	page = await context.newPage();
	await page.goto(reportUrl);
	const again = page.getByRole('dialog', { name: 'Signature du client' });
	await expect(again).toBeVisible();

	// A wrong PIN keeps it locked; the technician's PIN opens it.
	await again.getByRole('button', { name: 'Technicien : quitter le mode signature' }).click();
	await again.getByLabel('Code PIN').fill('0000');
	await again.getByRole('button', { name: 'Déverrouiller' }).click();
	await expect(again.getByRole('alert')).toHaveText('Code incorrect.');
	await again.getByLabel('Code PIN').fill(PIN);
	await again.getByRole('button', { name: 'Déverrouiller' }).click();
	await expect(again).toBeHidden();
	await expect(page.getByRole('button', { name: 'Faire signer le client' })).toBeVisible();
	await context.close();
});
