// A small seeded PRNG (mulberry32) and the helpers the generator draws with.
// Each part of the generator takes its own stream (`fork`), so adding a draw in one
// part never shifts what another part produces for the same seed.

export interface Rng {
	/** Uniform float in [0, 1). */
	next(): number;
	/** Uniform integer in [min, max] (both included). */
	int(min: number, max: number): number;
	/** True with probability `p`. */
	chance(p: number): boolean;
	/** One element of a non-empty list. */
	pick<T>(list: readonly T[]): T;
	/** One element chosen with the given weights (same length as `list`). */
	weighted<T>(list: readonly T[], weights: readonly number[]): T;
	/** `n` distinct elements (or all of them when `n` ≥ length), in random order. */
	sample<T>(list: readonly T[], n: number): T[];
	/** An independent stream derived from this one's seed and `label`. */
	fork(label: string): Rng;
}

/** Seeded uniform numbers in [0, 1) (mulberry32). */
export function mulberry32(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** FNV-1a, to turn a label into 32 bits of seed. */
function hash32(text: string, basis = 0x811c9dc5): number {
	let h = basis >>> 0;
	for (let i = 0; i < text.length; i++) {
		h ^= text.charCodeAt(i);
		h = Math.imul(h, 0x01000193) >>> 0;
	}
	return h;
}

export function createRng(seed: number): Rng {
	const base = hash32(String(seed));
	const next = mulberry32(base);
	const rng: Rng = {
		next,
		int(min, max) {
			return min + Math.floor(next() * (max - min + 1));
		},
		chance(p) {
			return next() < p;
		},
		pick(list) {
			if (list.length === 0) throw new RangeError('pick() needs a non-empty list');
			return list[Math.floor(next() * list.length)] as (typeof list)[number];
		},
		weighted(list, weights) {
			const total = weights.reduce((s, w) => s + w, 0);
			let r = next() * total;
			for (let i = 0; i < list.length; i++) {
				r -= weights[i] ?? 0;
				if (r < 0) return list[i] as (typeof list)[number];
			}
			return rng.pick(list);
		},
		sample(list, n) {
			const copy = [...list];
			for (let i = copy.length - 1; i > 0; i--) {
				const j = Math.floor(next() * (i + 1));
				const tmp = copy[i] as (typeof copy)[number];
				copy[i] = copy[j] as (typeof copy)[number];
				copy[j] = tmp;
			}
			return copy.slice(0, Math.max(0, n));
		},
		fork(label) {
			return createRng(hash32(label, base));
		}
	};
	return rng;
}
