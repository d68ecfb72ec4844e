import { groupLabel } from '#lib/data/config.ts';
import type { TicketRow } from '#lib/data/tickets.ts';
import type { Group, Taxonomy } from '#lib/domain/schemas.ts';
import { classificationLabel } from '#lib/domain/taxonomy.ts';
import type { Translate } from '#lib/i18n/labels.ts';
import type { MessageKey } from '#lib/i18n/messages.ts';

export const FILTER_KEYS = [
	'status',
	'priority',
	'sla',
	'group',
	'assignee',
	'client',
	'category',
	'age'
] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type Filters = Partial<Record<FilterKey, string>>;
export const SORTS = ['updated', 'priority', 'due', 'number', 'age'] as const;
export type Sort = (typeof SORTS)[number];

export interface SavedView {
	readonly name: string;
	readonly filters: Filters;
	readonly sort: Sort;
}

const AGE_DAYS: Record<string, number> = { '1d': 1, '7d': 7, '30d': 30 };
const DAY_MS = 86_400_000;
const VIEWS_KEY = 'terrain.ticket-views';

/** The value(s) a row has for a filter dimension. */
function valuesOf(row: TicketRow, key: FilterKey, now: number): readonly string[] {
	switch (key) {
		case 'status':
			return [
				row.preTicket ? 'pre_ticket' : row.status,
				...(isOpenStatus(row.status) ? ['open'] : [])
			];
		case 'priority':
			return [row.priority];
		case 'sla':
			return [row.sla];
		case 'group':
			return [row.group || '—'];
		case 'assignee':
			return row.assignees.length ? row.assignees : ['—'];
		case 'client':
			return [row.clientName || '—'];
		case 'category':
			return [row.category || '—'];
		case 'age': {
			const days = (now - Date.parse(row.createdAt)) / DAY_MS;
			return Object.entries(AGE_DAYS)
				.filter(([, d]) => days > d)
				.map(([k]) => k);
		}
	}
}

/** What names the list's values for people: the referentials and the directory on the device. */
export interface ValueNames {
	readonly groups: readonly Group[];
	readonly taxonomy: Taxonomy;
	/** Display names by user id. */
	readonly people: ReadonlyMap<string, string>;
}

/**
 * A filter value in words: statuses and SLA states from the messages, groups and categories by
 * their referential names, people by their names. A code shows only when nothing names it (a
 * referential not synced yet), and a person's login then, never `user:…`.
 */
export function valueLabel(
	t: Translate,
	key: FilterKey,
	value: string,
	names: ValueNames | null
): string {
	if (value === '—') return value;
	switch (key) {
		case 'status':
			return t(
				value === 'open'
					? 'filter.open'
					: value === 'pre_ticket'
						? 'filter.preTicket'
						: (`status.${value}` as MessageKey)
			);
		case 'sla':
			return t(`sla.${value}` as MessageKey);
		case 'age':
			return t(`filter.age.${value}` as MessageKey);
		case 'group':
			return names ? groupLabel(names.groups, value) : value;
		case 'category':
			return names ? classificationLabel(names.taxonomy, value) : value;
		case 'assignee':
			return names?.people.get(value) ?? value.replace(/^user:/, '');
		default:
			return value;
	}
}

function isOpenStatus(status: TicketRow['status']): boolean {
	return status !== 'closed' && status !== 'cancelled' && status !== 'resolved';
}

const PRIORITY_RANK: Record<string, number> = { P1: 1, P2: 2, P3: 3, P4: 4, P5: 5 };

/** Plain code-unit order: ISO dates sort as text, and far faster than localeCompare. */
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const COMPARE: Record<Sort, (a: TicketRow, b: TicketRow) => number> = {
	updated: (a, b) => byText(b.updatedAt, a.updatedAt),
	priority: (a, b) =>
		(PRIORITY_RANK[a.priority] ?? 9) - (PRIORITY_RANK[b.priority] ?? 9) || COMPARE.updated(a, b),
	due: (a, b) => byText(a.dueAt ?? '9', b.dueAt ?? '9'),
	number: (a, b) => (b.number ?? Infinity) - (a.number ?? Infinity),
	age: (a, b) => byText(a.createdAt, b.createdAt)
};

/** A row with its value(s) for every filter dimension, computed once per list. */
export interface Indexed {
	readonly row: TicketRow;
	readonly values: ReadonlyArray<readonly string[]>;
}

/** A row and the filters it fails: how many, and the first (0, 1 or more matter). */
export interface Miss {
	readonly entry: Indexed;
	readonly missed: number;
	readonly first: number;
}

export type Counts = Record<FilterKey, Map<string, number>>;

// The list's steps as plain functions: the state below chains them with $derived, so a change
// recomputes only what depends on it (bench:desk times them at 10,000 tickets).

/** The device's index of the list: each row's values per dimension, once per list. */
export function indexRows(rows: readonly TicketRow[], now: number): Indexed[] {
	return rows.map((row) => ({ row, values: FILTER_KEYS.map((key) => valuesOf(row, key, now)) }));
}

/** Which filters each row fails, once per change of filters. */
export function missesOf(index: readonly Indexed[], filters: Filters): Miss[] {
	const wanted = FILTER_KEYS.map((key) => filters[key]);
	return index.map((entry) => {
		let missed = 0;
		let first = -1;
		for (let k = 0; k < wanted.length; k++) {
			const w = wanted[k];
			if (w && !entry.values[k]!.includes(w)) {
				missed++;
				if (first < 0) first = k;
			}
		}
		return { entry, missed, first };
	});
}

/** The rows that pass every filter and contain the search text, sorted. */
export function shownOf(misses: readonly Miss[], query: string, sort: Sort): TicketRow[] {
	const q = query.trim().toLowerCase();
	const rows: TicketRow[] = [];
	for (const { entry, missed } of misses)
		if (missed === 0 && (!q || entry.row.haystack.includes(q))) rows.push(entry.row);
	return rows.sort(COMPARE[sort]);
}

/**
 * For each dimension, how many rows each value would show given the other filters. A row that
 * passes every filter counts in every dimension; one that fails a single filter counts only in
 * that filter's dimension (where that filter is set aside).
 */
export function countsOf(misses: readonly Miss[]): Counts {
	// Plain Maps, built whole here and never mutated afterwards: nothing to make reactive.
	const counts = FILTER_KEYS.map(() => new Map<string, number>()); // eslint-disable-line svelte/prefer-svelte-reactivity
	const add = (k: number, values: readonly string[]) => {
		const map = counts[k]!;
		for (const value of values) map.set(value, (map.get(value) ?? 0) + 1);
	};
	for (const { entry, missed, first } of misses) {
		if (missed === 0) entry.values.forEach((values, k) => add(k, values));
		else if (missed === 1) add(first, entry.values[first]!);
	}
	return Object.fromEntries(FILTER_KEYS.map((key, k) => [key, counts[k]!])) as Counts;
}

/** Filters, sort, counts and saved views of the desk's ticket list. */
export class TicketListState {
	rows = $state.raw<TicketRow[] | null>(null);
	filters = $state<Filters>({ status: 'open' });
	sort = $state<Sort>('updated');
	query = $state('');
	views = $state.raw<SavedView[]>(readViews());
	now = Date.now();

	readonly #index = $derived(indexRows(this.rows ?? [], this.now));
	readonly #misses = $derived(missesOf(this.#index, this.filters));
	readonly shown = $derived(this.rows ? shownOf(this.#misses, this.query, this.sort) : []);
	/** Plain Maps: rebuilt whole on each change, never mutated afterwards. */
	readonly counts = $derived(countsOf(this.#misses));

	setFilter(key: FilterKey, value: string): void {
		this.filters = { ...this.filters, [key]: value || undefined };
	}

	clear(): void {
		this.filters = {};
		this.query = '';
	}

	saveView(name: string): void {
		const view: SavedView = { name, filters: { ...this.filters }, sort: this.sort };
		this.views = [...this.views.filter((v) => v.name !== name), view];
		writeViews(this.views);
	}

	applyView(view: SavedView): void {
		this.filters = { ...view.filters };
		this.sort = view.sort;
	}

	deleteView(name: string): void {
		this.views = this.views.filter((v) => v.name !== name);
		writeViews(this.views);
	}
}

function readViews(): SavedView[] {
	try {
		return JSON.parse(localStorage.getItem(VIEWS_KEY) ?? '[]') as SavedView[];
	} catch {
		return [];
	}
}

function writeViews(views: SavedView[]): void {
	try {
		localStorage.setItem(VIEWS_KEY, JSON.stringify(views));
	} catch {
		// Storage unavailable: views last for this visit.
	}
}
