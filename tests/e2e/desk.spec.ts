import { expect, test } from 'playwright/test';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { DeskPage, SignInPage } from './pages.ts';
import { DEMO_PASSWORD, DEMO_SIGN_INS, demoLogin } from '../support/demo.ts';

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
	// The first sync fills the list in batches: read the count once it has settled.
	let before = -1;
	await expect
		.poll(
			async () => {
				const n = Number(/(\d+)/.exec((await count.textContent()) ?? '')?.[1]);
				const settled = n === before && n > 1;
				before = n;
				return settled;
			},
			{ timeout: 90_000, intervals: [1_500] }
		)
		.toBe(true);
	// The group and assignee filters name groups and people, never their ids.
	const groups = await page
		.getByLabel('Groupe', { exact: true })
		.locator('option')
		.allTextContents();
	expect(groups.join('\n')).toContain('Support niveau 2 (experts)');
	expect(groups.join('\n')).not.toMatch(/support-n2|^hotline|^terrain|group:/m);
	const assignees = await page
		.getByLabel('Attribué à', { exact: true })
		.locator('option')
		.allTextContents();
	// Who holds an open ticket follows today's date; every option is a demo person's name and count.
	const names = new Set(DEMO_SIGN_INS.map((s) => s.displayName));
	const people = assignees.filter((o) => o !== 'Tous' && !o.startsWith('— '));
	expect(people.length).toBeGreaterThan(0);
	for (const option of people) {
		const [, name] = /^(.+) \(\d+\)$/.exec(option) ?? [];
		expect(names.has(name ?? ''), option).toBe(true);
	}
	expect(assignees.join('\n')).not.toMatch(/user:|tech\./);
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
	// Another caller reports the same problem: the call goes into this ticket's timeline.
	await page.getByLabel('Nouveau suivi').fill('Mme Roux, 2e étage, même symptôme.');
	await page.getByLabel('C’est un appel (un demandeur signale le même problème)').check();
	await page.getByRole('button', { name: 'Ajouter le suivi' }).click();
	const call = page.getByRole('listitem').filter({ hasText: 'Mme Roux, 2e étage, même symptôme.' });
	await expect(call).toContainText('Appel');
});

test('a role that may not close a ticket does not get the action, and sees why', async ({
	page
}) => {
	const signIn = new SignInPage(page);
	await signIn.open(server.url);
	await signIn.signIn(demoLogin('technician'), DEMO_PASSWORD);
	await page.waitForURL(/\/missions$/);
	await page.goto(`${server.url}/tickets`);
	await expect(
		page.getByRole('listbox', { name: 'Tickets' }).getByRole('option').first()
	).toBeVisible({ timeout: 45_000 });
	// A technician reports a problem he found: the ticket is new and not his to work on, so
	// closing it is the desk's decision (only the desk, or the people assigned, may close).
	const desk = new DeskPage(page);
	await desk.startTicketFor('e');
	const title = `Onduleur qui bipe ${Date.now()}`;
	await page.getByLabel('Titre').fill(title);
	await page.getByLabel('Nom', { exact: true }).fill('Gardien de l’immeuble');
	await desk.createTicket(title);
	// What he cannot do now waits behind "Plus d'actions", each with its reason.
	await page.getByRole('button', { name: /Plus d’actions/ }).click();
	const close = page.getByRole('button', { name: 'Clore' });
	await expect(close).toBeDisabled();
	const reasonId = await close.getAttribute('aria-describedby');
	expect(reasonId).toBeTruthy();
	await expect(page.locator(`#${reasonId}`)).toContainText(/./);
});

test('from a call: find the client, see the contract, open a ticket with its priority, solve it at level 1', async ({
	page
}) => {
	const desk = new DeskPage(page);
	await desk.signIn(server.url, demoLogin('dispatcher'), DEMO_PASSWORD);
	await desk.startTicketFor('paris');
	await expect(page.getByRole('article')).toContainText(/Contrat|Sans contrat|Infogérance/);
	await desk.describeTicket('Outlook ne démarre plus', 'Jeanne Client');
	await page.getByLabel('Impact').selectOption('1');
	await page.getByLabel('Urgence').selectOption('1');
	await expect(page.getByText('Priorité : P1')).toBeVisible();
	await page
		.getByLabel('Solution apportée')
		.fill('Profil Outlook recréé avec l’usager au téléphone.');
	await page.getByRole('button', { name: 'Résoudre et clore' }).click();
	await expect(page).toHaveURL(/\/tickets\/ticket:/);
	await expect(page.getByRole('heading', { level: 1 })).toContainText('Outlook ne démarre plus');
	// Online, the ticket reaches the server at once and its number comes back with the next pull.
	await expect(page.getByRole('heading', { level: 1 })).toContainText(/n° \d{5}/, {
		timeout: 30_000
	});
	await expect(page.getByText('Clos', { exact: true })).toBeVisible();
	// How it closed, and the solution, on the ticket page.
	const closure = page.getByRole('region', { name: 'Clôture' });
	await expect(closure).toContainText('Clos au niveau 1');
	await expect(closure).toContainText('Profil Outlook recréé avec l’usager au téléphone.');
	if (process.env.SCREENSHOTS)
		await page.screenshot({ path: process.env.SCREENSHOTS, fullPage: true });
});

test('a call about a known incident is attached to its parent ticket, which lists it', async ({
	page
}) => {
	const desk = new DeskPage(page);
	await desk.signIn(server.url, demoLogin('dispatcher'), DEMO_PASSWORD);
	const options = page.getByRole('listbox', { name: 'Tickets' }).getByRole('option');
	await expect(options.nth(1)).toBeVisible();
	const parentNumber = /n° (\d+)/.exec((await options.nth(1).textContent()) ?? '')?.[1];
	expect(parentNumber, 'the second ticket has a number').toBeTruthy();
	await options.first().click();
	const links = page.getByRole('region', { name: 'Incident de masse et tickets liés' });
	await links.getByLabel('N° du ticket parent (même incident)').fill('999999');
	await links.getByRole('button', { name: 'Rattacher' }).click();
	await expect(links.getByRole('alert')).toContainText('Aucun ticket n° 999999');
	await links.getByLabel('N° du ticket parent (même incident)').fill(parentNumber!);
	await links.getByRole('button', { name: 'Rattacher' }).click();
	const parent = links.getByRole('link', { name: new RegExp(`n° ${parentNumber}`) });
	await expect(parent).toBeVisible();
	await expect(links.getByRole('listitem').filter({ hasText: `n° ${parentNumber}` })).toContainText(
		'Incident parent'
	);
	const child = (await page.getByRole('heading', { level: 1 }).textContent()) ?? '';
	await parent.click();
	await expect(page.getByRole('heading', { level: 1 })).toContainText(`n° ${parentNumber}`);
	const childTitle = child.replace(/^\s*(n° \d+|provisoire)\s*/, '').trim();
	await expect(
		page
			.getByRole('region', { name: 'Incident de masse et tickets liés' })
			.getByRole('listitem')
			.filter({ hasText: childTitle })
	).toContainText('Signalement rattaché');
});

test('the planning board shows technicians as rows with their missions and absences', async ({
	page
}) => {
	const desk = new DeskPage(page);
	await desk.signIn(server.url, demoLogin('dispatcher'), DEMO_PASSWORD);
	await page.getByRole('link', { name: 'Planning' }).click();
	await expect(page.getByRole('heading', { name: 'Planning des techniciens' })).toBeVisible();
	const board = page.getByRole('region', { name: 'Planning des techniciens' });
	await expect(board.getByText('Julien Moreau', { exact: false }).first()).toBeVisible();
	// Every technician has missions this week in the demo.
	await expect(board.locator('.ec-event').first()).toBeVisible();
	expect(await board.locator('.ec-event').count()).toBeGreaterThan(5);
});

test('a ticket waiting for a visit is planned by dragging on a technician’s row', async ({
	page
}) => {
	const desk = new DeskPage(page);
	await desk.signIn(server.url, demoLogin('dispatcher'), DEMO_PASSWORD);
	// A qualified ticket with no mission yet.
	await desk.startTicketFor('paris');
	const title = `Baie de brassage à recâbler ${Date.now()}`;
	await desk.describeTicket(title, 'Léa Appelante');
	await desk.createTicket(title);

	await page.getByRole('link', { name: 'Planning' }).click();
	const waiting = page.getByRole('region', { name: /À planifier/ });
	const pick = waiting.getByRole('button', { name: new RegExp(title) });
	await pick.click();
	await expect(pick).toHaveAttribute('aria-pressed', 'true');
	await page.getByLabel('Vue').selectOption('resourceTimelineDay');
	// Drag across the end of a technician's day; a row already busy then says why and the next
	// row is tried.
	const board = page.getByRole('region', { name: 'Planning des techniciens' });
	const rows = board.locator('.ec-body .ec-day');
	const status = page.getByRole('status').filter({ hasText: /Mission planifiée|refusée/ });
	// Where a row is, from the page's title: the banner above may change height as sync goes.
	// Both are read at the same instant, the window may still be scrolling.
	const fromTitle = (i: number) =>
		rows
			.nth(i)
			.evaluate(
				(row) =>
					row.getBoundingClientRect().top -
					document.querySelector('h1')!.getBoundingClientRect().top
			);
	let planned = false;
	for (let i = 0; i < (await rows.count()) && !planned; i++) {
		await rows.nth(i).scrollIntoViewIfNeeded();
		const box = (await rows.nth(i).boundingBox())!;
		const offset = await fromTitle(i);
		const y = box.y + box.height / 2;
		await page.mouse.move(box.x + box.width * 0.86, y);
		await page.mouse.down();
		await page.mouse.move(box.x + box.width * 0.93, y, { steps: 5 });
		await page.mouse.up();
		// Past 16:30 is outside business hours: the board asks, with the slot on the 15-minute grid.
		const ask = page.getByRole('dialog', { name: 'Hors des heures ouvrées' });
		await expect(ask).toBeVisible();
		await expect(ask).toContainText(/\b(1[6-9]):(00|15|30|45) – (1[7-9]|2[0-1]):(00|15|30|45)\b/);
		if (i === 0) {
			// Cancelling plans nothing, and the board stays where it was under the pointer.
			await ask.getByRole('button', { name: 'Annuler' }).click();
			await expect(ask).toBeHidden();
			await expect(
				page.getByRole('status').filter({ hasText: 'Rien n’a été planifié.' })
			).toBeVisible();
			await expect(waiting.getByRole('button', { name: new RegExp(title) })).toHaveCount(1);
			// Not in the viewport: the board scrolls the window (and itself, a few pixels) while
			// dragging near an edge. A message line pushing it down would move it 40 px.
			const again = (await rows.nth(i).boundingBox())!;
			expect(Math.abs((await fromTitle(i)) - offset)).toBeLessThan(12);
			// A second drag asks again.
			const y2 = again.y + again.height / 2;
			await page.mouse.move(again.x + again.width * 0.86, y2);
			await page.mouse.down();
			await page.mouse.move(again.x + again.width * 0.93, y2, { steps: 5 });
			await page.mouse.up();
			await expect(ask).toBeVisible();
		}
		await ask.getByRole('button', { name: 'Planifier quand même' }).click();
		await expect(status).toBeVisible();
		planned = /Mission planifiée/.test((await status.textContent()) ?? '');
	}
	expect(planned).toBe(true);
	await expect(waiting.getByRole('button', { name: new RegExp(title) })).toHaveCount(0);
});

test('from a phone call to a planned mission on the technician’s phone', async ({
	page,
	browser
}) => {
	const desk = new DeskPage(page);
	await desk.signIn(server.url, demoLogin('dispatcher'), DEMO_PASSWORD);
	await desk.startTicketFor('paris');
	const title = `Switch HS au 2e étage ${Date.now()}`;
	await desk.describeTicket(title, 'Paul Appelant');
	await desk.createTicket(title);

	// Assigned first, to a technician picked by name.
	const assignee = DEMO_SIGN_INS.find((s) => s.role === 'technician');
	expect(assignee).toBeTruthy();
	await page.getByRole('combobox', { name: 'Attribuer à' }).fill(assignee!.displayName);
	await page
		.getByRole('option', { name: new RegExp(assignee!.displayName) })
		.first()
		.click();
	await page.getByRole('button', { name: 'Attribuer', exact: true }).click();
	await expect(page.getByText('Attribué à', { exact: false }).first()).toBeVisible();

	// Mission sheet: any skill, the coming week; the best-ranked technician gets it.
	// The skills come pre-ticked from the ticket's category, as words from the referential.
	const skills = page.getByRole('group', { name: 'Compétences requises' });
	await expect(skills.getByRole('checkbox', { name: 'Réseau', exact: true })).toBeVisible();
	const ticked = skills.getByRole('checkbox', { checked: true });
	expect(await ticked.count()).toBeGreaterThan(0);
	while ((await ticked.count()) > 0) await ticked.first().uncheck();
	await page.getByRole('button', { name: 'Trouver un technicien' }).click();
	// Proposed slots start on the quarter hour.
	const first = page
		.getByRole('list', { name: /Techniciens disponibles/ })
		.getByRole('listitem')
		.first();
	await expect(first).toContainText(/\b\d{2}:(00|15|30|45) → /);
	const choose = page
		.getByRole('list', { name: /Techniciens disponibles/ })
		.getByRole('button')
		.first();
	const label = (await choose.textContent()) ?? '';
	const displayName = label.replace('Planifier avec ', '').trim();
	const technician = DEMO_SIGN_INS.find((s) => s.displayName === displayName);
	expect(technician, `a demo technician named ${displayName}`).toBeTruthy();
	await choose.click();
	await expect(page.getByRole('status').filter({ hasText: 'Mission planifiée' })).toBeVisible();
	// The timeline reads as French sentences with people's names: one entry per change, in order.
	const timeline = page.getByRole('region', { name: 'Suivi' }).getByRole('list').first();
	// The server's own entries (its number, notices) arrive when it sees the ticket: set aside.
	const ours = timeline.getByRole('listitem').filter({ hasNotText: /Numéro attribué|Avis envoyé/ });
	await expect(ours).toHaveCount(4);
	const entries = await ours.allTextContents();
	expect(entries[0]).toContain('Ticket ouvert (source : Téléphone)');
	expect(entries[1]).toContain('Ticket qualifié');
	expect(entries[2]).toContain(`Attribué à ${assignee!.displayName}`);
	expect(entries[3]).toContain(`Intervention planifiée le`);
	expect(entries[3]).toContain(`avec ${displayName}`);
	const shown = `${entries.join('\n')}\n${(await page.locator('header.head').textContent()) ?? ''}`;
	expect(shown).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/); // no ISO timestamp
	expect(shown).not.toContain('→');
	expect(shown).not.toMatch(/user:|tech\./);
	for (const word of ['qualify', 'assign', 'cannot', 'status', 'planned', 'new', 'qualified'])
		expect(shown, word).not.toMatch(new RegExp(`\\b${word}\\b`, 'i'));
	// The desk sends it: nothing left unsent, nothing refused.
	const deskSync = page.getByRole('banner').getByRole('status');
	await expect(deskSync).toContainText('Dernière synchro', { timeout: 30_000 });
	await expect(deskSync).not.toContainText(/non envoyée|Refusé/, { timeout: 30_000 });

	const phone = await browser.newContext({
		viewport: { width: 390, height: 844 },
		hasTouch: true,
		isMobile: true
	});
	const tech = await phone.newPage();
	const techSignIn = new SignInPage(tech);
	await techSignIn.open(server.url);
	await techSignIn.signIn(technician!.login, DEMO_PASSWORD);
	await expect(tech).toHaveURL(/\/missions$/);
	const mission = tech.getByRole('article').filter({ hasText: title });
	await expect(async () => {
		for (const tab of ['Aujourd’hui', 'À venir']) {
			await tech.getByRole('tab', { name: new RegExp(tab) }).click();
			if (await mission.count()) return;
		}
		throw new Error('mission not on the phone yet');
	}).toPass({ timeout: 45_000 });
	await phone.close();
});

test('an admin edits a referential: a wrong value is refused with the field and the rule', async ({
	page
}) => {
	const desk = new DeskPage(page);
	await desk.signIn(server.url, 'admin', DEMO_PASSWORD);
	await page.getByRole('link', { name: 'Administration' }).click();
	await expect(page.getByRole('heading', { name: 'Référentiels' })).toBeVisible();
	await page.getByRole('button', { name: /Modifier — Matrice de priorité/ }).click();
	const editor = page.getByLabel('Contenu JSON de priority_matrix');
	const json = await editor.inputValue();
	await editor.fill(json.replace('"P1"', '"P9"'));
	await page.getByRole('button', { name: 'Enregistrer' }).click();
	// The field and the rule in words, never the schema's path or its English.
	const alert = page.getByRole('alert');
	await expect(alert).toContainText('Matrice de priorité › n° 1 › n° 1 : doit valoir');
	await expect(alert).not.toContainText(/config\.|must/);
	await editor.fill(json);
	await page.getByRole('button', { name: 'Enregistrer' }).click();
	await expect(page.getByRole('status').filter({ hasText: 'Enregistré' })).toBeVisible();
	// Users, roles and skills are listed for editing.
	await expect(page.getByRole('button', { name: /Modifier Julien Moreau/ })).toBeVisible();
});
