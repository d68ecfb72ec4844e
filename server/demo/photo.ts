// Photos for the demo reports: small deterministic RGB pictures of an equipment rack, encoded
// as PNG, so the desk's thumbnails and the report PDF have a real image to show. A few styles
// are shared by all reports, which keeps large scales cheap.
import { crc32, deflateSync } from 'node:zlib';

const WIDTH = 160;
const HEIGHT = 120;

/** Distinct pictures drawn. */
export const PHOTO_STYLES = 6;

function chunk(type: string, data: Uint8Array): Uint8Array {
	const out = new Uint8Array(12 + data.length);
	const view = new DataView(out.buffer);
	view.setUint32(0, data.length);
	out.set(new TextEncoder().encode(type), 4);
	out.set(data, 8);
	view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
	return out;
}

function encodeRgb(rgb: Uint8Array): Uint8Array {
	const raw = new Uint8Array(HEIGHT * (1 + WIDTH * 3));
	for (let y = 0; y < HEIGHT; y++)
		raw.set(rgb.subarray(y * WIDTH * 3, (y + 1) * WIDTH * 3), y * (1 + WIDTH * 3) + 1);
	const header = new Uint8Array(13);
	const hv = new DataView(header.buffer);
	hv.setUint32(0, WIDTH);
	hv.setUint32(4, HEIGHT);
	header.set([8, 2, 0, 0, 0], 8); // 8 bits, truecolour
	const parts = [
		new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', header),
		chunk('IDAT', new Uint8Array(deflateSync(raw))),
		chunk('IEND', new Uint8Array(0))
	];
	const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
	let at = 0;
	for (const p of parts) {
		out.set(p, at);
		at += p.length;
	}
	return out;
}

function fill(
	rgb: Uint8Array,
	x0: number,
	y0: number,
	w: number,
	h: number,
	colour: readonly number[]
): void {
	for (let y = Math.max(0, y0); y < Math.min(HEIGHT, y0 + h); y++)
		for (let x = Math.max(0, x0); x < Math.min(WIDTH, x0 + w); x++)
			rgb.set(colour, (y * WIDTH + x) * 3);
}

const WALLS = [
	[206, 214, 220],
	[224, 216, 200],
	[200, 210, 196]
] as const;
const LEDS = [
	[40, 200, 80],
	[240, 170, 30],
	[60, 140, 240]
] as const;

/** A PNG picture of a rack of `style` (0 ≤ style < PHOTO_STYLES): wall, cabinet, units, LEDs. */
export function photoImage(style: number): Uint8Array {
	const rgb = new Uint8Array(WIDTH * HEIGHT * 3);
	fill(rgb, 0, 0, WIDTH, HEIGHT, WALLS[style % WALLS.length] ?? WALLS[0]);
	fill(rgb, 0, 100, WIDTH, 20, [150, 140, 130]); // floor
	fill(rgb, 40, 12, 80, 96, [38, 42, 48]); // cabinet
	const units = 3 + (style % 4);
	for (let u = 0; u < units; u++) {
		const y = 18 + u * 14;
		fill(rgb, 46, y, 68, 10, [70, 76, 86]);
		for (let l = 0; l < 4; l++)
			fill(rgb, 50 + l * 8, y + 4, 3, 3, LEDS[(u + l + style) % LEDS.length] ?? LEDS[0]);
	}
	return encodeRgb(rgb);
}

/** The attachment name of a report's n-th photo (from 1), as the phone names them. */
export function photoName(n: number): string {
	return `photo-${String(n).padStart(2, '0')}.png`;
}
