// Issue #15: a dispatcher's device holds its working set, not the whole history. A ticket
// closed months ago is found through the server by its number and by a word of its description,
// opened, and then still there offline; offline, a search says it covers only this device, and
// a ticket outside the working set says it needs the network.
import { expect, test, type APIRequestContext } from 'playwright/test';
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

interface Hit {
	id: string;
	number: number | null;
	title: string;
}

/**
 * Two tickets closed over 45 days ago, and a word of the first one's description that few
 * tickets share (demo descriptions repeat: the word must pick it out of the first results).
 */
async function oldTickets(
	request: APIRequestContext
): Promise<{ old: Hit; word: string; other: Hit }> {
	const signIn = await request.post(`${server.url}/api/session`, {
		data: { name: 'admin', password: DEMO_PASSWORD }
	});
	expect(signIn.ok()).toBe(true);
	const to = new Date(Date.now() - 45 * 86_400_000).toISOString().slice(0, 10);
	const search = async (qs: string) => {
		const res = await request.get(`${server.url}/api/desk/search?${qs}`);
		return res.ok() ? ((await res.json()) as { hits: Hit[]; total: number }) : null;
	};
	let hits: Hit[] = [];
	await expect
		.poll(
			async () => {
				hits = ((await search(`status=closed&to=${to}&limit=100`))?.hits ?? []).filter(
					(h) => h.number !== null
				);
				return hits.length;
			},
			{ timeout: 60_000 }
		)
		.toBeGreaterThan(1);
	for (const old of hits) {
		const got = await request.post(`${server.url}/api/sync/bulk_get`, {
			data: { docs: [{ id: old.id }] }
		});
		const body = (await got.json()) as {
			results: Array<{ docs: Array<{ ok?: { description?: string } }> }>;
		};
		const description = body.results[0]?.docs[0]?.ok?.description ?? '';
		const titleWords = new Set(old.title.toLowerCase().split(/[^\p{L}]+/u));
		const words = description
			.split(/[^\p{L}]+/u)
			.filter((w) => w.length >= 6 && !titleWords.has(w.toLowerCase()));
		for (const word of words) {
			const found = await search(`q=${encodeURIComponent(word)}`);
			if (found && found.total <= 10 && found.hits.some((h) => h.id === old.id))
				return { old, word, other: hits.find((h) => h.id !== old.id)! };
		}
	}
	throw new Error('no old ticket with a word of its own in its description');
}

test('an old closed ticket is found through the server, opened, and kept for offline', async ({
	page,
	context,
	request
}) => {
	test.setTimeout(240_000);
	const { old, word, other } = await oldTickets(request);
	const desk = new DeskPage(page);
	await desk.signIn(server.url, demoLogin('dispatcher'), DEMO_PASSWORD);
	const list = page.getByRole('listbox', { name: 'Tickets' });
	const search = page.getByLabel('Rechercher un ticket');
	const onServer = page.getByRole('region', { name: 'Dans toute la base (serveur)' });

	// Not on the device: the list does not have it, the server does, by number…
	await page.getByLabel('Statut', { exact: true }).selectOption({ label: 'Tous' });
	await search.fill(String(old.number));
	await expect(list.getByRole('option', { name: new RegExp(`^n° ${old.number} `) })).toHaveCount(0);
	const link = onServer.getByRole('link', { name: new RegExp(`n° ${old.number}\\b`) });
	await expect(link).toBeVisible({ timeout: 15_000 });
	await page.screenshot({ path: '/tmp/o-desk-search-number.png', fullPage: true });
	// …and by a word of its description, the word marked where it matched.
	await search.fill(word);
	await expect(link).toBeVisible({ timeout: 15_000 });
	await expect(onServer.locator('mark').first()).toBeVisible();
	await page.screenshot({ path: '/tmp/o-desk-search-word.png', fullPage: true });

	// Opened: the server keeps it on this device; the page shows it with its timeline.
	await link.click();
	await expect(page.getByRole('heading', { level: 1 })).toContainText(old.title, {
		timeout: 15_000
	});
	await expect(page.getByText('Clos', { exact: true }).first()).toBeVisible();

	// Offline: still there, from the device.
	await context.setOffline(true);
	await page.getByRole('link', { name: '← Tickets' }).click();
	await page.getByLabel('Statut', { exact: true }).selectOption({ label: 'Tous' });
	await search.fill(String(old.number));
	const row = list.getByRole('option', { name: new RegExp(`^n° ${old.number} `) });
	await expect(row).toBeVisible();
	// The search says what it covers.
	await expect(onServer.getByRole('status')).toHaveText(
		/^Hors ligne : la recherche ne porte que sur les [\d\u202f\u00a0]+ tickets de cet appareil\./
	);
	await page.screenshot({ path: '/tmp/o-desk-search-offline.png', fullPage: true });
	await row.click();
	await expect(page.getByRole('heading', { level: 1 })).toContainText(old.title);
	await page.screenshot({ path: '/tmp/o-desk-old-ticket-offline.png', fullPage: true });

	// Another old ticket, never opened: it needs the network (an in-app link, as a search gives).
	await page.evaluate((id) => {
		const a = document.createElement('a');
		a.href = `/tickets/${encodeURIComponent(id)}`;
		a.textContent = 'autre';
		document.body.append(a);
		a.click();
	}, other.id);
	await expect(page.getByRole('alert')).toHaveText(
		'Ce ticket n’est pas sur cet appareil. Il faut le réseau pour l’ouvrir ; il restera ensuite quelques jours sur l’appareil.'
	);
	await page.screenshot({ path: '/tmp/o-desk-outside-offline.png', fullPage: true });
	await context.setOffline(false);
});
