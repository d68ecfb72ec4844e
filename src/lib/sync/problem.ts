/**
 * Why the last sync did not succeed, as codes the status puts in words (i18n/sync-problem.ts).
 * No server or browser message is kept for the screen: they go to the run's log only.
 */
import { ApiError } from '../api/http.ts';
import type { Refusal } from '../domain/refusals.ts';
import type { DocName } from './describe.ts';

/** One document the server refused: what it is, and why (null: no reason this version knows). */
export interface RefusedDoc {
	readonly doc: DocName;
	readonly why: Refusal | null;
}

export type SyncProblem =
	| { readonly kind: 'unreachable' }
	| { readonly kind: 'session' }
	| {
			readonly kind: 'cap';
			/** The documents the user may hold, the device's limit and the role it comes from. */
			readonly count?: number;
			readonly cap?: number;
			readonly role?: string;
	  }
	| { readonly kind: 'server'; readonly status: number; readonly code: string }
	| { readonly kind: 'refused'; readonly count: number; readonly items: readonly RefusedDoc[] }
	| { readonly kind: 'storage' }
	| { readonly kind: 'unknown' };

interface ErrorLike {
	status?: unknown;
	name?: unknown;
	error?: unknown;
	message?: unknown;
	reason?: unknown;
}

/** Turns what a pull, push or long-poll threw into a problem. */
export function problemOf(error: unknown): SyncProblem {
	if (error instanceof ApiError) {
		if (error.status === 0) return { kind: 'unreachable' };
		if (error.status === 401) return { kind: 'session' };
		if (error.code === 'doc_cap') {
			const { count, cap, role } = error.params;
			return {
				kind: 'cap',
				...(typeof count === 'number' && typeof cap === 'number' ? { count, cap } : {}),
				...(typeof role === 'string' ? { role } : {})
			};
		}
		return { kind: 'server', status: error.status, code: error.code };
	}
	const e = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike;
	const name = typeof e.name === 'string' ? e.name : '';
	const message = String(e.reason ?? e.message ?? error);
	const status = typeof e.status === 'number' ? e.status : 0;
	if (name === 'QuotaExceededError' || /quota/i.test(message)) return { kind: 'storage' };
	// PouchDB's HTTP adapter: fetch failures surface as TypeError or status-less errors.
	if (name === 'TypeError' || /failed to fetch|network/i.test(message))
		return { kind: 'unreachable' };
	if (status === 401 || name === 'unauthorized') return { kind: 'session' };
	// PouchDB names an HTTP error after the server's `error` code (`sync_busy`, `too_large`…).
	const code = typeof e.error === 'string' ? e.error : name;
	if (status >= 400) return { kind: 'server', status, code };
	return { kind: 'unknown' };
}
