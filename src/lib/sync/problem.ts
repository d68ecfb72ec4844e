/** Why the last sync did not succeed, in terms the status can put in words. */
import { ApiError } from '../api/http.ts';

export type SyncProblem =
	| { readonly kind: 'unreachable' }
	| { readonly kind: 'session' }
	| { readonly kind: 'cap'; readonly message: string }
	| { readonly kind: 'server'; readonly status: number; readonly message: string }
	| { readonly kind: 'refused'; readonly count: number; readonly names: readonly string[] }
	| { readonly kind: 'storage'; readonly message: string }
	| { readonly kind: 'unknown'; readonly message: string };

interface ErrorLike {
	status?: unknown;
	name?: unknown;
	message?: unknown;
	reason?: unknown;
}

/** Turns what a pull, push or long-poll threw into a problem. */
export function problemOf(error: unknown): SyncProblem {
	if (error instanceof ApiError) {
		if (error.status === 0) return { kind: 'unreachable' };
		if (error.status === 401) return { kind: 'session' };
		if (error.code === 'doc_cap') return { kind: 'cap', message: error.message };
		return { kind: 'server', status: error.status, message: error.message };
	}
	const e = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike;
	const name = typeof e.name === 'string' ? e.name : '';
	const message = String(e.reason ?? e.message ?? error);
	const status = typeof e.status === 'number' ? e.status : 0;
	if (name === 'QuotaExceededError' || /quota/i.test(message)) return { kind: 'storage', message };
	// PouchDB's HTTP adapter: fetch failures surface as TypeError or status-less errors.
	if (name === 'TypeError' || /failed to fetch|network/i.test(message))
		return { kind: 'unreachable' };
	if (status === 401 || name === 'unauthorized') return { kind: 'session' };
	if (status >= 400) return { kind: 'server', status, message };
	return { kind: 'unknown', message };
}
