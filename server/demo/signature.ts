// Signature images for the demo reports: deterministic handwriting-like strokes,
// encoded as the transparent PNG signature_pad would produce, so a demo report
// carries real images and its hash can be verified like any other.
import { crc32, deflateSync } from 'node:zlib';
import { createRng } from './rng.ts';

const WIDTH = 240;
const HEIGHT = 80;
const INK = 0x1b;

function chunk(type: string, data: Uint8Array): Uint8Array {
	const out = new Uint8Array(12 + data.length);
	const view = new DataView(out.buffer);
	view.setUint32(0, data.length);
	const typeBytes = new TextEncoder().encode(type);
	out.set(typeBytes, 4);
	out.set(data, 8);
	view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
	return out;
}

function encodePng(alpha: Uint8Array): Uint8Array {
	// Grey + alpha, 8 bits each; every row starts with filter byte 0 (none).
	const raw = new Uint8Array(HEIGHT * (1 + WIDTH * 2));
	for (let y = 0; y < HEIGHT; y++) {
		const row = y * (1 + WIDTH * 2);
		for (let x = 0; x < WIDTH; x++) {
			raw[row + 1 + x * 2] = INK;
			raw[row + 2 + x * 2] = alpha[y * WIDTH + x] ?? 0;
		}
	}
	const header = new Uint8Array(13);
	const hv = new DataView(header.buffer);
	hv.setUint32(0, WIDTH);
	hv.setUint32(4, HEIGHT);
	header.set([8, 4, 0, 0, 0], 8);
	const parts: Uint8Array[] = [
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

function stamp(alpha: Uint8Array, cx: number, cy: number, radius: number): void {
	for (let y = Math.floor(cy - radius); y <= Math.ceil(cy + radius); y++) {
		for (let x = Math.floor(cx - radius); x <= Math.ceil(cx + radius); x++) {
			if (x < 0 || y < 0 || x >= WIDTH || y >= HEIGHT) continue;
			const d = Math.hypot(x - cx, y - cy);
			if (d <= radius) alpha[y * WIDTH + x] = 255;
		}
	}
}

/** Distinct handwritings drawn; signers share them, which keeps large scales cheap. */
export const SIGNATURE_STYLES = 64;

/** The handwriting of `signer`: the same name always gets the same one. */
export function signatureStyle(signer: string): number {
	let h = 0;
	for (let i = 0; i < signer.length; i++) h = (Math.imul(h, 31) + signer.charCodeAt(i)) >>> 0;
	return h % SIGNATURE_STYLES;
}

/** A PNG signature drawn in handwriting `style` (0 ≤ style < SIGNATURE_STYLES). */
export function signatureImage(style: number): Uint8Array {
	const rng = createRng(0).fork(`signature:${style}`);
	const length = 6 + (style % 13);
	const alpha = new Uint8Array(WIDTH * HEIGHT);
	const loops = 3 + Math.min(6, Math.floor(length / 3));
	const amp = rng.int(12, 22);
	const freq = (loops * Math.PI * 2) / (WIDTH - 60);
	const phase = rng.next() * Math.PI;
	const slant = rng.int(4, 12);
	const swell = rng.next() * Math.PI;
	for (let i = 0; i <= 1200; i++) {
		const t = i / 1200;
		const x = 20 + t * (WIDTH - 60);
		const wobble =
			Math.sin(x * freq + phase) *
			amp *
			(0.75 + 0.35 * Math.sin(x * 0.043 + swell)) *
			(1 - 0.4 * t);
		const loop = Math.cos(x * freq * 2 + phase) * slant;
		stamp(alpha, x + loop, HEIGHT / 2 + wobble, 1.4);
	}
	// The final flourish under the name.
	for (let i = 0; i <= 300; i++) {
		const t = i / 300;
		stamp(alpha, 30 + t * (WIDTH - 50), HEIGHT - 14 - Math.sin(t * Math.PI) * rng.int(2, 3), 1.1);
	}
	return encodePng(alpha);
}
