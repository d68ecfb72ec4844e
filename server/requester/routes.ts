/**
 * The requester's page API (no account: the unguessable link is the key). Reads the ticket's
 * public view and its signed reports' PDFs; writes what the requester may do: a message,
 * confirming the resolution, saying it is not solved (within the configured days), and the
 * satisfaction survey once closed. Every write is checked with the domain's schemas and rules
 * and written by the server; every request counts against per-address limits, and writes also
 * against a per-ticket one.
 */
import { Router, type Request, type Response } from 'express';
import { createIdFactory, toIso } from '#lib/domain/ids.ts';
import {
	RequesterMessageInput,
	RequesterReopenInput,
	RequesterSurveyInput,
	requesterActor
} from '#lib/domain/requester.ts';
import {
	parseEvent,
	parseSurvey,
	surveyIdOf,
	type EventDoc,
	type SurveyDoc,
	type TicketDoc
} from '#lib/domain/schemas.ts';
import { transition, type TicketAction } from '#lib/domain/ticket.ts';
import { HttpError, statusOf } from '../errors.ts';
import { clientAddress, noStore } from '../http/auth.ts';
import type { AppContext } from '../http/context.ts';
import { handle, parseBody } from '../http/handle.ts';
import { hashedId } from '../auth/counter.ts';
import { countOne } from '../public/limits.ts';
import { syncOf, type SyncService } from '../sync/service.ts';
import { ticketOfToken } from './links.ts';
import { requesterReportPdf } from './pdf.ts';
import { requesterView, shownTicket, ticketWorld, type TicketWorld } from './view.ts';

const HOUR_MS = 60 * 60_000;

export const REQUESTER_LIMITS = {
	/** Page loads (and PDF downloads) from one address per hour. */
	read: { max: 240, windowMs: HOUR_MS },
	/** Messages, confirmations, reopenings and answers from one address per hour. */
	write: { max: 30, windowMs: HOUR_MS },
	/** Writes on one ticket per day, whoever holds its link. */
	ticket: { max: 20, windowMs: 24 * HOUR_MS }
} as const;

const UNKNOWN =
	'Lien de suivi inconnu : vérifiez l’adresse reçue par e-mail, ou faites une nouvelle demande.';

const nextId = createIdFactory();

export function requesterRoutes(ctx: AppContext): Router {
	const router = Router();
	const privateDb = ctx.couch.privateDb;

	async function limit(kind: keyof typeof REQUESTER_LIMITS, key: string, res: Response) {
		const now = ctx.now().getTime();
		const id = hashedId('formlimit', `track-${kind}:${key}`);
		const wait = await countOne(privateDb, id, REQUESTER_LIMITS[kind], now);
		if (wait === 0) return;
		res.setHeader('Retry-After', String(Math.ceil(wait / 1000)));
		throw new HttpError(
			429,
			'too_many_requests',
			kind === 'ticket'
				? 'Trop de messages sur cette demande aujourd’hui : réessayez demain ou appelez le support.'
				: 'Trop de demandes depuis cette adresse : réessayez dans une heure.'
		);
	}

	/** The ticket the link opens, after counting the request; 404 in words otherwise. */
	async function open(
		req: Request,
		res: Response,
		write: boolean
	): Promise<{ ticketId: string; sync: SyncService }> {
		noStore(res);
		await limit(write ? 'write' : 'read', clientAddress(ctx, req), res);
		const token = String(req.params.token ?? '');
		const ticketId = await ticketOfToken(privateDb, token);
		if (!ticketId) throw new HttpError(404, 'unknown_link', UNKNOWN);
		if (write) await limit('ticket', ticketId, res);
		return { ticketId, sync: syncOf(ctx) };
	}

	async function world(sync: SyncService, ticketId: string): Promise<TicketWorld> {
		const found = await ticketWorld(ctx.couch, sync, ticketId);
		if (!found) throw new HttpError(404, 'unknown_link', UNKNOWN);
		return found;
	}

	async function answer(res: Response, sync: SyncService, ticketId: string, status = 200) {
		res.status(status).json(requesterView(await world(sync, ticketId), ctx.now()));
	}

	/** Writes one event (server-made, checked like any document). */
	async function writeEvent(sync: SyncService, event: EventDoc): Promise<void> {
		const checked = parseEvent(event);
		if (!checked.ok) throw new HttpError(400, 'invalid_request', 'Message refusé.');
		const { rev } = await ctx.couch.db.insert(checked.value as unknown as Record<string, unknown>);
		sync.noteWritten(event._id, rev, false);
	}

	function event(
		ticket: TicketDoc,
		at: Date,
		part: Pick<EventDoc, 'kind' | 'body'> & { data?: Record<string, unknown> }
	): EventDoc {
		return {
			_id: nextId('event', at),
			type: 'event',
			subjectId: ticket._id,
			ticketId: ticket._id,
			visibility: 'requester',
			author: 'requester',
			authorName: ticket.requester.name,
			at: toIso(at),
			...part
		};
	}

	/**
	 * Applies the requester's action to the ticket as stored, then writes its timeline entry
	 * (`status_change` with `{action, from, to}`, `from` as the page showed it: closed when the
	 * timeout job closed it). A concurrent edit (409) is read again and the rule checked again
	 * on what was read.
	 */
	async function act(
		sync: SyncService,
		ticketId: string,
		name: 'confirm' | 'reopen' | 'resume',
		decide: (world: TicketWorld, now: Date) => TicketAction
	): Promise<TicketDoc> {
		for (let attempt = 0; attempt < 4; attempt++) {
			const current = await world(sync, ticketId);
			const now = ctx.now();
			const action = decide(current, now);
			const { _rev, ...before } = current.ticket;
			const next = transition(before, action, requesterActor(before), now);
			if (!next.ok)
				throw new HttpError(
					409,
					'not_now',
					'Cette action n’est plus possible sur votre demande : rechargez la page.'
				);
			try {
				const { rev } = await ctx.couch.db.insert({
					...next.value,
					...(_rev ? { _rev } : {})
				} as unknown as Record<string, unknown>);
				sync.noteWritten(ticketId, rev, false);
			} catch (error) {
				if (statusOf(error) === 409) continue;
				throw error;
			}
			await writeEvent(
				sync,
				event(before, now, {
					kind: 'status_change',
					body: '',
					data: { action: name, from: shownTicket(current).status, to: next.value.status }
				})
			);
			return next.value;
		}
		throw new HttpError(409, 'conflict', 'Votre demande vient d’être modifiée : réessayez.');
	}

	router.get(
		'/api/public/track/:token',
		handle(async (req, res) => {
			const { ticketId, sync } = await open(req, res, false);
			await answer(res, sync, ticketId);
		})
	);

	router.get(
		'/api/public/track/:token/reports/:report',
		handle(async (req, res) => {
			const { ticketId, sync } = await open(req, res, false);
			const current = await world(sync, ticketId);
			const report = current.reports.find(
				(r) => r._id === `report:${String(req.params.report)}` && r.signedAt !== undefined
			);
			if (!report)
				throw new HttpError(404, 'unknown_report', 'Ce rapport n’existe pas pour cette demande.');
			const pdf = await requesterReportPdf(ctx.couch, current, report);
			res.setHeader('Content-Type', 'application/pdf');
			res.setHeader(
				'Content-Disposition',
				`attachment; filename="rapport-${current.number ?? 'intervention'}.pdf"`
			);
			res.end(Buffer.from(pdf));
		})
	);

	router.post(
		'/api/public/track/:token/messages',
		handle(async (req, res) => {
			const body = parseBody(RequesterMessageInput, req.body);
			const { ticketId, sync } = await open(req, res, true);
			const current = await world(sync, ticketId);
			if (current.ticket.status === 'cancelled')
				throw new HttpError(
					409,
					'cancelled',
					'Cette demande a été annulée : faites une nouvelle demande si besoin.'
				);
			await writeEvent(
				sync,
				event(current.ticket, ctx.now(), { kind: 'follow_up', body: body.text })
			);
			// The ticket waited on the requester: their answer sends it back to the team.
			if (current.ticket.status === 'pending' && current.ticket.pending?.reason === 'requester')
				await act(sync, ticketId, 'resume', () => ({ type: 'resume' })).catch((error: unknown) => {
					// Someone moved it meanwhile: the message stands, the ticket is theirs.
					if (!(error instanceof HttpError && error.status === 409)) throw error;
				});
			await answer(res, sync, ticketId, 201);
		})
	);

	router.post(
		'/api/public/track/:token/confirm',
		handle(async (req, res) => {
			const { ticketId, sync } = await open(req, res, true);
			await act(sync, ticketId, 'confirm', (current) => {
				// Closed by the timeout job meanwhile: nothing left to confirm.
				if (shownTicket(current).status !== 'resolved')
					throw new HttpError(
						409,
						'not_resolved',
						'Cette demande n’attend pas votre confirmation : elle n’est pas au statut « Résolu ».'
					);
				return { type: 'close' };
			});
			await answer(res, sync, ticketId);
		})
	);

	router.post(
		'/api/public/track/:token/reopen',
		handle(async (req, res) => {
			const body = parseBody(RequesterReopenInput, req.body);
			const { ticketId, sync } = await open(req, res, true);
			const ticket = await act(sync, ticketId, 'reopen', (current, now) => {
				const view = requesterView(current, now);
				if (!view.choices.reopen)
					throw new HttpError(
						409,
						'reopen_closed',
						view.status === 'resolved' || view.status === 'closed'
							? `Le délai pour rouvrir cette demande (${current.reopenDays} jours après sa résolution) est passé : faites une nouvelle demande.`
							: 'Cette demande est encore en cours de traitement : écrivez-nous plutôt un message.'
					);
				return { type: 'reopen' };
			});
			if (body.text)
				await writeEvent(sync, event(ticket, ctx.now(), { kind: 'follow_up', body: body.text }));
			await answer(res, sync, ticketId);
		})
	);

	router.post(
		'/api/public/track/:token/survey',
		handle(async (req, res) => {
			const body = parseBody(RequesterSurveyInput, req.body);
			const { ticketId, sync } = await open(req, res, true);
			const current = await world(sync, ticketId);
			if (shownTicket(current).status !== 'closed')
				throw new HttpError(
					409,
					'not_closed',
					'Vous pourrez donner votre avis une fois la demande clôturée.'
				);
			const survey: SurveyDoc = {
				_id: surveyIdOf(ticketId),
				type: 'survey',
				ticketId,
				rating: body.rating,
				comment: body.comment,
				answeredAt: ctx.now().toISOString()
			};
			const checked = parseSurvey(survey);
			if (!checked.ok) throw new HttpError(400, 'invalid_request', 'Réponse refusée.');
			try {
				const { rev } = await ctx.couch.db.insert(
					checked.value as unknown as Record<string, unknown>
				);
				sync.noteWritten(survey._id, rev, false);
			} catch (error) {
				if (statusOf(error) !== 409) throw error;
				throw new HttpError(
					409,
					'already_answered',
					'Vous avez déjà donné votre avis sur cette demande : merci !'
				);
			}
			await answer(res, sync, ticketId, 201);
		})
	);

	return router;
}
