// The requester's side (issue #13, point 4): a demo ticket resolved after a signed visit is
// closed at the desk; the requester opens the link of the notice the server kept (no SMTP
// here), sees the real number and the signed report, rates 4/5 on a phone; the desk sees it.
import { randomBytes } from 'node:crypto';
import { expect, test } from 'playwright/test';
import type { ReportDoc, TicketDoc, UserDoc } from '../../src/lib/domain/schemas.ts';
import { actorFromUser, transition } from '../../src/lib/domain/ticket.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { DEMO_PASSWORD } from '../support/demo.ts';
import { AdminReader, phoneContext } from './field-helpers.ts';
import { DeskPage } from './pages.ts';

let server: ServerProcess;
const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

test.beforeAll(async () => {
	server = await startServerProcess();
});

test.afterAll(async () => {
	await server?.stop();
});

/** The admin's session, for what a desk device would push and for the kept mails. */
async function adminCookie(): Promise<string> {
	const res = await fetch(`${server.url}/api/session`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ name: 'admin', password: DEMO_PASSWORD })
	});
	return (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

/** A resolved demo ticket whose visit ended with a signed report. */
async function resolvedWithReport(admin: AdminReader): Promise<{ ticket: TicketDoc }> {
	const ids = (await admin.manifest()).map(([id]) => id);
	const reports: ReportDoc[] = [];
	const reportIds = ids.filter((id) => id.startsWith('report:'));
	for (let i = 0; i < reportIds.length; i += 400)
		reports.push(...((await admin.docs(reportIds.slice(i, i + 400))) as unknown as ReportDoc[]));
	const signed = new Set(reports.filter((r) => r.signedAt).map((r) => r.ticketId));
	const candidates = ids.filter((id) => signed.has(id));
	for (let i = 0; i < candidates.length; i += 400) {
		const tickets = (await admin.docs(candidates.slice(i, i + 400))) as unknown as TicketDoc[];
		const ticket = tickets.find(
			(t) => t.status === 'resolved' && t.requester.email && t.number !== undefined
		);
		if (ticket) return { ticket };
	}
	throw new Error('no resolved demo ticket with a signed report');
}

test('the requester opens the kept mail’s link, sees the number and the report, rates 4/5; the desk sees it', async ({
	browser
}) => {
	const admin = new AdminReader(server.url);
	await admin.signIn();
	const { ticket } = await resolvedWithReport(admin);
	const profile = (await admin.doc('user:admin')) as unknown as UserDoc;

	// The desk closes it, as a desk device pushes the change.
	const closed = transition(ticket, { type: 'close' }, actorFromUser(profile), new Date());
	expect(closed.ok).toBe(true);
	const [gen, parent] = String((ticket as { _rev?: string })._rev).split('-') as [string, string];
	const hash = randomBytes(16).toString('hex');
	const cookie = await adminCookie();
	const pushed = await fetch(`${server.url}/api/sync/db/_bulk_docs`, {
		method: 'POST',
		headers: { cookie, 'content-type': 'application/json' },
		body: JSON.stringify({
			new_edits: false,
			docs: [
				{
					...(closed.ok ? closed.value : {}),
					_rev: `${Number(gen) + 1}-${hash}`,
					_revisions: { start: Number(gen) + 1, ids: [hash, parent] }
				}
			]
		})
	});
	expect(await pushed.json()).toEqual([expect.not.objectContaining({ error: expect.anything() })]);

	// No SMTP server: the notice is kept for the admin; the requester's link is in it.
	let text = '';
	await expect
		.poll(
			async () => {
				const res = await fetch(`${server.url}/api/admin/mail`, { headers: { cookie } });
				const { mails } = (await res.json()) as {
					mails: Array<{ to: string; subject: string; text: string }>;
				};
				const mail = mails.find((m) => m.subject === `Demande n° ${ticket.number} clôturée`);
				text = mail?.text ?? '';
				return mail?.to ?? null;
			},
			{ timeout: 30_000 }
		)
		.toBe(ticket.requester.email);
	expect(text).not.toMatch(ISO);
	expect(text).not.toMatch(/provisoire/);
	const link = /https?:\/\/\S+\/suivi\/[A-Za-z0-9_-]{22}/.exec(text)?.[0];
	expect(link).toBeTruthy();

	// The requester, on a phone, with no account.
	const phone = await phoneContext(browser);
	const page = await phone.newPage();
	await page.goto(new URL(new URL(link!).pathname, server.url).toString());
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(
		`Votre demande n° ${ticket.number}`
	);
	await expect(page.getByText('Statut : Clos')).toBeVisible();
	await expect(
		page
			.getByRole('region', { name: 'Réponse de l’assistance' })
			.getByText(ticket.resolution!.solution)
	).toBeVisible();
	const reports = page.getByRole('region', { name: 'Rapports d’intervention' });
	await expect(reports.getByText(/^Rapport signé le .+ par /)).toBeVisible();
	const download = page.waitForEvent('download');
	await reports.getByRole('link', { name: /Télécharger le rapport du .+ \(PDF\)/ }).click();
	const file = await download;
	expect(file.suggestedFilename()).toBe(`rapport-${ticket.number}.pdf`);

	const timeline = page.getByRole('list', { name: 'Historique de votre demande' });
	await expect(timeline.getByRole('listitem').first()).toBeVisible();
	const words = await timeline.innerText();
	expect(words).not.toMatch(ISO);
	expect(words).not.toMatch(/→|status_change|qualify|resolved|closed/);

	const survey = page.getByRole('form', { name: 'Votre avis sur le traitement de votre demande' });
	await survey.getByRole('radio', { name: '4 — Satisfait' }).check();
	await survey.getByLabel('Votre commentaire (facultatif)').fill('Technicien ponctuel, merci.');
	await survey.getByRole('button', { name: 'Envoyer mon avis' }).click();
	await expect(
		page.getByRole('status').filter({ hasText: 'Merci pour votre avis.' })
	).toBeVisible();
	await expect(page.getByText('Votre avis : 4 sur 5')).toBeVisible();
	await expect(page.getByRole('button', { name: 'Envoyer mon avis' })).toHaveCount(0);
	await page.screenshot({ path: 'test-results/requester-page.png', fullPage: true });
	await phone.close();

	// The desk sees the answer on the ticket page.
	const deskContext = await browser.newContext({ viewport: { width: 1366, height: 900 } });
	const desk = await deskContext.newPage();
	await new DeskPage(desk).signIn(server.url, 'admin', DEMO_PASSWORD);
	await desk.goto(`${server.url}/tickets/${encodeURIComponent(ticket._id)}`);
	const answer = desk.getByRole('region', { name: 'Satisfaction du demandeur' });
	await expect(answer).toBeVisible({ timeout: 30_000 });
	await expect(answer).toContainText('Note : 4 sur 5');
	await expect(answer).toContainText('Technicien ponctuel, merci.');
	await deskContext.close();
});
