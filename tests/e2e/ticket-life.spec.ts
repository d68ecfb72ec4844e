// Issue #13: a ticket's whole life, as the people of the demo walk it. A visitor sends the
// public form; a hotliner gives the pre-ticket its client and requester, qualifies it and plans
// a visit with a technician who has the skill; the technician, on a phone, works, writes the
// report, has it signed and closes the ticket (no card close, no close without the report); the
// requester opens the link of the mail the server kept, sees the real number and the report,
// rates 4/5; the desk sees the rating and how the ticket closed. What people read (timelines,
// the mail) holds no ISO timestamp, no "→" code text and no English word of the code.
import { expect, test, type Page } from 'playwright/test';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { DEMO_PASSWORD, DEMO_SIGN_INS, demoLogin } from '../support/demo.ts';
import {
	PIN,
	drawSignature,
	phoneContext,
	reachClientSigning,
	signInOnPhone
} from './field-helpers.ts';
import { DeskPage } from './pages.ts';

let server: ServerProcess;

test.beforeAll(async () => {
	server = await startServerProcess();
});

test.afterAll(async () => {
	await server?.stop();
});

const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
/** Words of the code (statuses, actions, id prefixes) that must never reach a person. */
const CODE_WORDS = [
	'qualify',
	'qualified',
	'assign',
	'assigned',
	'pending',
	'requested',
	'status',
	'planned',
	'resolved',
	'closed',
	'in_progress',
	'level1',
	'level2',
	'undefined',
	'null',
	'NaN'
];
const CODE_PREFIXES = /\b(ticket|mission|report|event|user|client|group)[_:]/;

/** Fails with the offending piece if `text` shows a timestamp, an arrow or code words. */
function expectWords(text: string, where: string): void {
	expect(text, `${where}: no ISO timestamp`).not.toMatch(ISO);
	expect(text, `${where}: no arrow`).not.toContain('→');
	expect(text, `${where}: no id prefix`).not.toMatch(CODE_PREFIXES);
	for (const word of CODE_WORDS)
		expect(text, `${where}: "${word}"`).not.toMatch(new RegExp(`\\b${word}\\b`, 'i'));
}

/** Waits until the desk device has sent everything and nothing was refused. */
async function deskSynced(page: Page): Promise<void> {
	const status = page.getByRole('banner').getByRole('status');
	await expect(status).toContainText('Dernière synchro', { timeout: 30_000 });
	await expect(status).not.toContainText(/non envoyée|Refusé/, { timeout: 30_000 });
}

async function adminCookie(): Promise<string> {
	const res = await fetch(`${server.url}/api/session`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ name: 'admin', password: DEMO_PASSWORD })
	});
	return (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

test('a pre-ticket from the public form lives until the requester rates it', async ({
	browser
}) => {
	test.setTimeout(180_000);
	const title = `Imprimante du guichet bloquée ${Date.now()}`;

	// 1. A visitor, with no account, sends the public form: a pre-ticket.
	const visitor = await browser.newContext();
	const form = await visitor.newPage();
	await form.goto(`${server.url}/request`);
	await form.getByLabel('Nom', { exact: true }).fill('Claire Visiteuse');
	await form.getByLabel('E-mail').fill('claire.visiteuse@example.fr');
	await form.getByLabel('Objet').fill(title);
	await form.getByLabel('Description').fill('L’imprimante du guichet affiche une erreur.');
	await form.getByRole('button', { name: 'Envoyer la demande' }).click();
	await expect(form.getByRole('status')).toBeVisible();
	await visitor.close();

	// 2. The hotliner finds it, sets its client and requester, qualifies and plans it.
	const deskContext = await browser.newContext({ viewport: { width: 1366, height: 900 } });
	const desk = await deskContext.newPage();
	await new DeskPage(desk).signIn(server.url, demoLogin('dispatcher'), DEMO_PASSWORD);
	await desk.getByRole('link', { name: 'Nouveau ticket' }).click();
	await desk.getByLabel('Client, demandeur, téléphone, e-mail, site ou n° de ticket').fill(title);
	await desk.getByRole('list', { name: 'Résultats' }).getByRole('button').first().click();
	await expect(desk.getByRole('heading', { level: 1 })).toContainText(title);
	const ticketUrl = desk.url();

	const parties = desk.getByRole('region', { name: 'Client et demandeur' });
	await expect(parties).toContainText('Pré-ticket reçu du formulaire');
	await parties.getByRole('button', { name: 'Identifier le client' }).click();
	await parties.getByLabel('Rechercher le client (nom, site, contact, téléphone)').fill('paris');
	const hit = parties.getByRole('list', { name: 'Résultats' }).getByRole('button').first();
	const clientName = ((await hit.textContent()) ?? '').split(' — ')[0]?.trim() ?? '';
	await hit.click();
	await expect(parties.getByRole('definition').first()).toHaveText(clientName);
	// The requester: a contact of the client who has an e-mail (the notices go there).
	const contacts = parties.getByLabel('Demandeur parmi les contacts du client');
	await contacts.selectOption({ index: 1 });
	const contactName = (await contacts.locator('option:checked').textContent())?.trim() ?? '';
	const requester = parties.getByRole('definition').nth(1);
	await expect(requester).toContainText(contactName);
	const email = /\S+@\S+/.exec((await requester.innerText()) ?? '')?.[0] ?? '';
	expect(email, 'the contact has an e-mail').toMatch(/@/);
	await deskSynced(desk);

	await desk.getByLabel('Catégorie').selectOption({ index: 1 });
	await desk.getByRole('button', { name: 'Qualifier', exact: true }).click();
	await expect(desk.locator('header.head')).toContainText('Qualifié');
	// The server numbers the ticket when it first sees it.
	await expect(desk.getByRole('heading', { level: 1 })).toContainText(/n° \d{5}/, {
		timeout: 30_000
	});
	const number = /n° (\d{5})/.exec(
		(await desk.getByRole('heading', { level: 1 }).textContent()) ?? ''
	)?.[1];
	expect(number).toBeTruthy();

	// The mission sheet: the skill the category needs comes ticked; the best technician for it.
	const sheet = desk.getByRole('region', { name: 'Planifier une intervention' });
	const skills = sheet.getByRole('group', { name: 'Compétences requises' });
	const ticked = skills
		.locator('label')
		.filter({ has: desk.getByRole('checkbox', { checked: true }) });
	await expect(ticked.first()).toBeVisible();
	const skill = ((await ticked.first().textContent()) ?? '').trim();
	await sheet.getByRole('button', { name: 'Trouver un technicien' }).click();
	const choose = sheet
		.getByRole('list', { name: /Techniciens disponibles/ })
		.getByRole('button')
		.first();
	await expect(choose).toBeVisible();
	const technicianName = ((await choose.textContent()) ?? '').replace('Planifier avec ', '').trim();
	const technician = DEMO_SIGN_INS.find((s) => s.displayName === technicianName);
	expect(technician, `a demo technician named ${technicianName} (${skill})`).toBeTruthy();
	await choose.click();
	await expect(sheet.getByRole('status')).toContainText('Mission planifiée');
	await deskSynced(desk);
	await desk.screenshot({ path: 'test-results/ticket-life-1-planned.png', fullPage: true });

	// 3. The technician, on a phone: the mission arrives; no card closes anything in one tap.
	const phone = await phoneContext(browser);
	const tech = await phone.newPage();
	await signInOnPhone(tech, server.url, technician!.login);
	await expect(tech.getByRole('button', { name: /Terminer|Clôturer|Clore/ })).toHaveCount(0);
	const card = tech.getByRole('article').filter({ hasText: title });
	await expect(async () => {
		for (const tab of [/Aujourd’hui/, /À venir/]) {
			await tech.getByRole('tab', { name: tab }).click();
			if (await card.count()) return;
		}
		throw new Error('the mission is not on the phone yet');
	}).toPass({ timeout: 60_000 });
	await expect(card.getByRole('button')).toHaveCount(0);
	await card.getByRole('link').click();
	await expect(tech.getByRole('heading', { level: 1 })).toHaveText(title);
	await expect(tech.getByText(`n° ${number}`)).toBeVisible();
	const fieldTimeline = tech.getByRole('region', { name: 'Historique du ticket' });
	await expect(fieldTimeline).toContainText('Ticket qualifié');
	expectWords(await fieldTimeline.innerText(), 'field timeline');
	// Without a signed report there is no way to close the ticket: ending says it stays open.
	await expect(tech.getByRole('button', { name: /Clôturer/ })).toHaveCount(0);
	await tech.getByRole('button', { name: 'Terminer sans rapport…' }).click();
	await expect(
		tech.getByRole('region', { name: 'Terminer la mission sans rapport signé' })
	).toContainText('Le ticket reste ouvert');
	await tech.getByRole('button', { name: 'Terminer sans rapport…' }).click();

	await reachClientSigning(tech);
	const signing = tech.getByRole('dialog', { name: 'Signature du client' });
	await signing.getByLabel('Nom du signataire').fill(contactName);
	await drawSignature(tech, signing.getByLabel(/Zone de signature/));
	await signing.getByRole('button', { name: 'Signer le rapport' }).click();
	await expect(signing.getByText(/le rapport est signé/)).toBeVisible();
	await signing.getByRole('button', { name: 'Technicien : quitter le mode signature' }).click();
	await signing.getByLabel('Code PIN').fill(PIN);
	await signing.getByRole('button', { name: 'Déverrouiller' }).click();
	await expect(signing).toBeHidden();
	await expect(tech.getByRole('heading', { name: 'Rapport signé' })).toBeVisible();
	await tech.getByRole('button', { name: 'Clôturer le ticket' }).click();
	await expect(tech.getByText('Ticket : Clos')).toBeVisible();
	await tech.screenshot({ path: 'test-results/ticket-life-2-signed.png', fullPage: true });

	// 4. The server keeps the closing notice (no SMTP here); the link is in it.
	const cookie = await adminCookie();
	let mail = { to: '', subject: '', text: '' };
	await expect
		.poll(
			async () => {
				const res = await fetch(`${server.url}/api/admin/mail`, { headers: { cookie } });
				const { mails } = (await res.json()) as { mails: (typeof mail)[] };
				mail = mails.find((m) => m.subject === `Demande n° ${number} clôturée`) ?? mail;
				return mail.to;
			},
			{ timeout: 60_000 }
		)
		.toBe(email);
	await phone.close();
	expectWords(`${mail.subject}\n${mail.text}`, 'mail');
	expect(mail.text).not.toMatch(/provisoire/);
	const link = /https?:\/\/\S+\/suivi\/[A-Za-z0-9_-]{22}/.exec(mail.text)?.[0];
	expect(link, 'the mail holds the follow-up link').toBeTruthy();

	// 5. The requester, on a phone, opens the link: the real number, the report, the survey.
	const requesterPhone = await phoneContext(browser);
	const track = await requesterPhone.newPage();
	await track.goto(new URL(new URL(link!).pathname, server.url).toString());
	await expect(track.getByRole('heading', { level: 1 })).toHaveText(`Votre demande n° ${number}`);
	await expect(track.getByText('Statut : Clos')).toBeVisible();
	const reports = track.getByRole('region', { name: 'Rapports d’intervention' });
	await expect(reports.getByText(/^Rapport signé le .+ par /)).toBeVisible();
	await expect(
		reports.getByRole('link', { name: /Télécharger le rapport du .+ \(PDF\)/ })
	).toBeVisible();
	const publicTimeline = track.getByRole('list', { name: 'Historique de votre demande' });
	await expect(publicTimeline.getByRole('listitem').first()).toBeVisible();
	const publicWords = await publicTimeline.innerText();
	expect(publicWords).toContain('Votre demande a été reçue.');
	expect(publicWords).toContain('E-mail envoyé : accusé de réception');
	expect(publicWords).toContain('E-mail envoyé : clôture');
	expect(publicWords, 'no sentence left hanging on a colon').not.toMatch(/:\s*$/m);
	expectWords(publicWords, 'public timeline');
	const survey = track.getByRole('form', {
		name: 'Votre avis sur le traitement de votre demande'
	});
	await survey.getByRole('radio', { name: '4 — Satisfait' }).check();
	await survey.getByLabel('Votre commentaire (facultatif)').fill('Intervention rapide, merci.');
	await survey.getByRole('button', { name: 'Envoyer mon avis' }).click();
	await expect(track.getByText('Votre avis : 4 sur 5')).toBeVisible();
	await track.screenshot({ path: 'test-results/ticket-life-3-requester.png', fullPage: true });
	await requesterPhone.close();

	// 6. The desk: closed through the signed report, the rating and the comment.
	await desk.goto(ticketUrl);
	await expect(desk.locator('header.head')).toContainText('Clos', { timeout: 30_000 });
	const closure = desk.getByRole('region', { name: 'Clôture' });
	await expect(closure).toContainText(`Clos à la signature du rapport d’intervention`);
	await expect(closure).toContainText(technicianName);
	const answer = desk.getByRole('region', { name: 'Satisfaction du demandeur' });
	await expect(answer).toContainText('Note : 4 sur 5', { timeout: 30_000 });
	await expect(answer).toContainText('Intervention rapide, merci.');
	const timeline = desk.getByRole('region', { name: 'Suivi' }).getByRole('list').first();
	await expect(timeline).toContainText('Rapport d’intervention signé');
	// What the requester was told, as the notifier sent it.
	await expect(timeline).toContainText('Avis envoyé au demandeur : clôture');
	const all = await timeline.innerText();
	expect(all).toContain('Pré-ticket reçu du formulaire web');
	expect(all).toContain(`Client : ${clientName}`);
	expect(all).toContain('Ticket qualifié');
	expect(all).toContain(`avec ${technicianName}`);
	expect(all).toContain('Clos à la signature du rapport d’intervention');
	expectWords(
		`${all}\n${await desk.locator('header.head').innerText()}\n${await closure.innerText()}`,
		'desk ticket page'
	);
	await desk.screenshot({ path: 'test-results/ticket-life-4-desk.png', fullPage: true });
	await deskContext.close();
});
