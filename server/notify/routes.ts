/**
 * The notification API: the VAPID public key, a device's push subscription, a technician's
 * push preferences, the requester's unsubscribe link, and the kept/sent mails for admins.
 */
import { Router } from 'express';
import * as v from 'valibot';
import type { AppContext } from '../http/context.ts';
import { noStore, requireRole, requireUser } from '../http/auth.ts';
import { handle, parseBody } from '../http/handle.ts';
import { HttpError } from '../errors.ts';
import { PUSH_EVENTS } from './intents.ts';
import { recentMails } from './outbox.ts';
import { resolveProblem } from './push-send.ts';
import { notifyServiceOf } from './service.ts';
import {
	markUnsubscribed,
	preferencesOf,
	readUnsubscribeToken,
	removeSubscription,
	saveSubscription,
	savePreferences,
	subscriptionId
} from './subscriptions.ts';

const MAX_SUBSCRIPTIONS_PER_USER = 20;

const SubscriptionBody = v.object({
	endpoint: v.pipe(
		v.string(),
		v.maxLength(1000),
		v.check((s) => s.startsWith('https://'), 'endpoint must be an https URL')
	),
	keys: v.object({
		p256dh: v.pipe(v.string(), v.regex(/^[\w-]{40,200}$/, 'keys.p256dh must be base64url')),
		auth: v.pipe(v.string(), v.regex(/^[\w-]{8,64}$/, 'keys.auth must be base64url'))
	})
});

const UnsubscribeBody = v.object({ endpoint: v.pipe(v.string(), v.maxLength(1000)) });

const PreferencesBody = v.object({
	events: v.partial(
		v.object(
			Object.fromEntries(PUSH_EVENTS.map((e) => [e, v.boolean()])) as Record<
				(typeof PUSH_EVENTS)[number],
				v.BooleanSchema<undefined>
			>
		)
	)
});

export function notifyRoutes(ctx: AppContext): Router {
	const router = Router();
	const privateDb = ctx.couch.privateDb;

	router.get('/api/push/key', (_req, res) => {
		res.json({ publicKey: ctx.config.secrets.vapidPublicKey });
	});

	router.post(
		'/api/push/subscription',
		handle(async (req, res) => {
			const user = await requireUser(ctx, req);
			const body = parseBody(SubscriptionBody, req.body);
			// The server will connect to this URL: only a known push service, never an
			// address of this host or its networks.
			const problem = await resolveProblem(body.endpoint, ctx.config.push);
			if (problem) throw new HttpError(400, 'invalid_endpoint', problem);
			const { rows } = await privateDb.list({
				startkey: `pushsub:${user._id}:`,
				endkey: `pushsub:${user._id}:\ufff0`
			});
			const known = rows.some((r) => r.id === subscriptionId(user._id, body.endpoint));
			if (!known && rows.length >= MAX_SUBSCRIPTIONS_PER_USER) {
				throw new HttpError(409, 'too_many', 'Trop d’appareils abonnés : désabonnez-en un.');
			}
			await saveSubscription(privateDb, user._id, body, ctx.now(), req.get('user-agent'));
			noStore(res);
			res.status(201).json({ ok: true });
		})
	);

	router.delete(
		'/api/push/subscription',
		handle(async (req, res) => {
			const user = await requireUser(ctx, req);
			const body = parseBody(UnsubscribeBody, req.body);
			await removeSubscription(privateDb, subscriptionId(user._id, body.endpoint));
			res.json({ ok: true });
		})
	);

	router.get(
		'/api/push/preferences',
		handle(async (req, res) => {
			const user = await requireUser(ctx, req);
			noStore(res);
			res.json({ events: await preferencesOf(privateDb, user._id) });
		})
	);

	router.put(
		'/api/push/preferences',
		handle(async (req, res) => {
			const user = await requireUser(ctx, req);
			const body = parseBody(PreferencesBody, req.body);
			res.json({ events: await savePreferences(privateDb, user._id, body.events) });
		})
	);

	// Opened from an e-mail by someone without an account: a small page, no app.
	router.get(
		'/api/notices/unsubscribe',
		handle(async (req, res) => {
			const token = typeof req.query.token === 'string' ? req.query.token : '';
			const email = readUnsubscribeToken(ctx.config.secrets.sessionSecret, token);
			res.setHeader('Content-Type', 'text/html; charset=utf-8');
			noStore(res);
			if (!email) {
				res.status(400).send(page('Lien invalide', 'Ce lien de désabonnement n’est pas valide.'));
				return;
			}
			await markUnsubscribed(privateDb, email, ctx.now());
			res.send(
				page(
					'Désabonnement enregistré',
					'Vous ne recevrez plus les avis de suivi de vos demandes à cette adresse.'
				)
			);
		})
	);

	router.get(
		'/api/admin/mail',
		handle(async (req, res) => {
			await requireRole(ctx, req, 'admin');
			const mails = await recentMails(privateDb);
			noStore(res);
			res.json({
				smtp: notifyServiceOf(ctx)?.outbox.sends ?? false,
				mails: mails.map((m) => ({
					id: m._id,
					to: m.to,
					subject: m.subject,
					text: m.text,
					state: m.state,
					attempts: m.attempts,
					createdAt: m.createdAt,
					...(m.sentAt ? { sentAt: m.sentAt } : {}),
					...(m.lastError ? { lastError: m.lastError } : {})
				}))
			});
		})
	);

	return router;
}

function page(title: string, text: string): string {
	return `<!doctype html><html lang="fr"><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title><body style="font-family:system-ui;max-width:36rem;margin:3rem auto;padding:0 1rem"><h1>${title}</h1><p>${text}</p></body></html>`;
}
