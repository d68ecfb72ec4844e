/**
 * The one success-or-failure shape of the domain. Rules return it instead of throwing, so
 * a refusal is an ordinary value the UI can show and the server can send back per document.
 */
export type Result<T, E = string> =
	{ readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export function ok<T>(value: T): Result<T, never> {
	return { ok: true, value };
}

export function err<E>(error: E): Result<never, E> {
	return { ok: false, error };
}
