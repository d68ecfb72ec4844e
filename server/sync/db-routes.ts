/**
 * Push: just enough of CouchDB at `/api/sync/db` for PouchDB's replicator to push a device's
 * changes with the session cookie — database info, checkpoints (`_local`, kept per user in the
 * private database), `_revs_diff` and `_bulk_docs`. Everything else is refused: devices never
 * reach CouchDB itself. Answers are CouchDB-shaped (`{error, reason}`) since PouchDB reads them.
 */
import { createHash } from 'node:crypto';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { HttpError, messageOf, statusOf, toHttpError } from '../errors.ts';
import { requireUser } from '../http/auth.ts';
import type { AppContext } from '../http/context.ts';
import { handle } from '../http/handle.ts';
import { pushDocs } from './push.ts';
import { syncOf } from './service.ts';

/** PouchDB sends 100 documents a batch; attachments (photos, signatures) travel inline. */
export const PUSH_BODY_LIMIT = '64mb';
const PUSH_MAX_DOCS = 1000;
/** A replication checkpoint is a few hundred bytes (PouchDB keeps 5 sessions of history). */
export const CHECKPOINT_MAX_BYTES = 16 * 1024;
/** Checkpoints kept per user: one per local database that pushed; the oldest goes first. */
export const CHECKPOINTS_PER_USER = 50;

interface Checkpoint {
	_id: string;
	_rev?: string;
	type: 'checkpoint';
	user: string;
	local: string;
	version: number;
	/** Last written (ISO): the oldest is evicted beyond CHECKPOINTS_PER_USER. */
	at?: string;
	body: Record<string, unknown>;
}

export function syncDbRoutes(ctx: AppContext): Router {
	const router = Router();

	// PouchDB names a remote by the server's uuid (its replication ids, hence checkpoints, follow).
	router.get(['/api/sync', '/api/sync/'], (_req, res) => {
		const uuid = createHash('sha256').update(`terrain-sync:${ctx.config.dbName}`).digest('hex');
		res.json({ couchdb: 'Welcome', uuid: uuid.slice(0, 32), vendor: { name: 'Terrain' } });
	});

	const db = Router();
	db.use(express.json({ limit: PUSH_BODY_LIMIT }));

	db.get(
		'/',
		handle(async (req, res) => {
			await requireUser(ctx, req);
			res.json({ db_name: 'terrain', instance_start_time: '0', update_seq: '0' });
		})
	);

	db.get(
		'/_local/:id',
		handle(async (req, res) => {
			const user = await requireUser(ctx, req);
			const stored = await readCheckpoint(ctx, user.name, localId(req.params.id));
			if (!stored) throw new HttpError(404, 'not_found', 'missing');
			res.json({ ...stored.body, _id: `_local/${stored.local}`, _rev: `0-${stored.version}` });
		})
	);

	db.put(
		'/_local/:id',
		handle(async (req, res) => {
			const user = await requireUser(ctx, req);
			const local = localId(req.params.id);
			const body = req.body as Record<string, unknown> | undefined;
			if (typeof body !== 'object' || body === null || Array.isArray(body))
				throw new HttpError(400, 'bad_request', 'a checkpoint must be a JSON object');
			const stored = await readCheckpoint(ctx, user.name, local);
			const rev = stored ? `0-${stored.version}` : undefined;
			if (stored && body._rev !== rev)
				throw new HttpError(409, 'conflict', 'Document update conflict.');
			const { _id: _i, _rev: _r, ...rest } = body;
			const bytes = Buffer.byteLength(JSON.stringify(rest));
			if (bytes > CHECKPOINT_MAX_BYTES)
				throw new HttpError(
					413,
					'too_large',
					`a checkpoint is at most ${CHECKPOINT_MAX_BYTES} bytes (this one: ${bytes})`
				);
			if (!stored) await makeRoom(ctx, user.name);
			const next: Checkpoint = {
				_id: checkpointId(user.name, local),
				...(stored?._rev ? { _rev: stored._rev } : {}),
				type: 'checkpoint',
				user: user.name,
				local,
				version: (stored?.version ?? 0) + 1,
				at: ctx.now().toISOString(),
				body: rest
			};
			try {
				await ctx.couch.privateDb.insert(next as unknown as Record<string, unknown>);
			} catch (error) {
				if (statusOf(error) === 409)
					throw new HttpError(409, 'conflict', 'Document update conflict.');
				throw error;
			}
			res.status(201).json({ ok: true, id: `_local/${local}`, rev: `0-${next.version}` });
		})
	);

	db.post(
		'/_revs_diff',
		handle(async (req, res) => {
			await requireUser(ctx, req);
			const body = req.body as Record<string, unknown> | undefined;
			const valid =
				typeof body === 'object' &&
				body !== null &&
				!Array.isArray(body) &&
				Object.keys(body).length <= PUSH_MAX_DOCS &&
				Object.values(body).every(
					(revs) => Array.isArray(revs) && revs.every((r) => typeof r === 'string')
				);
			if (!valid)
				throw new HttpError(
					400,
					'bad_request',
					`expected {id: [revisions]} for at most ${PUSH_MAX_DOCS} documents`
				);
			const sync = syncOf(ctx);
			const diff = await sync.http.json<Record<string, { missing?: string[] }>>(
				`${sync.http.db}/_revs_diff`,
				{ body }
			);
			// Only what is missing: CouchDB's `possible_ancestors` would name revisions of
			// documents this user may not read.
			const answer: Record<string, { missing: string[] }> = {};
			for (const [id, entry] of Object.entries(diff)) answer[id] = { missing: entry.missing ?? [] };
			res.json(answer);
		})
	);

	db.post(
		'/_bulk_docs',
		handle(async (req, res) => {
			const user = await requireUser(ctx, req);
			const body = req.body as { docs?: unknown; new_edits?: unknown } | undefined;
			if (!body || !Array.isArray(body.docs))
				throw new HttpError(400, 'bad_request', 'expected {docs: [...], new_edits: false}');
			if (body.new_edits !== false)
				throw new HttpError(
					400,
					'bad_request',
					'new_edits must be false: push through replication'
				);
			if (body.docs.length > PUSH_MAX_DOCS)
				throw new HttpError(413, 'too_large', `at most ${PUSH_MAX_DOCS} documents per request`);
			const sync = syncOf(ctx);
			await sync.caughtUp();
			const limits = await sync.limits();
			const answers = await pushDocs(
				{
					couch: ctx.couch,
					http: sync.http,
					write: sync.write,
					model: () => sync.model,
					now: ctx.now
				},
				user,
				body.docs,
				limits
			);
			const deletions = new Set(
				body.docs.flatMap((d) => {
					const doc = d as { _id?: unknown; _rev?: unknown; _deleted?: unknown } | null;
					return doc?._deleted === true ? [`${String(doc._id)} ${String(doc._rev)}`] : [];
				})
			);
			for (const a of answers) {
				if ('ok' in a && a.rev) sync.noteWritten(a.id, a.rev, deletions.has(`${a.id} ${a.rev}`));
			}
			const refused = answers.flatMap((a) =>
				'error' in a ? [{ id: a.id, reason: a.reason }] : []
			);
			await sync.health.refused(user.name, refused, ctx.now());
			res.status(201).json(answers);
		})
	);

	db.all('/{*rest}', (req, _res, next) => {
		next(new HttpError(403, 'forbidden', `${req.method} ${req.path} is not open to devices`));
	});
	db.use(couchErrors);

	router.use('/api/sync/db', db);
	return router;
}

/** @throws {HttpError} 400 for an id no replicator would use. */
function localId(raw: unknown): string {
	const id = String(raw);
	if (id.length === 0 || id.length > 200)
		throw new HttpError(400, 'bad_request', 'a checkpoint id has 1 to 200 characters');
	return id;
}

/** Before a new checkpoint: removes the user's oldest ones beyond CHECKPOINTS_PER_USER - 1. */
async function makeRoom(ctx: AppContext, user: string): Promise<void> {
	const prefix = checkpointId(user, '');
	const { rows } = await ctx.couch.privateDb.list({
		startkey: prefix,
		endkey: `${prefix}\ufff0`,
		include_docs: true
	});
	const excess = rows.length - (CHECKPOINTS_PER_USER - 1);
	if (excess <= 0) return;
	const oldest = rows
		.flatMap((row) => (row.doc ? [row.doc as unknown as Checkpoint] : []))
		.sort((a, b) => ((a.at ?? '') < (b.at ?? '') ? -1 : (a.at ?? '') > (b.at ?? '') ? 1 : 0))
		.slice(0, excess);
	await ctx.couch.privateDb.bulk({
		docs: oldest.map((c) => ({ _id: c._id, _rev: c._rev, _deleted: true }))
	});
}

function checkpointId(user: string, local: string): string {
	return `checkpoint:${user}:${local}`;
}

async function readCheckpoint(
	ctx: AppContext,
	user: string,
	local: string
): Promise<Checkpoint | null> {
	try {
		return (await ctx.couch.privateDb.get(checkpointId(user, local))) as unknown as Checkpoint;
	} catch (error) {
		if (statusOf(error) === 404) return null;
		throw error;
	}
}

function couchErrors(error: unknown, req: Request, res: Response, next: NextFunction): void {
	void next;
	const parse = error as { type?: string };
	const http =
		parse.type === 'entity.parse.failed'
			? new HttpError(400, 'bad_request', 'invalid JSON')
			: parse.type === 'entity.too.large'
				? new HttpError(413, 'too_large', `request larger than ${PUSH_BODY_LIMIT}`)
				: toHttpError(error);
	if (http.status >= 500) console.error(`${req.method} ${req.originalUrl}: ${messageOf(error)}`);
	if (res.headersSent) return;
	const code = http.status === 401 ? 'unauthorized' : http.code;
	res.status(http.status).json({ error: code, reason: http.message, message: http.message });
}
