import type { NextFunction, Request, RequestHandler, Response } from 'express';
import * as v from 'valibot';
import { HttpError, messageOf, toHttpError } from '../errors.ts';

/** Wraps a handler so every failure takes the one error path. */
export function handle(fn: (req: Request, res: Response) => Promise<void>): RequestHandler {
	return (req, res, next) => {
		fn(req, res).catch(next);
	};
}

/**
 * Validates a request body with a schema.
 * @throws {HttpError} 400 naming the first wrong field.
 */
export function parseBody<S extends v.GenericSchema>(schema: S, body: unknown): v.InferOutput<S> {
	const result = v.safeParse(schema, body ?? {});
	if (!result.success) {
		const issue = result.issues[0];
		throw new HttpError(400, 'invalid_request', issue?.message ?? 'invalid request');
	}
	return result.output;
}

/** The one error path: a clear message and status for the client, the rest in the log. */
export function errorHandler(
	error: unknown,
	req: Request,
	res: Response,
	next: NextFunction
): void {
	void next;
	const bodyError = error as { type?: string; status?: number };
	const httpError =
		bodyError.type === 'entity.parse.failed'
			? new HttpError(400, 'invalid_json', 'Le corps de la requête n’est pas du JSON valide.')
			: bodyError.type === 'entity.too.large'
				? new HttpError(413, 'too_large', 'Requête trop volumineuse.')
				: toHttpError(error);
	if (httpError.status >= 500) console.error(`${req.method} ${req.path}: ${messageOf(error)}`);
	if (res.headersSent) return;
	res.status(httpError.status).json({
		error: httpError.code,
		message: httpError.message,
		...(httpError.params ? { params: httpError.params } : {})
	});
}
