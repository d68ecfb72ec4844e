import { Router, type Request as ExpressRequest, type Response } from 'express';
import * as v from 'valibot';
import { newId } from '#lib/domain/ids.ts';
import { parseTicket, type EventDoc } from '#lib/domain/schemas.ts';
import { openTicket } from '#lib/domain/ticket.ts';
import { HttpError } from '../errors.ts';
import { clientAddress, currentUser, noStore } from '../http/auth.ts';
import type { AppContext } from '../http/context.ts';
import { handle, parseBody } from '../http/handle.ts';
import { highestTicketNumber, nextTicketNumber } from './numbering.ts';
import { FormLimits } from './limits.ts';

const Request = v.object({
	name: v.pipe(
		v.string('name: required'),
		v.trim(),
		v.minLength(2, 'Nom : au moins 2 caractères'),
		v.maxLength(120, 'Nom : 120 caractères au plus')
	),
	email: v.pipe(
		v.string('email: required'),
		v.trim(),
		v.email('E-mail : adresse invalide'),
		v.maxLength(200)
	),
	phone: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(40))),
	title: v.pipe(
		v.string('title: required'),
		v.trim(),
		v.minLength(3, 'Objet : au moins 3 caractères'),
		v.maxLength(200, 'Objet : 200 caractères au plus')
	),
	text: v.pipe(
		v.string('text: required'),
		v.trim(),
		v.minLength(3, 'Description : au moins 3 caractères'),
		v.maxLength(10_000, 'Description : 10 000 caractères au plus')
	)
});

/**
 * The public request form (seed 004 §III-A-2): anyone identified by e-mail (or a signed-in
 * account) files a request, which waits as a pre-ticket for an operator to qualify; the
 * answer carries the ticket number for the acknowledgement.
 */
export function publicRoutes(ctx: AppContext): Router {
	const router = Router();
	const limits = new FormLimits(ctx.couch.privateDb);
	router.post(
		'/api/public/requests',
		handle(async (req, res) => {
			noStore(res);
			const now = ctx.now();
			// Checked first: a malformed request is refused without counting against anyone.
			const body = parseBody(Request, req.body);
			const address = clientAddress(ctx, req);
			const refused = await limits.take(address, body.email, now.getTime());
			if (refused) {
				res.setHeader('Retry-After', String(Math.ceil(refused.waitMs / 1000)));
				throw new HttpError(
					429,
					'too_many_requests',
					refused.kind === 'address'
						? 'Trop de demandes depuis cette adresse : réessayez dans une heure.'
						: 'Trop de demandes pour cette adresse e-mail aujourd’hui : réessayez demain ou appelez le support.'
				);
			}
			try {
				await file(body, now, req, res);
			} catch (error) {
				await limits.release(address, body.email, now.getTime()).catch(() => undefined);
				throw error;
			}
		})
	);

	/** Stores the request as a numbered pre-ticket and answers its number. */
	async function file(
		body: v.InferOutput<typeof Request>,
		now: Date,
		req: ExpressRequest,
		res: Response
	): Promise<void> {
		const user = await currentUser(ctx, req);
		const number = await nextTicketNumber(ctx.couch.privateDb, () =>
			highestTicketNumber(ctx.couch.db)
		);
		const ticket = {
			...openTicket(
				{
					id: newId('ticket', now),
					kind: 'request',
					title: body.title,
					description: body.text,
					source: 'form',
					requester: {
						name: body.name,
						email: body.email,
						...(body.phone ? { phone: body.phone } : {})
					}
				},
				user ? user._id : 'requester',
				now
			),
			number
		};
		const checked = parseTicket(ticket);
		if (!checked.ok) throw new HttpError(400, 'invalid_request', checked.error.join('; '));
		// The timeline starts where the ticket did (the desk and the requester's page read it).
		// The acknowledgement is the notifier's: it records the notice when it sends it.
		const opened: EventDoc = {
			_id: newId('event', now),
			type: 'event',
			subjectId: ticket._id,
			ticketId: ticket._id,
			kind: 'status_change',
			visibility: 'requester',
			author: user ? user._id : 'requester',
			at: now.toISOString(),
			body: '',
			data: { action: 'open', to: 'new', source: 'form' }
		};
		await ctx.couch.db.bulk({ docs: [ticket, opened] });
		res.status(201).json({
			id: ticket._id,
			number,
			message: `Votre demande n° ${number} a bien été enregistrée. Un opérateur va la prendre en charge.`
		});
	}
	return router;
}
