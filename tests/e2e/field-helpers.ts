// Shared by the technician-app tests (field-*.spec.ts): a phone context, small page models
// and reads from the server as the admin, through the sync endpoints a device uses.
import { crc32, deflateSync } from 'node:zlib';
import {
	expect,
	type Browser,
	type BrowserContext,
	type Locator,
	type Page
} from 'playwright/test';
import { SignInPage } from './pages.ts';
import { DEMO_PASSWORD } from '../support/demo.ts';

export const TECHNICIAN = 'tech.julien';
export const PIN = '2468';

/** A phone with touch, as a technician holds it. */
export function phoneContext(browser: Browser): Promise<BrowserContext> {
	return browser.newContext({
		viewport: { width: 390, height: 844 },
		hasTouch: true,
		isMobile: true,
		serviceWorkers: 'allow'
	});
}

/** Signs in and waits until the service worker controls the page (one online visit). */
export async function signInOnPhone(
	page: Page,
	baseUrl: string,
	login = TECHNICIAN
): Promise<void> {
	const signIn = new SignInPage(page);
	await signIn.open(baseUrl);
	await signIn.signIn(login, DEMO_PASSWORD);
	await expect(page.getByRole('heading', { name: 'Mes missions' })).toBeVisible();
	await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
	// The worker takes control from the next load on (no clients.claim).
	await page.reload();
	await expect(page.getByRole('heading', { name: 'Mes missions' })).toBeVisible();
	await expect
		.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null))
		.toBe(true);
}

/**
 * Opens the first mission not done yet (today first, then upcoming) once sync has brought it.
 * @returns the mission's id suffix, from the URL.
 */
export async function openOpenMission(page: Page): Promise<string> {
	const panel = page.getByRole('tabpanel');
	// The first sync brings the day's missions (the demo gives every technician some today).
	await expect(page.getByRole('tab', { name: /Aujourd’hui \([1-9]/ })).toBeVisible({
		timeout: 90_000
	});
	for (const tab of [/Aujourd’hui/, /À venir/]) {
		await page.getByRole('tab', { name: tab }).click();
		await expect(panel.getByRole('article').first()).toBeVisible();
		const open = panel.getByRole('article').filter({ hasText: /Planifié|En cours/ });
		if ((await open.count()) > 0) {
			await open.first().getByRole('link').click();
			await expect(page).toHaveURL(/\/missions\/[0-9A-Z]{26}$/);
			return page.url().split('/').at(-1) ?? '';
		}
	}
	throw new Error('no open mission for the technician');
}

/** Draws a few strokes on a signature pad with pointer moves. */
export async function drawSignature(page: Page, pad: Locator): Promise<void> {
	await pad.scrollIntoViewIfNeeded();
	const box = await pad.boundingBox();
	if (!box) throw new Error('signature pad not visible');
	const strokes = [
		[0.1, 0.6, 0.3, 0.3, 0.45, 0.65],
		[0.5, 0.5, 0.7, 0.25, 0.9, 0.6]
	];
	for (const [x1, y1, x2, y2, x3, y3] of strokes as number[][]) {
		await page.mouse.move(box.x + box.width * x1!, box.y + box.height * y1!);
		await page.mouse.down();
		await page.mouse.move(box.x + box.width * x2!, box.y + box.height * y2!, { steps: 8 });
		await page.mouse.move(box.x + box.width * x3!, box.y + box.height * y3!, { steps: 8 });
		await page.mouse.up();
	}
}

/** A real PNG photo (a colour gradient) made without any image library. */
export function testPng(width = 640, height = 480): Uint8Array {
	const raw = new Uint8Array((width * 3 + 1) * height);
	for (let y = 0; y < height; y++) {
		const row = y * (width * 3 + 1); // each row starts with filter 0 (none)
		for (let x = 0; x < width; x++) {
			raw[row + 1 + x * 3] = (x * 255) / width;
			raw[row + 2 + x * 3] = (y * 255) / height;
			raw[row + 3 + x * 3] = 128;
		}
	}
	const parts: Uint8Array[] = [Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)];
	const chunk = (type: string, data: Uint8Array) => {
		const out = new Uint8Array(12 + data.length);
		const view = new DataView(out.buffer);
		view.setUint32(0, data.length);
		out.set(new TextEncoder().encode(type), 4);
		out.set(data, 8);
		view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
		parts.push(out);
	};
	const header = new Uint8Array(13);
	new DataView(header.buffer).setUint32(0, width);
	new DataView(header.buffer).setUint32(4, height);
	header[8] = 8; // bit depth
	header[9] = 2; // colour type: RGB
	chunk('IHDR', header);
	chunk('IDAT', new Uint8Array(deflateSync(raw)));
	chunk('IEND', new Uint8Array(0));
	const png = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
	let at = 0;
	for (const p of parts) {
		png.set(p, at);
		at += p.length;
	}
	return png;
}

type Json = Record<string, unknown>;

/** The admin's view of the server, through the same sync endpoints as a device. */
export class AdminReader {
	readonly #base: string;
	#cookie = '';

	constructor(baseUrl: string) {
		this.#base = baseUrl;
	}

	async signIn(): Promise<void> {
		const res = await fetch(`${this.#base}/api/session`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ name: 'admin', password: DEMO_PASSWORD })
		});
		if (!res.ok) throw new Error(`admin sign-in: ${res.status}`);
		this.#cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
	}

	async #json(path: string, body?: unknown): Promise<Json> {
		const res = await fetch(`${this.#base}${path}`, {
			method: body === undefined ? 'GET' : 'POST',
			headers: { cookie: this.#cookie, 'content-type': 'application/json' },
			body: body === undefined ? null : JSON.stringify(body)
		});
		if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
		return (await res.json()) as Json;
	}

	/** Every id the admin reads (past the working set), with its revision. */
	async manifest(): Promise<Array<[string, string]>> {
		return (await this.#json('/api/sync/manifest?scope=all')).docs as Array<[string, string]>;
	}

	/** Documents with their attachments inline (base64). */
	async docs(ids: readonly string[]): Promise<Json[]> {
		const result = await this.#json('/api/sync/bulk_get', { docs: ids.map((id) => ({ id })) });
		const rows = result.results as Array<{ docs: Array<{ ok?: Json }> }>;
		return rows.flatMap((r) => r.docs.flatMap((d) => (d.ok ? [d.ok] : [])));
	}

	async doc(id: string): Promise<Json | null> {
		return (await this.docs([id]))[0] ?? null;
	}
}

/**
 * From a mission page: starts the report, ticks a task, finishes the time, signs as the
 * technician and hands over to the client (choosing the PIN the first time).
 */
export async function reachClientSigning(
	page: Page,
	task = 'Diagnostic de la panne'
): Promise<void> {
	// One tap starts the work (issue #13): the report opens with the clock running.
	await page.getByRole('button', { name: 'Commencer l’intervention' }).click();
	await expect(page.getByRole('heading', { name: 'Temps passé' })).toBeVisible();
	await expect(page.getByRole('button', { name: 'Commencer l’intervention' })).toHaveCount(0);
	const started = Date.now();
	await page.getByRole('checkbox', { name: task }).check();
	// A work period shorter than a second does not count.
	await page.waitForTimeout(Math.max(0, 1500 - (Date.now() - started)));
	await page.getByRole('button', { name: 'Terminer' }).click();
	await drawSignature(page, page.getByLabel(/Zone de signature/));
	await page.getByRole('button', { name: 'Valider la signature' }).click();
	await page.getByRole('button', { name: 'Faire signer le client' }).click();
	await page.getByLabel('Code PIN', { exact: true }).fill(PIN);
	await page.getByLabel('Confirmez le code PIN').fill(PIN);
	await page.getByRole('button', { name: 'Enregistrer le code et continuer' }).click();
	await expect(page.getByRole('dialog', { name: 'Signature du client' })).toBeVisible();
}
