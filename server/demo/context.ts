// What every part of the generator shares: the clock the demo is built around, the
// random streams and the id maker.
import { newId, type DocType } from '../../src/lib/domain/ids.ts';
import { createRng, type Rng } from './rng.ts';
import { localDay } from './time.ts';

export interface DemoContext {
	readonly seed: number;
	readonly scale: number;
	/** The instant the demo is built around (ms); everything is relative to it. */
	readonly now: number;
	/** Local calendar day of `now` in the desk's time zone. */
	readonly today: number;
	/** A random stream per part of the generator, derived from the seed. */
	stream(label: string): Rng;
	/** A time-ordered document id, random part from the seed. */
	id(type: DocType, at: number): string;
}

export function createContext(seed: number, scale: number, now: Date): DemoContext {
	const root = createRng(seed);
	const idRng = root.fork('ids');
	const nowMs = now.getTime();
	if (Number.isNaN(nowMs)) throw new RangeError('generateDemo needs a valid `now`');
	return {
		seed,
		scale,
		now: nowMs,
		today: localDay(nowMs),
		stream: (label) => root.fork(label),
		id: (type, at) => newId(type, at, idRng.next)
	};
}
