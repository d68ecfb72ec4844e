/** A problem the operator must fix before the server can start: printed as one line, no stack. */
export class StartupError extends Error {
	override name = 'StartupError';
}

/** An error answered to the client with its status and a message meant for people. */
export class HttpError extends Error {
	override name = 'HttpError';
	readonly status: number;
	readonly code: string;
	/** What the screen needs to put the refusal in its own words (counts, limits). */
	readonly params: Readonly<Record<string, string | number>> | undefined;
	constructor(
		status: number,
		code: string,
		message: string,
		params?: Readonly<Record<string, string | number>>
	) {
		super(message);
		this.status = status;
		this.code = code;
		this.params = params;
	}
}

/** Turns anything thrown into an HttpError; unknown errors become a 500 with a generic message. */
export function toHttpError(error: unknown): HttpError {
	if (error instanceof HttpError) return error;
	const status = statusOf(error);
	if (status === 409) return new HttpError(409, 'conflict', 'Document en conflit, réessayez.');
	if (status === 404) return new HttpError(404, 'not_found', 'Introuvable.');
	return new HttpError(500, 'internal', 'Erreur interne du serveur.');
}

export function statusOf(error: unknown): number | undefined {
	if (typeof error !== 'object' || error === null) return undefined;
	const e = error as { statusCode?: unknown; status?: unknown };
	if (typeof e.statusCode === 'number') return e.statusCode;
	if (typeof e.status === 'number') return e.status;
	return undefined;
}

export function messageOf(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
