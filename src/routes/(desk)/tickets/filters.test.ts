import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TicketRow } from '#lib/data/tickets.ts';
import { fr, type MessageKey } from '#lib/i18n/messages.ts';
import {
	FILTER_KEYS,
	TicketListState,
	valueLabel,
	type FilterKey,
	type Filters,
	type ValueNames
} from './filters.svelte.ts';

const NOW = Date.parse('2026-11-25T12:00:00Z');
const DAY = 86_400_000;

const rowArb = fc.record({
	status: fc.constantFrom('new', 'assigned', 'pending', 'closed' as const),
	priority: fc.constantFrom('P1', 'P2', 'P3'),
	sla: fc.constantFrom('ok', 'at_risk', 'breached', 'none'),
	group: fc.constantFrom('', 'reseau', 'poste'),
	assignees: fc.subarray(['user:a', 'user:b']),
	clientName: fc.constantFrom('Alpha', 'Beta'),
	category: fc.constantFrom('', 'imprimante'),
	ageDays: fc.integer({ min: 0, max: 40 }),
	preTicket: fc.boolean()
});

type Spec = typeof rowArb extends fc.Arbitrary<infer T> ? T : never;

function toRows(specs: readonly Spec[]): TicketRow[] {
	return specs.map((s, i) => ({
		id: `ticket:${i}`,
		number: 10_000 + i,
		title: `Ticket ${i}`,
		status: s.status as TicketRow['status'],
		priority: s.priority as TicketRow['priority'],
		preTicket: s.preTicket && s.status === 'new',
		clientId: `client:${s.clientName}`,
		clientName: s.clientName,
		group: s.group,
		assignees: s.assignees,
		category: s.category,
		createdAt: new Date(NOW - s.ageDays * DAY - 1000).toISOString(),
		updatedAt: new Date(NOW - i * 60_000).toISOString(),
		sla: s.sla as TicketRow['sla'],
		dueAt: null,
		haystack: `${10_000 + i} ticket ${i} ${s.clientName}`.toLowerCase()
	}));
}

const filtersArb = fc.record(
	{
		status: fc.constantFrom('open', 'new', 'closed', 'pre_ticket'),
		priority: fc.constantFrom('P1', 'P2'),
		sla: fc.constantFrom('breached', 'ok'),
		assignee: fc.constantFrom('user:a', '—'),
		age: fc.constantFrom('1d', '7d', '30d')
	},
	{ requiredKeys: [] }
);

describe('desk list filters and counts', () => {
	it('shows the rows that pass every filter, and counts each value as if its own filter were off', () => {
		fc.assert(
			fc.property(fc.array(rowArb, { maxLength: 40 }), filtersArb, (specs, filters) => {
				const list = new TicketListState();
				list.now = NOW;
				list.rows = toRows(specs);
				list.filters = filters as Filters;
				// Metamorphic check: whether a row passes one filter alone is read off the list with
				// only that filter set; combining filters and counting must agree with it.
				const passes = (key: FilterKey, value: string): Set<string> => {
					list.filters = { [key]: value } as Filters;
					const ids = new Set(list.shown.map((r) => r.id));
					list.filters = filters as Filters;
					return ids;
				};
				const alone = new Map<string, Set<string>>();
				const passOf = (key: FilterKey, value: string) => {
					const k = `${key}=${value}`;
					if (!alone.has(k)) alone.set(k, passes(key, value));
					return alone.get(k)!;
				};
				const shownBy = (except: FilterKey | null) =>
					list.rows!.filter((row) =>
						FILTER_KEYS.every((key) => {
							const wanted = filters[key as keyof typeof filters];
							return !wanted || key === except || passOf(key, wanted).has(row.id);
						})
					);
				expect(list.shown.map((r) => r.id).sort()).toEqual(
					shownBy(null)
						.map((r) => r.id)
						.sort()
				);
				for (const key of FILTER_KEYS) {
					const base = shownBy(key);
					const covered = new Set<string>();
					for (const [value, count] of list.counts[key]) {
						const ids = passOf(key, value);
						expect(count, `${key}=${value}`).toBe(base.filter((r) => ids.has(r.id)).length);
						for (const id of ids) covered.add(id);
					}
					// Every row the other filters let through is counted under some value (but age:
					// a ticket younger than a day is in no age bucket).
					if (key !== 'age')
						for (const row of base) expect(covered.has(row.id), `${key}: ${row.id}`).toBe(true);
				}
			}),
			{ numRuns: 200 }
		);
	});

	it('sorts by priority, then by last update', () => {
		const list = new TicketListState();
		list.now = NOW;
		const spec = (
			priority: Spec['priority'],
			clientName: Spec['clientName'],
			ageDays: number
		): Spec => ({
			status: 'new',
			priority,
			sla: 'ok',
			group: '',
			assignees: [],
			clientName,
			category: '',
			ageDays,
			preTicket: false
		});
		list.rows = toRows([spec('P3', 'Alpha', 1), spec('P1', 'Alpha', 1), spec('P1', 'Beta', 2)]);
		list.sort = 'priority';
		expect(list.shown.map((r) => r.id)).toEqual(['ticket:1', 'ticket:2', 'ticket:0']);
		list.sort = 'age';
		expect(list.shown.map((r) => r.id)).toEqual(['ticket:2', 'ticket:0', 'ticket:1']);
	});
});

describe('filter values in words', () => {
	const t = (key: MessageKey) => fr[key];
	const names: ValueNames = {
		groups: [{ id: 'support-n2', label: 'Support niveau 2 (experts)' }],
		taxonomy: [
			{ id: 'imprimante', label: 'Imprimante', routingGroup: 'support-n2', subcategories: [] }
		],
		people: new Map([['user:tech.julien', 'Julien Moreau']])
	};

	it('names groups, categories and people, never their ids', () => {
		expect(valueLabel(t, 'group', 'support-n2', names)).toBe('Support niveau 2 (experts)');
		expect(valueLabel(t, 'category', 'imprimante', names)).toBe('Imprimante');
		expect(valueLabel(t, 'assignee', 'user:tech.julien', names)).toBe('Julien Moreau');
		expect(valueLabel(t, 'status', 'pre_ticket', names)).toBe('Pré-ticket');
		expect(valueLabel(t, 'group', '—', names)).toBe('—');
	});

	it('shows a login, not a user id, before the directory is read', () => {
		expect(valueLabel(t, 'assignee', 'user:tech.julien', null)).toBe('tech.julien');
	});
});
