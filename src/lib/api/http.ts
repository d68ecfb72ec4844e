/** An API answer that is not 2xx, with the server's message meant for people. */
export class ApiError extends Error {
	readonly status: number;
	readonly code: string;
	/** The refusal's parameters (counts, limits) for the screen's own words; only plain values. */
	readonly params: Readonly<Record<string, string | number>>;
	constructor(
		status: number,
		code: string,
		message: string,
		params: Readonly<Record<string, string | number>> = {}
	) {
		super(message);
		this.status = status;
		this.code = code;
		this.params = params;
	}
}

/** The plain values of an answer's `params`; anything else is dropped. */
function plainParams(raw: unknown): Record<string, string | number> {
	const out: Record<string, string | number> = {};
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return out;
	for (const [key, value] of Object.entries(raw).slice(0, 20))
		if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'string')
			out[key] = typeof value === 'string' ? value.slice(0, 100) : value;
	return out;
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
		params?: unknown;
	} | null;
	if (!res.ok) {
		// Two shapes: `{ error: code, message }` and `{ error: { code, message } }`.
		const nested = typeof body?.error === 'object' ? body.error : null;
		const code = nested?.code ?? (typeof body?.error === 'string' ? body.error : 'error');
		throw new ApiError(
			res.status,
			code,
			nested?.message ?? body?.message ?? `Erreur ${res.status}`,
			plainParams(body?.params)
		);
	}
	return body as T;
}
