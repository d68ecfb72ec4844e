/**
 * The desk's online reach beyond its working set (issue #15): search over every ticket and
 * client, and opening a document so that it is kept on the device for a while (pins.ts). Every
 * answer goes through the access model: a hit, or an opened document, the user may not read is
 * left out exactly as sync leaves it out; unknown and unreadable look the same.
 */
import { Router } from 'express';
import * as v from 'valibot';
import { PRIORITIES, TICKET_STATUSES } from '#lib/domain/schemas.ts';
import { techfileIdFor } from '#lib/domain/ids.ts';
import { userHolds } from '#lib/domain/working-set.ts';
import { HttpError } from '../errors.ts';
import { noStore, requireUser } from '../http/auth.ts';
import type { AppContext } from '../http/context.ts';
import { handle, parseBody } from '../http/handle.ts';
import { pin, PIN_DAYS } from '../sync/pins.ts';
import { syncOf } from '../sync/service.ts';

const text = (name: string, max = 200) =>
	v.optional(
		v.pipe(v.string(`${name}: text`), v.maxLength(max, `${name}: at most ${max} characters`))
	);
const day = (name: string) =>
	v.optional(
		v.pipe(v.string(), v.regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/, `${name}: a date (YYYY-MM-DD)`))
	);

const TicketSearch = v.object({
	q: text('q'),
	status: v.optional(v.picklist(['open', ...TICKET_STATUSES], 'status: not a ticket status')),
	priority: v.optional(v.picklist(PRIORITIES, 'priority: not a priority')),
	group: text('group', 100),
	client: text('client', 200),
	category: text('category', 200),
	from: day('from'),
	to: day('to'),
	limit: v.optional(
		v.pipe(
			v.string(),
			v.regex(/^\d{1,3}$/, 'limit: a whole number'),
			v.transform(Number),
			v.minValue(1, 'limit: at least 1'),
			v.maxValue(100, 'limit: at most 100')
		)
	)
});

const ClientSearch = v.object({ q: text('q') });

const OpenBody = v.object({
	id: v.pipe(
		v.string('id: a document id'),
		v.regex(
			/^(ticket|client|report|mission):[^\s]{1,190}$/,
			'id: a ticket, client, report or mission id'
		)
	)
});

/** Query strings as the schema reads them: one value per key (a repeated key is refused). */
function query(raw: Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(raw)) {
		if (Array.isArray(value))
			throw new HttpError(400, 'invalid_request', `${key}: given more than once`);
		if (value !== '') out[key] = value;
	}
	return out;
}

export function searchRoutes(ctx: AppContext): Router {
	const router = Router();

	router.get(
		'/api/desk/search',
		handle(async (req, res) => {
			noStore(res);
			const user = await requireUser(ctx, req);
			const params = parseBody(TicketSearch, query(req.query as Record<string, unknown>));
			const sync = syncOf(ctx);
			await sync.caughtUp();
			await sync.search.whenReady();
			const started = performance.now();
			const held = new Set(sync.model.principalsOf(user));
			const now = ctx.now().getTime();
			const result = sync.search.index.searchTickets({ ...params, clientId: params.client }, (id) =>
				sync.model.readable(id, held, now)
			);
			res.json({ ...result, ms: Math.round((performance.now() - started) * 10) / 10 });
		})
	);

	router.get(
		'/api/desk/clients',
		handle(async (req, res) => {
			noStore(res);
			const user = await requireUser(ctx, req);
			const { q } = parseBody(ClientSearch, query(req.query as Record<string, unknown>));
			const sync = syncOf(ctx);
			await sync.caughtUp();
			await sync.search.whenReady();
			const held = new Set(sync.model.principalsOf(user));
			const now = ctx.now().getTime();
			res.json({
				clients: sync.search.index.clients(q ?? '', (id) => sync.model.readable(id, held, now))
			});
		})
	);

	/**
	 * Opens a document outside the working set: it (and what hangs on it — a ticket's timeline,
	 * missions and reports) is listed on the user's next manifests for `PIN_DAYS`.
	 */
	router.post(
		'/api/desk/open',
		handle(async (req, res) => {
			noStore(res);
			const user = await requireUser(ctx, req);
			const { id } = parseBody(OpenBody, req.body);
			const sync = syncOf(ctx);
			await sync.caughtUp();
			const held = new Set(sync.model.principalsOf(user));
			const now = ctx.now().getTime();
			if (!sync.model.readable(id, held, now))
				throw new HttpError(404, 'not_found', 'Document introuvable ou non accessible.');
			const kept = userHolds(sync.model.current(user)) !== null;
			// A client page opens the client's technical file with it.
			const pinned = id.startsWith('client:') ? [id, techfileIdFor(id)] : [id];
			if (kept) for (const p of pinned) await pin(sync.http, user._id, p, now);
			const ids = [...pinned, ...pinned.flatMap((p) => sync.model.dependentsOf(p))].filter((d) =>
				sync.model.readable(d, held, now)
			);
			res.json({
				id,
				docs: ids.length,
				keptUntil: kept ? new Date(now + PIN_DAYS * 86_400_000).toISOString() : null
			});
		})
	);

	return router;
}
