/**
 * The desk's reach beyond its working set (issue #15): search every ticket through the server,
 * and open one that is not on the device (the server then keeps it there for a while).
 */
import { api, ApiError } from '../api/http.ts';

/** The list's filters, by dimension (`routes/(desk)/tickets/filters.svelte.ts`). */
type Filters = Readonly<Partial<Record<string, string>>>;

export interface ServerTicketHit {
	readonly id: string;
	readonly number: number | null;
	readonly title: string;
	readonly status: string;
	readonly priority: string;
	readonly clientId: string | null;
	readonly clientName: string;
	readonly requester: string;
	readonly group: string | null;
	readonly category: string | null;
	readonly createdAt: string;
	readonly updatedAt: string;
	readonly endedAt: string | null;
	/** Matched words between `[` and `]`. */
	readonly excerpt: string | null;
}

export interface ServerSearch {
	readonly hits: readonly ServerTicketHit[];
	readonly total: number;
	readonly complete: boolean;
	readonly ms: number;
}

/** The list's filters the server applies too (SLA, assignee and age stay on the device). */
export function serverQuery(
	q: string,
	filters: Filters,
	clientIdOf: (name: string) => string | undefined
): URLSearchParams {
	const qs = new URLSearchParams();
	if (q.trim()) qs.set('q', q.trim());
	const status = filters.status;
	if (status && status !== 'pre_ticket') qs.set('status', status);
	if (filters.priority) qs.set('priority', filters.priority);
	if (filters.group && filters.group !== '—') qs.set('group', filters.group);
	if (filters.category && filters.category !== '—') qs.set('category', filters.category);
	const clientId = filters.client ? clientIdOf(filters.client) : undefined;
	if (clientId) qs.set('client', clientId);
	qs.set('limit', '30');
	return qs;
}

export function searchServer(qs: URLSearchParams, signal?: AbortSignal): Promise<ServerSearch> {
	return api<ServerSearch>(`/api/desk/search?${qs}`, signal ? { signal } : {});
}

/** Text with `[matched]` parts, as pieces to render (never as HTML). */
export function excerptParts(excerpt: string): Array<{ text: string; hit: boolean }> {
	const parts: Array<{ text: string; hit: boolean }> = [];
	for (const piece of excerpt.split(/(\[[^\]]*\])/)) {
		if (piece === '') continue;
		const hit = piece.startsWith('[') && piece.endsWith(']');
		parts.push({ text: hit ? piece.slice(1, -1) : piece, hit });
	}
	return parts;
}

export type OpenOutcome = 'opened' | 'not_found' | 'offline';

/**
 * Asks the server to keep a document on this device (an old ticket, say); the next sync brings
 * it with its timeline. 'offline' when the server cannot be reached.
 */
export async function openOnServer(id: string): Promise<OpenOutcome> {
	try {
		await api('/api/desk/open', { method: 'POST', body: { id } });
		return 'opened';
	} catch (error) {
		if (error instanceof ApiError && error.status === 0) return 'offline';
		if (error instanceof ApiError && (error.status === 404 || error.status === 400))
			return 'not_found';
		throw error;
	}
}
