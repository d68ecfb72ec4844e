// Budget of the technician's app (issue #5), printed, not asserted:
//   field-js-gzip-kb   JavaScript (gzip) a technician's phone downloads to show the mission
//                      list on a first visit: sign-in page, then the list with its missions;
//   offline-reload-ms  from an offline reload to the mission list on screen, CPU slowed 4×,
//                      median of 5 (the app shell from the service worker, data from PouchDB).
// Runs the real server on a free port with the demo, in Debian's Chromium (build first).
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from 'playwright';
import { startServerProcess } from '../tests/support/server-process.ts';
import { DEMO_PASSWORD } from '../server/demo/generate.ts';

const RUNS = Number(process.env.RUNS ?? 5);
const CPU_SLOWDOWN = 4;
const LOGIN = 'tech.julien';

const median = (xs: number[]) => {
	const s = [...xs].sort((a, b) => a - b);
	const mid = Math.floor(s.length / 2);
	return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

/** Records, in the page, when the first mission card shows (no polling delay). */
function watchList(): void {
	const w = window as unknown as { __listAt?: number };
	const seen = () => document.querySelector('[role="tabpanel"] article') !== null;
	new MutationObserver((_, observer) => {
		if (w.__listAt === undefined && seen()) {
			w.__listAt = performance.now();
			observer.disconnect();
		}
	}).observe(document, { childList: true, subtree: true });
}

async function listVisible(page: Page): Promise<void> {
	await page.locator('[role="tabpanel"] article').first().waitFor({ timeout: 120_000 });
}

const server = await startServerProcess();
const browser = await chromium.launch({
	executablePath: '/usr/bin/chromium',
	args: [
		'--no-sandbox',
		'--headless',
		'--disable-gpu',
		'--disable-background-networking',
		'--no-first-run'
	]
});
try {
	const context = await browser.newContext({
		viewport: { width: 390, height: 844 },
		hasTouch: true,
		isMobile: true,
		locale: 'fr-FR',
		timezoneId: 'Europe/Paris'
	});
	const page = await context.newPage();
	const scripts = new Map<string, number>();
	page.on('response', (response) => {
		const type = response.request().resourceType();
		if (type !== 'script' || scripts.has(response.url())) return;
		scripts.set(response.url(), 0);
		void response
			.body()
			.then((body) => scripts.set(response.url(), gzipSync(new Uint8Array(body)).length))
			.catch(() => undefined);
	});

	// First visit: sign in, land on the mission list, wait for the first missions.
	await page.goto(`${server.url}/login`);
	await page.getByLabel('Identifiant').fill(LOGIN);
	await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD);
	await page.getByRole('button', { name: 'Se connecter' }).click();
	await listVisible(page);
	// The live long-poll keeps the network busy: the list on screen is the end of the visit.
	await page.waitForTimeout(1_000);
	const jsKb = [...scripts.values()].reduce((a, b) => a + b, 0) / 1024;
	console.log(`first visit: ${scripts.size} scripts`);
	for (const [u, n] of [...scripts].sort((a, b) => b[1] - a[1]))
		console.log(`  ${(n / 1024).toFixed(1)} KB ${u.replace(server.url, '')}`);

	// Offline reloads from the service worker, CPU slowed down.
	await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
	await page.reload();
	await listVisible(page);
	await context.addInitScript(watchList);
	await context.setOffline(true);
	const cdp = await context.newCDPSession(page);
	const times: number[] = [];
	for (let i = 0; i < RUNS; i++) {
		await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
		await page.reload();
		await listVisible(page);
		const at = await page.evaluate(() => (window as unknown as { __listAt?: number }).__listAt);
		if (at === undefined) throw new Error('the list showed before the watcher started');
		times.push(at);
		console.log(`offline reload ${i + 1}: ${Math.round(at)} ms`);
	}
	await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
	await context.close();
	console.log(`field-js-gzip-kb: ${jsKb.toFixed(1)}`);
	console.log(`offline-reload-ms: ${Math.round(median(times))}`);
} finally {
	await browser.close();
	await server.stop();
}
