import { api } from '../api/http.ts';

/** The server answers a long-poll within 25 s; past this the request is given up. */
export const LONG_POLL_ABORT_MS = 35_000;

export interface ChangesAnswer {
	readonly changed: boolean;
	readonly token: string;
}

/**
 * One long-poll: returns as soon as something this user may read changed on the server
 * (`changed: true`), or after the server's wait with `changed: false`.
 * @throws {ApiError} (status 0 offline) or the abort when `signal` fires.
 */
export function waitForChange(since: string | null, signal: AbortSignal): Promise<ChangesAnswer> {
	const query = since === null ? '' : `?since=${encodeURIComponent(since)}`;
	return api<ChangesAnswer>(`/api/sync/changes${query}`, {
		signal: AbortSignal.any([signal, AbortSignal.timeout(LONG_POLL_ABORT_MS)])
	});
}
