/**
 * Pull and live, as devices call them (see CONTRACT.md), and the admin's sync health. Each
 * handler is short: who is asking, then one call into the sync service.
 */
import { Router, type Request, type Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as v from 'valibot';
import { docCapFor } from '#lib/domain/doc-cap.ts';
import { HttpError, toHttpError } from '../errors.ts';
import { noStore, requireRole, requireUser } from '../http/auth.ts';
import type { AppContext } from '../http/context.ts';
import { handle, parseBody } from '../http/handle.ts';
import type { Profile } from '../auth/users.ts';
import { userHolds, workingSetDaysFor } from '#lib/domain/working-set.ts';
import { decodeToken, encodeToken } from './live.ts';
import type { WorkingSetFilter } from './model.ts';
import { pinnedIds } from './pins.ts';
import { syncOf, type SyncService } from './service.ts';

export const BULK_GET_MAX = 500;
/** Ids a manifest request may name as the device's own writes (src/lib/sync/plan.ts). */
export const MANIFEST_WRITTEN_MAX = 1000;
/** How long a manifest waits at most for the device's own writes to reach the model. */
const WRITTEN_WAIT_MS = 3_000;

const ManifestBody = v.object({
	written: v.pipe(
		v.array(
			v.pipe(
				v.string('written: ids'),
				v.minLength(1, 'written: an id is required'),
				v.maxLength(200, 'written: an id has at most 200 characters')
			),
			'written: a list of document ids'
		),
		v.maxLength(MANIFEST_WRITTEN_MAX, `written: at most ${MANIFEST_WRITTEN_MAX} ids`)
	)
});
export const LONG_POLL_MAX_MS = 25_000;

const BulkGet = v.object({
	docs: v.pipe(
		v.array(
			v.object({
				id: v.pipe(v.string(), v.minLength(1, 'docs: an id is required'), v.maxLength(200)),
				rev: v.optional(v.pipe(v.string(), v.maxLength(100)))
			}),
			'docs: a list of {id, rev}'
		),
		v.minLength(1, 'docs: at least one document'),
		v.maxLength(BULK_GET_MAX, `docs: at most ${BULK_GET_MAX} documents per request`)
	)
});

/** The log's and the API's words; screens use the code and its params (`sync.cap`). */
export function capMessage(count: number, cap: number): string {
	return `Trop de documents pour cet appareil : ${count} pour une limite de ${cap}. La synchronisation est arrêtée ; l’administrateur peut relever la limite du rôle (Administration, Accès) ou réduire vos accès.`;
}

export function syncRoutes(ctx: AppContext): Router {
	const router = Router();

	/**
	 * Pull, step 1: which documents, at which revisions, this user may hold now. A POST names
	 * the documents the device pushed that no manifest listed yet (`written`): the answer waits
	 * a little for the model to hold them (they may have gone through another instance, or a
	 * cluster copy this one reads may lag), so they are not taken off the device as revoked.
	 * The wait is bounded and only delays this device; the list changes nothing else.
	 */
	const manifest = async (req: Request, res: Response, written: readonly string[]) => {
		noStore(res);
		const { sync, user } = await caller(ctx, req);
		// `?scope=all`: everything the user reads, past the working set — an admin's full listing
		// (exports, diagnostics, tests); anyone else is refused.
		const everything = req.query.scope === 'all';
		if (everything && !sync.model.current(user).roles.includes('admin'))
			throw new HttpError(403, 'forbidden', 'Liste complète réservée aux administrateurs.');
		await recorded(sync, user, async () => {
			await sync.caughtUp();
			if (written.length > 0) {
				// Held: known and readable by this user. A known document the user may not read
				// waits as long as an unknown one, so the answer's time tells nothing about it.
				const held = new Set(sync.model.principalsOf(user));
				const at = ctx.now().getTime();
				await sync.holdsIds(written, WRITTEN_WAIT_MS, (id) => sync.model.readable(id, held, at));
			}
			const now = ctx.now();
			const token = encodeToken({ seq: sync.live.seq, time: now.getTime() });
			const limits = await sync.limits();
			const docs = sync.model.manifest(
				sync.model.principalsOf(user),
				now.getTime(),
				everything
					? undefined
					: await workingSetOf(sync, user, limits.workingSetDays, now.getTime())
			);
			const { cap, role } = docCapFor(user.roles, { docCaps: limits.docCaps }, limits.docCap);
			if (docs.length > cap) {
				const message = capMessage(docs.length, cap);
				const params = { count: docs.length, cap, ...(role ? { role } : {}) };
				await sync.health.failure(user.name, 'doc_cap', message, now, params);
				throw new HttpError(507, 'doc_cap', message, params);
			}
			await sync.health.success(user.name, docs.length, now);
			res.json({ docs, total: docs.length, token });
			sync.startup.manifestAnswered();
		});
	};
	router.get(
		'/api/sync/manifest',
		handle((req, res) => manifest(req, res, []))
	);
	router.post(
		'/api/sync/manifest',
		handle((req, res) => manifest(req, res, parseBody(ManifestBody, req.body).written))
	);

	/**
	 * Pull, step 2: the documents themselves, only those on the user's list, streamed. Always at
	 * their current (winning) revision, whatever `rev` the device names — an earlier revision may
	 * hold what the document no longer says — plus the deleted branches the server closed.
	 */
	router.post(
		'/api/sync/bulk_get',
		handle(async (req, res) => {
			noStore(res);
			const { sync, user } = await caller(ctx, req);
			const { docs } = parseBody(BulkGet, req.body);
			const gone = new AbortController();
			res.on('close', () => gone.abort());
			await recorded(sync, user, async () => {
				try {
					await send(sync, user, docs, res, gone.signal);
				} catch (error) {
					// The device went away: not a failed sync; the upstream request is closed with it.
					if (gone.signal.aborted) return;
					throw error;
				}
			});
		})
	);

	/**
	 * Live: answers `{changed: true}` as soon as a document the user reads changes after the
	 * token (or their list does), else `{changed: false}` after at most 25 s.
	 */
	router.get(
		'/api/sync/changes',
		handle(async (req, res) => {
			noStore(res);
			const { sync, user } = await caller(ctx, req);
			const held = new Set(sync.model.principalsOf(user));
			const asked = Number(req.query.timeout);
			const ms = Number.isFinite(asked)
				? Math.max(0, Math.min(asked, LONG_POLL_MAX_MS))
				: LONG_POLL_MAX_MS;
			const since = decodeToken(req.query.since);
			const answer = (changed: boolean) =>
				res.json({
					changed,
					token: encodeToken({ seq: sync.live.seq, time: ctx.now().getTime() })
				});
			if (since === null) return void answer(true);
			const now = ctx.now().getTime();
			if (sync.live.changedSince(since.seq, held)) return void answer(true);
			const deadlines = sync.deadlinesBetween(since.time, now);
			if ([...held].some((p) => deadlines.has(p))) return void answer(true);
			const gone = new AbortController();
			res.on('close', () => gone.abort());
			const changed = await sync.live.wait(held, ms, gone.signal);
			if (!gone.signal.aborted) answer(changed);
		})
	);

	router.get(
		'/api/admin/sync-health',
		handle(async (req, res) => {
			noStore(res);
			await requireRole(ctx, req, 'admin');
			const users = await syncOf(ctx).health.list();
			res.json({ users: users.sort((a, b) => (a.user < b.user ? -1 : 1)) });
		})
	);

	return router;
}

/** bulk_get's answer: readable ids only, at their winning revision, with their closed branches. */
async function send(
	sync: SyncService,
	user: Profile,
	docs: ReadonlyArray<{ id: string }>,
	res: Response,
	signal: AbortSignal
): Promise<void> {
	const held = new Set(sync.model.principalsOf(user));
	const ids = [...new Set(docs.map((d) => d.id))];
	const [{ refused, tombstones }, current] = await Promise.all([
		sync.readable(ids, held, sync.ctx.now().getTime()),
		winners(sync, ids, signal)
	]);
	if (refused !== null) throw new HttpError(403, 'forbidden', `Document non autorisé : ${refused}`);
	// Every revision named: PouchDB's _bulk_get fetches only the named ones of an id when some
	// are, so the winner would be left out next to the closed branches.
	const ask: Array<{ id: string; rev?: string }> = [];
	for (const id of ids) {
		const rev = current.get(id);
		const closed = tombstones.get(id) ?? [];
		if (rev !== undefined) ask.push({ id, rev });
		else if (closed.length === 0) ask.push({ id });
		for (const branch of closed) if (branch !== rev) ask.push({ id, rev: branch });
	}
	const upstream = await sync.http.fetch(`${sync.http.db}/_bulk_get?revs=true&attachments=true`, {
		body: { docs: ask },
		signal
	});
	if (!upstream.ok || !upstream.body) {
		throw new Error(`_bulk_get answered ${upstream.status}: ${await upstream.text()}`);
	}
	res.status(200).type('application/json');
	await pipeline(Readable.fromWeb(upstream.body as never), res);
}

/** The winning revision of each id that has a live one now (deleted and missing ones are left out). */
async function winners(
	sync: SyncService,
	ids: readonly string[],
	signal: AbortSignal
): Promise<Map<string, string>> {
	const res = await sync.http.json<{
		rows: Array<{ key: string; value?: { rev?: string; deleted?: boolean } }>;
	}>(`${sync.http.db}/_all_docs`, { body: { keys: ids }, signal });
	const out = new Map<string, string>();
	for (const row of res.rows)
		if (row.value?.rev && row.value.deleted !== true) out.set(row.key, row.value.rev);
	return out;
}

/** A desk user's working set (working-set.ts), or undefined for a device that holds all it reads. */
async function workingSetOf(
	sync: SyncService,
	user: Profile,
	days: number,
	now: number
): Promise<WorkingSetFilter | undefined> {
	const current = sync.model.current(user);
	const holds = userHolds(current, sync.model.teamScope(user._id));
	if (holds === null) return undefined;
	return {
		holds: new Set(holds),
		days: workingSetDaysFor(current, days),
		pinned: withDependents(sync.model, await pinnedIds(sync.http, user._id, now))
	};
}

/**
 * Opened documents with what hangs on them, two levels down: a ticket's timeline, missions and
 * reports, and their own timelines (a report's "signed" event).
 */
function withDependents(model: SyncService['model'], pinned: ReadonlySet<string>): Set<string> {
	const out = new Set(pinned);
	for (const id of pinned)
		for (const dep of model.dependentsOf(id)) {
			out.add(dep);
			if (!dep.startsWith('event:')) for (const next of model.dependentsOf(dep)) out.add(next);
		}
	return out;
}

async function caller(
	ctx: AppContext,
	req: Request
): Promise<{ sync: SyncService; user: Profile }> {
	const user = await requireUser(ctx, req);
	return { sync: syncOf(ctx), user };
}

/** Server errors count as failed syncs in the user's sync health. */
async function recorded(sync: SyncService, user: Profile, run: () => Promise<void>): Promise<void> {
	try {
		await run();
	} catch (error) {
		const http = toHttpError(error);
		if (http.status >= 500 && http.code !== 'doc_cap' && http.code !== 'sync_busy') {
			await sync.health.failure(user.name, http.code, http.message, sync.ctx.now());
		}
		throw error;
	}
}
