/** An API answer that is not 2xx, with the server's message meant for people. */
export class ApiError extends Error {
	readonly status: number;
	readonly code: string;
	constructor(status: number, code: string, message: string) {
		super(message);
		this.status = status;
		this.code = code;
	}
}

/**
 * Calls the server's JSON API.
 * @throws {ApiError} with the server's message; status 0 when the network is down.
 */
export async function api<T>(
	path: string,
	init: { method?: string; body?: unknown; signal?: AbortSignal } = {}
): Promise<T> {
	let res: Response;
	try {
		res = await fetch(path, {
			method: init.method ?? 'GET',
			headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
			body: init.body === undefined ? null : JSON.stringify(init.body),
			credentials: 'same-origin',
			...(init.signal ? { signal: init.signal } : {})
		});
	} catch (error) {
		if (error instanceof DOMException && error.name === 'AbortError') throw error;
		throw new ApiError(0, 'offline', 'Serveur injoignable : vérifiez le réseau.');
	}
	const body = (await res.json().catch(() => null)) as {
		error?: string | { code?: string; message?: string };
		message?: string;
	} | null;
	if (!res.ok) {
		// Two shapes: `{ error: code, message }` and `{ error: { code, message } }`.
		const nested = typeof body?.error === 'object' ? body.error : null;
		const code = nested?.code ?? (typeof body?.error === 'string' ? body.error : 'error');
		throw new ApiError(
			res.status,
			code,
			nested?.message ?? body?.message ?? `Erreur ${res.status}`
		);
	}
	return body as T;
}
