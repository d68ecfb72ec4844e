import { describe, expect, it } from 'vitest';
import { ftsQuery, SearchIndex } from './index.ts';

const ticket = (id: string, rev: string, title: string, extra: Record<string, unknown> = {}) => ({
	_id: id,
	_rev: rev,
	type: 'ticket',
	title,
	description: 'Le bac deux se bloque',
	status: 'new',
	priority: 'P3',
	requester: { name: 'Marie Durand' },
	clientId: 'client:C1',
	createdAt: '2026-01-05T08:00:00.000Z',
	updatedAt: '2026-01-05T08:00:00.000Z',
	...extra
});

describe('SearchIndex', () => {
	it('finds by words (accents and case aside, prefixes) and by number, readable ones only', () => {
		const index = new SearchIndex();
		index.apply([
			{ _id: 'client:C1', _rev: '1-a', type: 'client', name: 'Orée & Associés' },
			ticket('ticket:A', '1-a', 'Imprimante bloquée', { number: 12 }),
			ticket('ticket:B', '1-a', 'Écran noir', { number: 13 })
		]);
		const all = () => true;
		expect(index.searchTickets({ q: 'IMPRIM' }, all).hits.map((h) => h.id)).toEqual(['ticket:A']);
		expect(index.searchTickets({ q: 'ecran' }, all).hits.map((h) => h.id)).toEqual(['ticket:B']);
		expect(index.searchTickets({ q: 'oree' }, all).total).toBe(2);
		expect(index.searchTickets({ q: '13' }, all).hits.map((h) => h.id)).toEqual(['ticket:B']);
		expect(index.searchTickets({ q: 'oree' }, (id) => id === 'ticket:B').total).toBe(1);
	});

	it('a page: the newest first, where the words matched, with the client’s name', () => {
		const index = new SearchIndex();
		index.apply([
			{ _id: 'client:C1', _rev: '1-a', type: 'client', name: 'Orée & Associés' },
			...Array.from({ length: 8 }, (_, i) =>
				ticket(`ticket:T${i}`, '1-a', `Poste ${i}`, {
					updatedAt: `2026-01-0${i + 1}T08:00:00.000Z`
				})
			)
		]);
		const page = index.searchTickets({ q: 'bac', limit: 3 }, (id) => id !== 'ticket:T7');
		expect(page.total).toBe(7);
		expect(page.hits.map((h) => h.id)).toEqual(['ticket:T6', 'ticket:T5', 'ticket:T4']);
		expect(page.hits[0]).toMatchObject({
			title: 'Poste 6',
			clientName: 'Orée & Associés',
			excerpt: 'Le [bac] deux se bloque'
		});
		const plain = index.searchTickets({ limit: 2 }, () => true);
		expect(plain.hits.map((h) => h.id)).toEqual(['ticket:T7', 'ticket:T6']);
		expect(plain.hits[0]?.excerpt).toBeNull();
	});

	it('keeps the newest revision whatever the order, and forgets a deleted ticket', () => {
		const index = new SearchIndex();
		index.apply([ticket('ticket:A', '3-c', 'Nouveau titre')]);
		index.apply([ticket('ticket:A', '2-b', 'Ancien titre')]);
		expect(index.searchTickets({ q: 'ancien' }, () => true).total).toBe(0);
		index.apply([{ _id: 'ticket:A', _rev: '4-d', _deleted: true }]);
		expect(index.ticketCount).toBe(0);
	});

	it('a malformed client or ticket is indexed as far as it goes, never a throw', () => {
		const index = new SearchIndex();
		expect(() =>
			index.apply([
				{ _id: 'client:X', _rev: '1-a', type: 'client', name: 5, sites: [null, 3], contacts: 'x' },
				{ _id: 'ticket:X', _rev: '1-a', type: 'ticket', title: ['?'], requester: null }
			])
		).not.toThrow();
		expect(index.ticketCount).toBe(1);
	});

	it('turns a query into required quoted prefixes, without FTS syntax from the user', () => {
		expect(ftsQuery('wifi "hall" NEAR(')).toBe('"wifi"* AND "hall"* AND "NEAR"*');
		expect(ftsQuery(' ,; ')).toBeNull();
	});
});
