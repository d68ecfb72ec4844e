import type { TicketRow } from '#lib/data/tickets.ts';

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

function isOpenStatus(status: TicketRow['status']): boolean {
	return status !== 'closed' && status !== 'cancelled' && status !== 'resolved';
}

const PRIORITY_RANK: Record<string, number> = { P1: 1, P2: 2, P3: 3, P4: 4, P5: 5 };

const COMPARE: Record<Sort, (a: TicketRow, b: TicketRow) => number> = {
	updated: (a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0),
	priority: (a, b) =>
		(PRIORITY_RANK[a.priority] ?? 9) - (PRIORITY_RANK[b.priority] ?? 9) || COMPARE.updated(a, b),
	due: (a, b) => (a.dueAt ?? '9').localeCompare(b.dueAt ?? '9'),
	number: (a, b) => (b.number ?? Infinity) - (a.number ?? Infinity),
	age: (a, b) => a.createdAt.localeCompare(b.createdAt)
};

/** Filters, sort, counts and saved views of the desk's ticket list. */
export class TicketListState {
	rows = $state.raw<TicketRow[] | null>(null);
	filters = $state<Filters>({ status: 'open' });
	sort = $state<Sort>('updated');
	query = $state('');
	views = $state.raw<SavedView[]>(readViews());
	now = Date.now();

	readonly shown = $derived.by(() => {
		if (!this.rows) return [];
		const q = this.query.trim().toLowerCase();
		const rows = this.rows.filter((r) => this.#matches(r, null) && (!q || r.haystack.includes(q)));
		return rows.sort(COMPARE[this.sort]);
	});

	/** For each dimension, how many rows each value would show given the other filters
	 * (plain Maps: rebuilt whole on each change, never mutated afterwards). */
	readonly counts = $derived.by(() => {
		const counts = Object.fromEntries(
			FILTER_KEYS.map((k) => [k, new Map<string, number>()]) // eslint-disable-line svelte/prefer-svelte-reactivity
		) as Record<FilterKey, Map<string, number>>;
		for (const row of this.rows ?? []) {
			for (const key of FILTER_KEYS) {
				if (!this.#matches(row, key)) continue;
				for (const value of valuesOf(row, key, this.now))
					counts[key].set(value, (counts[key].get(value) ?? 0) + 1);
			}
		}
		return counts;
	});

	#matches(row: TicketRow, except: FilterKey | null): boolean {
		for (const key of FILTER_KEYS) {
			const wanted = this.filters[key];
			if (!wanted || key === except) continue;
			if (!valuesOf(row, key, this.now).includes(wanted)) return false;
		}
		return true;
	}

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
