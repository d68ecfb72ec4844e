// The installable app: a valid web manifest with its icons, and a service worker that
// controls the page so the app opens with no network.
import { expect, test } from 'playwright/test';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { phoneContext, signInOnPhone } from './field-helpers.ts';

let server: ServerProcess;

test.beforeAll(async () => {
	server = await startServerProcess();
});

test.afterAll(async () => {
	await server?.stop();
});

interface Icon {
	src: string;
	sizes: string;
	type: string;
	purpose?: string;
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Buffer): [number, number] {
	expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
	return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

test('the web manifest is valid and its icons are served', async ({ page, request }) => {
	await page.goto(`${server.url}/login`);
	const href = await page.locator('link[rel="manifest"]').getAttribute('href');
	expect(href).toBeTruthy();
	const res = await request.get(new URL(href ?? '', server.url).toString());
	expect(res.ok()).toBe(true);
	const manifest = (await res.json()) as Record<string, unknown> & { icons: Icon[] };
	expect(manifest).toMatchObject({
		short_name: 'Terrain',
		lang: 'fr',
		display: 'standalone',
		start_url: '/',
		scope: '/'
	});
	expect(String(manifest.name).length).toBeGreaterThan(0);
	expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
	expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/i);
	const pngs = manifest.icons.filter((i) => i.type === 'image/png');
	for (const [size, purpose] of [
		['192x192', 'any'],
		['512x512', 'any'],
		['512x512', 'maskable']
	] as const) {
		expect(
			pngs.some((i) => i.sizes === size && (i.purpose ?? 'any').split(' ').includes(purpose))
		).toBe(true);
	}
	for (const icon of pngs) {
		const file = await request.get(new URL(icon.src, server.url).toString());
		expect(file.ok(), icon.src).toBe(true);
		expect(file.headers()['content-type']).toContain('image/png');
		expect(pngSize(await file.body()).join('x')).toBe(icon.sizes);
	}
	await expect(page.locator('meta[name="theme-color"]')).toHaveAttribute('content', /^#/);
});

test('the service worker controls the page and opens the app offline', async ({ browser }) => {
	test.setTimeout(120_000);
	const context = await phoneContext(browser);
	const page = await context.newPage();
	await signInOnPhone(page, server.url);
	const script = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL);
	expect(script).toBe(`${server.url}/service-worker.js`);
	await context.setOffline(true);
	await page.reload();
	await expect(page.getByRole('heading', { name: 'Mes missions' })).toBeVisible();
	await page.goto(`${server.url}/missions`);
	await expect(page.getByRole('heading', { name: 'Mes missions' })).toBeVisible();
	await context.close();
});
