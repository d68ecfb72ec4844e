import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
	createIdFactory,
	derivedId,
	idSuffix,
	isId,
	newId,
	techfileIdFor,
	timeOf,
	toIso,
	typeOf,
	userIdFor
} from './ids.ts';

const seeded = (seed: number) => {
	let s = seed >>> 0;
	return () => {
		s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
		return s / 2 ** 32;
	};
};

describe('newId', () => {
	it('prefixes the type and encodes the time as a ULID does (checked against an independent base-32 encoding)', () => {
		const id = newId('ticket', '2025-03-03T09:00:00.000Z', () => 0);
		expect(id).toBe('ticket:01JNDKQJM00000000000000000');
		expect(typeOf(id)).toBe('ticket');
		expect(timeOf(id)).toBe(Date.parse('2025-03-03T09:00:00.000Z'));
		expect(isId(id, 'ticket')).toBe(true);
	});

	it('uses WebCrypto when no randomness is injected', () => {
		const a = newId('event', 0);
		const b = newId('event', 0);
		expect(a).not.toBe(b);
		expect(isId(a, 'event')).toBe(true);
	});

	it('refuses an instant it cannot encode', () => {
		expect(() => newId('ticket', 'not a date')).toThrow(RangeError);
		expect(() => newId('ticket', -1)).toThrow(RangeError);
	});

	it('sorts by creation time as plain strings (property)', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: 0, max: 2 ** 45 }),
				fc.integer({ min: 0, max: 2 ** 45 }),
				fc.integer(),
				(t1, t2, seed) => {
					fc.pre(t1 !== t2);
					const random = seeded(seed);
					const a = newId('ticket', t1, random);
					const b = newId('ticket', t2, random);
					expect(a < b).toBe(t1 < t2);
				}
			)
		);
	});

	it('does not collide across many ids made in the same millisecond (property)', () => {
		fc.assert(
			fc.property(fc.integer(), (seed) => {
				const random = seeded(seed);
				const ids = Array.from({ length: 500 }, () => newId('event', 1_700_000_000_000, random));
				expect(new Set(ids).size).toBe(ids.length);
			}),
			{ numRuns: 20 }
		);
	});
});

describe('createIdFactory', () => {
	it('keeps ids strictly increasing within a millisecond and when the clock steps back', () => {
		const next = createIdFactory(seeded(7));
		const times = [5000, 5000, 5000, 4000, 6000, 6000];
		const ids = times.map((t) => next('event', t));
		expect([...ids].sort()).toEqual(ids);
		expect(new Set(ids).size).toBe(ids.length);
		expect(timeOf(ids[3] ?? '')).toBe(5000);
	});

	it('carries over when the random part is at its maximum', () => {
		const next = createIdFactory(() => 0.999999);
		const a = next('event', 10);
		const b = next('event', 10);
		expect(a.endsWith('ZZZZZZZZZZZZZZZZ')).toBe(true);
		expect(b).not.toBe(a);
	});

	it('is monotonic for any sequence of instants (property)', () => {
		fc.assert(
			fc.property(
				fc.array(fc.integer({ min: 0, max: 2 ** 40 }), { minLength: 1, maxLength: 60 }),
				fc.integer(),
				(times, seed) => {
					const next = createIdFactory(seeded(seed));
					const ids = times.map((t) => next('event', t));
					for (let i = 1; i < ids.length; i++)
						expect((ids[i - 1] ?? '') < (ids[i] ?? '')).toBe(true);
				}
			)
		);
	});
});

describe('id helpers', () => {
	it('tells the type of an id, or null', () => {
		expect(typeOf('client:abc')).toBe('client');
		expect(typeOf('foo:abc')).toBeNull();
		expect(typeOf('noprefix')).toBeNull();
		expect(typeOf(':x')).toBeNull();
	});

	it('checks ids', () => {
		expect(isId('user:jdupont')).toBe(true);
		expect(isId('user:jdupont', 'client')).toBe(false);
		expect(isId('user:')).toBe(false);
		expect(isId('user:a b')).toBe(false);
		expect(isId(42)).toBe(false);
	});

	it('gives derived ids', () => {
		expect(idSuffix('client:C1')).toBe('C1');
		expect(idSuffix('plain')).toBe('plain');
		expect(techfileIdFor('client:C1')).toBe('techfile:C1');
		expect(userIdFor('theo')).toBe('user:theo');
		expect(timeOf('user:theo')).toBeNull();
		expect(toIso(0)).toBe('1970-01-01T00:00:00.000Z');
		expect(toIso(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
	});

	it('derives the same id from the same seed and different ids from different seeds', () => {
		const a = derivedId('event', 1000, 'seed');
		expect(derivedId('event', 1000, 'seed')).toBe(a);
		expect(derivedId('event', 1000, 'seed2')).not.toBe(a);
		expect(isId(a, 'event')).toBe(true);
		expect(timeOf(a)).toBe(1000);
	});
});
