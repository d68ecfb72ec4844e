/**
 * Follows the main database's changes feed and turns document changes into notifications,
 * each sent once however many server instances follow the same feed:
 *
 * - every instance reads every change; for a mission or ticket it compares the document
 *   with the fields of the subject's latest claim (`notif:<doc id>:<generation>`) and, when
 *   something worth telling happened, creates the next generation's claim. Only one create
 *   of an id succeeds (201; the others get 409), and only that instance sends.
 * - a claim is written (state `claimed`, owner, lease) before anything is sent, and marked
 *   `sent` after. An instance that dies in between leaves a claim whose lease expires; the
 *   stale-claim sweep of any instance takes it over (an update on the revision it read, so one
 *   wins) and sends. Only a death between the push service's answer and that mark can repeat
 *   a push, after the lease.
 * - the feed position is stored in the private database after the batch's claims are
 *   written: a restart resumes there; changes seen again find their claims and send nothing.
 * - reminders: a sweep claims `reminder:<mission id>:<start>` for missions starting within
 *   the lead time.
 */
import type { Couch } from '../couch/connect.ts';
import { messageOf, statusOf } from '../errors.ts';
import { DEFAULT_NOTICE_TEMPLATES, noticeTemplate, renderNotice } from '#lib/domain/notices.ts';
import type { NoticeKey, NoticeTemplate } from '#lib/domain/schemas/config.ts';
import {
	missionDeliveries,
	missionFields,
	revGeneration,
	sameMission,
	sameTicket,
	ticketDeliveries,
	ticketFields,
	type Delivery,
	type MissionFields,
	type TicketFields
} from './intents.ts';
import { numberEventId, numberFromEvent } from '#lib/domain/numbering.ts';
import type { EventDoc } from '#lib/domain/schemas.ts';
import { SLA_FACT_PREFIX } from '#lib/domain/sla-facts.ts';
import { tokenFor } from '../requester/links.ts';
import { noticeValues, PUSH_TITLES, pushSentence, ticketLabel, frenchWhen } from './messages.ts';
import type { Outbox } from './outbox.ts';
import type { PushSender } from './push-send.ts';
import {
	byPrefix,
	createOnce,
	ensureDesign,
	getOrNull,
	putIfUnchanged,
	viewRows,
	type Db,
	type Stored
} from './store.ts';
import {
	isUnsubscribed,
	preferencesOf,
	removeSubscription,
	subscriptionsOf,
	unsubscribeToken
} from './subscriptions.ts';

export interface NotifierOptions {
	/** This process, written into the claims it owns. */
	readonly instance: string;
	/** How long a claim's owner has to send before another instance may take over. */
	readonly leaseMs: number;
	readonly reminderMinutes: number;
	/** Interval of the reminder and stale-claim sweeps. */
	readonly sweepMs: number;
	readonly publicUrl: string;
	readonly unsubscribeSecret: string;
	/** Long-poll timeout of the changes feed. */
	readonly feedTimeoutMs: number;
	/**
	 * How long a requester's notice waits for the number of a ticket opened on a device (the
	 * sync follower gives it on arrival); past that it is sent naming no number.
	 */
	readonly numberWaitMs: number;
}

export type ClaimState = 'claimed' | 'sent' | 'done';

export interface ClaimDoc {
	readonly type: 'claim';
	readonly subject: string;
	readonly gen: number;
	readonly revGen: number;
	readonly fields: MissionFields | TicketFields | null;
	readonly deliveries: readonly Delivery[];
	readonly state: ClaimState;
	readonly owner: string;
	readonly leaseUntil?: string;
	readonly attempts: number;
	readonly createdAt: string;
	readonly results?: readonly string[];
}

type Mission = Record<string, unknown> & { _id: string };
const PRIVATE_VIEWS = {
	claims_stale:
		"function (doc) { if (doc.type === 'claim' && doc.state === 'claimed' && doc.leaseUntil) emit(doc.leaseUntil, null); }",
	mail_due:
		"function (doc) { if (doc.type !== 'mail') return; if (doc.state === 'queued') emit(doc.nextAttemptAt, null); else if (doc.state === 'sending' && doc.leaseUntil) emit(doc.leaseUntil, null); }",
	mail_by_created: "function (doc) { if (doc.type === 'mail') emit(doc.createdAt, null); }"
};

const CHECKPOINT_ID = 'notify:checkpoint';
const BATCH = 200;
const CONCURRENCY = 16;
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;
const CLAIM_ATTEMPTS = 6;
/** Attempts at a mission's notices while its ticket cannot be read (#ticketOf). */
const TICKET_ATTEMPTS = 3;

interface Change {
	readonly id: string;
	readonly seq: string | number;
	readonly deleted?: boolean;
	readonly doc?: Record<string, unknown> & { _id: string; _rev: string };
}

export class Notifier {
	readonly #db: Db;
	readonly #privateDb: Db;
	readonly #couchUrl: URL;
	readonly #dbName: string;
	readonly #options: NotifierOptions;
	readonly #push: PushSender;
	readonly #outbox: Outbox;
	readonly #now: () => Date;
	readonly #abort = new AbortController();
	readonly #inFlight = new Set<Promise<void>>();
	#loop: Promise<void> | null = null;
	#later: Promise<void> | null = null;
	#sweepTimer: NodeJS.Timeout | null = null;
	#sweeping: Promise<void> | null = null;
	#since: string | number = 0;
	/** Until `after` settles: nothing followed yet. */
	#waiting = true;
	#following = false;
	readonly #reminded = new Set<string>();
	/**
	 * Planned missions by id, for reminders: read once at start (one key range, `mission:`),
	 * then kept current from the changes feed this notifier follows anyway. No view on the main
	 * database: building one reads every document (in the embedded server, seconds per
	 * thousand) and would hold up everything else at start.
	 */
	readonly #planned = new Map<string, Mission>();
	#templates: { at: number; value: Partial<Record<NoticeKey, NoticeTemplate>> } | null = null;

	constructor(
		couch: Couch,
		dbName: string,
		options: NotifierOptions,
		push: PushSender,
		outbox: Outbox,
		now: () => Date
	) {
		this.#db = couch.db;
		this.#privateDb = couch.privateDb;
		this.#couchUrl = couch.url;
		this.#dbName = dbName;
		this.#options = options;
		this.#push = push;
		this.#outbox = outbox;
		this.#now = now;
	}

	/**
	 * Prepares the views and the feed position; then, once `ready` settles (the sync service's
	 * access model), follows the feed in the background; once `served` settles too (its first
	 * device served: at start-up, devices come first), reads the planned missions and starts the
	 * sweeps (reminders, claims left by a dead instance). Nothing written after this returns is
	 * missed: the feed is followed from the position noted here.
	 */
	async start(
		ready: Promise<unknown> = Promise.resolve(),
		served: Promise<unknown> = ready
	): Promise<void> {
		await ensureDesign(this.#privateDb, '_design/notify', PRIVATE_VIEWS);
		const checkpoint = await getOrNull<{ seq: string | number }>(this.#privateDb, CHECKPOINT_ID);
		if (checkpoint) {
			this.#since = checkpoint.seq;
		} else {
			// First start: what happened before the notifier existed is not news.
			const info = (await this.#db.info()) as { update_seq: string | number };
			this.#since = info.update_seq;
			await this.#saveCheckpoint(this.#since);
		}
		this.#loop = this.#begin(ready, served);
	}

	async #begin(ready: Promise<unknown>, served: Promise<unknown>): Promise<void> {
		await Promise.race([ready.catch(() => undefined), this.#aborted]);
		this.#waiting = false;
		if (this.#abort.signal.aborted) return;
		this.#later = this.#sweepsAfter(served);
		this.#following = true;
		await this.#follow();
	}

	/** The planned missions (one key range, read once), then the sweeps. */
	async #sweepsAfter(served: Promise<unknown>): Promise<void> {
		await Promise.race([served.catch(() => undefined), this.#aborted]);
		for (let backoff = RETRY_MIN_MS; !this.#abort.signal.aborted;) {
			try {
				const missions = await this.#db.list({
					startkey: 'mission:',
					endkey: 'mission:\ufff0',
					include_docs: true
				});
				for (const row of missions.rows) this.#notePlanned(row.id, (row.doc as Mission) ?? null);
				break;
			} catch (error) {
				if (this.#abort.signal.aborted) return;
				console.warn(`notifier: planned missions not read: ${messageOf(error)}; retrying`);
				await sleep(backoff, this.#abort.signal);
				backoff = Math.min(RETRY_MAX_MS, backoff * 2);
			}
		}
		if (this.#abort.signal.aborted) return;
		this.#sweepTimer = setInterval(() => this.#sweep(), this.#options.sweepMs);
		this.#sweepTimer.unref();
		this.#sweep();
	}

	get #aborted(): Promise<void> {
		return new Promise<void>((done) => {
			if (this.#abort.signal.aborted) done();
			else this.#abort.signal.addEventListener('abort', () => done(), { once: true });
		});
	}

	/**
	 * Resolves once this notifier has handled every change written before the call and the
	 * deliveries it started have ended (tests: its timeline notes are written), or after `ms`.
	 * At once while it waits to begin (it then starts from the position noted at start).
	 */
	async idle(ms = 30_000): Promise<void> {
		if (this.#waiting) return;
		const until = Date.now() + ms;
		while (Date.now() < until && !this.#abort.signal.aborted) {
			// Sequences are opaque on a cluster: ask the feed whether anything follows the position
			// handled, as the sync follower does.
			if (this.#following && this.#inFlight.size === 0 && !(await this.#anythingAfter())) return;
			if (this.#inFlight.size > 0)
				await Promise.race([...this.#inFlight, sleep(25, this.#abort.signal)]);
			else await sleep(25, this.#abort.signal);
		}
	}

	async #anythingAfter(): Promise<boolean> {
		const url = new URL(`/${encodeURIComponent(this.#dbName)}/_changes`, this.#couchUrl.origin);
		url.searchParams.set('since', String(this.#since));
		url.searchParams.set('limit', '1');
		const res = await fetch(url, {
			headers: { authorization: basicAuth(this.#couchUrl) },
			signal: AbortSignal.any([this.#abort.signal, AbortSignal.timeout(10_000)])
		}).catch(() => null);
		if (!res?.ok) return true;
		const body = (await res.json()) as { results?: unknown[] };
		return (body.results?.length ?? 0) > 0;
	}

	/** Stops following, then lets the sends already started finish (claims stay consistent). */
	async stop(): Promise<void> {
		this.#abort.abort();
		if (this.#sweepTimer) clearInterval(this.#sweepTimer);
		await this.#loop;
		await this.#later;
		await this.#sweeping;
		while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
	}

	async #follow(): Promise<void> {
		let backoff = RETRY_MIN_MS;
		while (!this.#abort.signal.aborted) {
			try {
				const { results, last_seq } = await this.#changes();
				await this.#handleBatch(results);
				if (String(last_seq) !== String(this.#since)) {
					this.#since = last_seq;
					await this.#saveCheckpoint(last_seq);
				}
				backoff = RETRY_MIN_MS;
			} catch (error) {
				if (this.#abort.signal.aborted) return;
				console.warn(`notifier: ${messageOf(error)}; retrying in ${backoff} ms`);
				await sleep(backoff, this.#abort.signal);
				backoff = Math.min(RETRY_MAX_MS, backoff * 2);
			}
		}
	}

	async #changes(): Promise<{ results: Change[]; last_seq: string | number }> {
		const url = new URL(`/${encodeURIComponent(this.#dbName)}/_changes`, this.#couchUrl.origin);
		url.searchParams.set('feed', 'longpoll');
		url.searchParams.set('since', String(this.#since));
		url.searchParams.set('include_docs', 'true');
		url.searchParams.set('limit', String(BATCH));
		url.searchParams.set('timeout', String(this.#options.feedTimeoutMs));
		const res = await fetch(url, {
			headers: { authorization: basicAuth(this.#couchUrl) },
			signal: this.#abort.signal
		});
		if (!res.ok) throw new Error(`changes feed answered ${res.status}`);
		return (await res.json()) as { results: Change[]; last_seq: string | number };
	}

	async #handleBatch(changes: readonly Change[]): Promise<void> {
		// An edited template applies from the next notice on.
		if (changes.some((c) => c.id === 'config:notice_templates')) this.#templates = null;
		for (const c of changes)
			if (c.id.startsWith('mission:')) this.#notePlanned(c.id, c.deleted ? null : (c.doc ?? null));
		const relevant = changes.filter(
			(c) => !c.deleted && c.doc && (c.id.startsWith('mission:') || c.id.startsWith('ticket:'))
		);
		await mapLimit(relevant, CONCURRENCY, (c) => this.#consider(c.doc!));
		const escalations = changes.filter(
			(c) => !c.deleted && c.id.startsWith(SLA_FACT_PREFIX) && c.doc?.kind === 'escalated'
		);
		await mapLimit(escalations, CONCURRENCY, (c) => this.#considerEscalation(c.doc!));
	}

	/**
	 * An escalation the server's job decided (`event:sla:…`, written once, never edited): a push
	 * to each person it names as told. The job mails them itself, from the template: no e-mail
	 * fallback here.
	 */
	async #considerEscalation(doc: Record<string, unknown> & { _id: string }): Promise<void> {
		// Only the server writes these (may-write refuses them from devices); checked anyway.
		if (doc.author !== 'system') return;
		const data = (doc.data ?? {}) as { told?: unknown; to?: unknown };
		const told = Array.isArray(data.told)
			? data.told.filter((t): t is string => typeof t === 'string' && t.startsWith('user:'))
			: [];
		const level = typeof data.to === 'number' ? data.to : 0;
		const deliveries = told.map((to) => ({
			channel: 'push' as const,
			to,
			event: 'escalated' as const
		}));
		const claim = this.#newClaim(`notif:${doc._id}:000001`, doc._id, {
			gen: 1,
			revGen: 1,
			fields: { status: 'escalated', level, assignees: told },
			deliveries
		});
		const rev = await createOnce(this.#privateDb, claim);
		if (rev && deliveries.length > 0) this.#track(this.#deliver({ ...claim, _rev: rev }, doc));
	}

	/** Claims what this version of the document means, if nobody has yet. */
	async #consider(doc: Record<string, unknown> & { _id: string; _rev: string }): Promise<void> {
		const isMission = doc._id.startsWith('mission:');
		const fields = isMission ? missionFields(doc) : ticketFields(doc);
		if (!fields) return;
		const revGen = revGeneration(doc._rev);
		for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
			const [latest] = await byPrefix<ClaimDoc>(this.#privateDb, `notif:${doc._id}:`, {
				descending: true,
				limit: 1
			});
			// A newer (or this) revision was already considered by some instance.
			if (latest && latest.revGen >= revGen) return;
			const before = latest?.fields ?? null;
			if (
				before &&
				(isMission
					? sameMission(before as MissionFields, fields as MissionFields)
					: sameTicket(before as TicketFields, fields as TicketFields))
			)
				return;
			let deliveries = isMission
				? missionDeliveries(before as MissionFields | null, fields as MissionFields)
				: ticketDeliveries(before as TicketFields | null, fields as TicketFields);
			// A mission already over is history, not news.
			if (isMission && typeof doc.end === 'string' && Date.parse(doc.end) < this.#now().getTime())
				deliveries = [];
			const gen = (latest?.gen ?? 0) + 1;
			const claim = this.#newClaim(`notif:${doc._id}:${String(gen).padStart(6, '0')}`, doc._id, {
				gen,
				revGen,
				fields,
				deliveries
			});
			const rev = await createOnce(this.#privateDb, claim);
			if (rev) {
				if (deliveries.length > 0) this.#track(this.#deliver({ ...claim, _rev: rev }, doc));
				return;
			}
		}
	}

	#newClaim(
		_id: string,
		subject: string,
		part: Pick<ClaimDoc, 'gen' | 'revGen' | 'fields' | 'deliveries'>
	): Stored<ClaimDoc> {
		const now = this.#now();
		return {
			_id,
			type: 'claim',
			subject,
			...part,
			state: part.deliveries.length > 0 ? 'claimed' : 'done',
			owner: this.#options.instance,
			...(part.deliveries.length > 0
				? { leaseUntil: new Date(now.getTime() + this.#options.leaseMs).toISOString() }
				: {}),
			attempts: 1,
			createdAt: now.toISOString()
		};
	}

	#track(work: Promise<void>): void {
		const p = work.catch((error: unknown) => console.warn(`notifier: ${messageOf(error)}`));
		this.#inFlight.add(p);
		void p.finally(() => this.#inFlight.delete(p));
	}

	/** Sends a claim's deliveries, then marks it sent (unless another instance took it over). */
	async #deliver(claim: Stored<ClaimDoc>, doc: Record<string, unknown> | null): Promise<void> {
		const subject = doc ?? (await getOrNull<Record<string, unknown>>(this.#db, claim.subject));
		if (!subject) return this.#finish(claim, ['subject gone']);
		const ticket = claim.subject.startsWith('ticket:')
			? subject
			: await this.#ticketOf(subject, claim);
		// Not readable yet: the claim stays, its lease runs out, a sweep sends it (#retakeStale).
		if (ticket === undefined) return;
		const results: string[] = [];
		for (const delivery of claim.deliveries) {
			try {
				results.push(
					delivery.channel === 'push'
						? await this.#deliverPush(claim, delivery, subject, ticket)
						: await this.#deliverNotice(claim, delivery.key, ticket, subject)
				);
			} catch (error) {
				results.push(`error: ${messageOf(error)}`);
			}
		}
		await this.#finish(claim, results);
	}

	/**
	 * A mission's ticket, whose requester and label its notices need. A ticket and its mission
	 * written together (one push, one `_bulk_docs`) reach the feed and the database's copies in
	 * either order — on a cluster they live in different shards — so a mission may be seen before
	 * its ticket can be read: it is waited for a little, then left to the claim's next attempt
	 * (undefined). Only after TICKET_ATTEMPTS attempts is a ticket that never came taken as gone
	 * (null: the notices that need it are not sent, the pushes name no ticket).
	 */
	async #ticketOf(
		mission: Record<string, unknown>,
		claim: Stored<ClaimDoc>
	): Promise<Record<string, unknown> | null | undefined> {
		if (typeof mission.ticketId !== 'string') return null;
		const until = Date.now() + Math.min(this.#options.numberWaitMs, this.#options.leaseMs / 2);
		for (;;) {
			const ticket = await getOrNull<Record<string, unknown>>(this.#db, mission.ticketId);
			if (ticket) return ticket;
			if (Date.now() >= until || this.#abort.signal.aborted) break;
			await sleep(Math.min(250, until - Date.now()), this.#abort.signal);
		}
		if (claim.attempts >= TICKET_ATTEMPTS) return null;
		console.warn(
			`notifier: ${claim._id}: ticket ${mission.ticketId} not readable yet; tried again after the lease`
		);
		return undefined;
	}

	/**
	 * Marks the claim sent, on the revision this instance wrote: if another instance took it
	 * over meanwhile (lease expired), that revision is no longer current and nothing is written.
	 * Not the document's current winner: on a cluster, a racing writer's unconfirmed (202) copy
	 * of the claim may be the winner for a while; this branch then grows past it.
	 */
	async #finish(claim: Stored<ClaimDoc>, results: string[]): Promise<void> {
		const { leaseUntil, ...rest } = claim;
		// What was sent is sent: a note that fails is tried again while the lease lasts, or the
		// claim would be taken over and its pushes sent again.
		const end = leaseUntil ? Date.parse(leaseUntil) : 0;
		for (let wait = 100; ; wait = Math.min(wait * 2, 2_000)) {
			try {
				await putIfUnchanged(this.#privateDb, { ...rest, state: 'sent', results });
				return;
			} catch (error) {
				if (this.#abort.signal.aborted || this.#now().getTime() + wait >= end) throw error;
				await sleep(wait, this.#abort.signal);
			}
		}
	}

	async #deliverPush(
		claim: Stored<ClaimDoc>,
		delivery: Extract<Delivery, { channel: 'push' }>,
		subject: Record<string, unknown>,
		ticket: Record<string, unknown> | null
	): Promise<string> {
		const prefs = await preferencesOf(this.#privateDb, delivery.to);
		if (!prefs[delivery.event]) return `${delivery.to}: ${delivery.event} off`;
		const isMission = claim.subject.startsWith('mission:');
		// An escalation fact of the jobs (its level in `data.to`), for the staff it tells.
		const isFact = claim.subject.startsWith(SLA_FACT_PREFIX);
		const label = ticket ? ticketLabel(ticket, await this.#numberOf(ticket, 0)) : '';
		const start = isMission ? String(subject.start) : undefined;
		const level = isFact ? (subject.data as { to?: unknown } | undefined)?.to : subject.level;
		const body = pushSentence(delivery.event, {
			...(start ? { start } : {}),
			ticketLabel: label,
			...(typeof level === 'number' ? { level } : {}),
			...(delivery.withdrawn ? { withdrawn: true } : {})
		});
		const missionId = isMission ? claim.subject : undefined;
		const payload = {
			v: 1,
			id: claim._id,
			event: delivery.event,
			title: PUSH_TITLES[delivery.event],
			body,
			...(missionId ? { missionId } : {}),
			ticketId: ticket?._id ?? (isMission ? subject.ticketId : claim.subject),
			url:
				missionId && !delivery.withdrawn
					? `/missions/${missionId.slice('mission:'.length)}`
					: isFact && ticket
						? `/tickets/${String(ticket._id).slice('ticket:'.length)}`
						: '/missions'
		};
		const subs = await subscriptionsOf(this.#privateDb, delivery.to);
		let delivered = 0;
		const notes: string[] = [];
		// All of the user's devices at once: the claim's lease must outlast the slowest one.
		const outcomes = await Promise.all(subs.map((sub) => this.#push.send(sub, payload)));
		for (const [i, outcome] of outcomes.entries()) {
			if (outcome.ok) delivered++;
			else {
				notes.push(`${outcome.status} ${outcome.error}`);
				if (outcome.gone) await removeSubscription(this.#privateDb, subs[i]!._id);
			}
		}
		if (delivered > 0) return `${delivery.to}: pushed ${delivered}`;
		if (isFact) return `${delivery.to}: no push (the escalation job mails) ${notes.join('; ')}`;
		// The fallback: no active subscription, or every push failed.
		const profile = await getOrNull<{ email?: string; displayName?: string; disabled?: boolean }>(
			this.#db,
			delivery.to
		);
		if (profile?.disabled) return `${delivery.to}: account disabled`;
		if (!profile?.email) return `${delivery.to}: no push, no e-mail ${notes.join('; ')}`;
		const url = `${this.#options.publicUrl}${payload.url}`;
		await this.#outbox.queue(`mail:${claim._id}:${delivery.to}`, {
			to: profile.email,
			subject: `${payload.title} — ${label}`.slice(0, 200),
			text: `Bonjour ${profile.displayName ?? ''},\n\n${body}.\n${start ? `Début : ${frenchWhen(start)}\n` : ''}\nOuvrir : ${url}\n\nCe message vous est envoyé par e-mail faute de notification sur votre téléphone.`,
			about: claim.subject
		});
		return `${delivery.to}: e-mail fallback ${notes.join('; ')}`;
	}

	async #deliverNotice(
		claim: Stored<ClaimDoc>,
		key: NoticeKey,
		ticket: Record<string, unknown> | null,
		subject: Record<string, unknown>
	): Promise<string> {
		const email = (ticket?.requester as { email?: string } | undefined)?.email;
		if (!ticket || !email) return `notice ${key}: no requester e-mail`;
		if (await isUnsubscribed(this.#privateDb, email)) return `notice ${key}: unsubscribed`;
		const operatorId = String(
			ticket.updatedBy ?? (ticket.assignees as string[] | undefined)?.[0] ?? ''
		);
		const operator = operatorId.startsWith('user:')
			? ((await getOrNull<{ displayName?: string }>(this.#db, operatorId))?.displayName ?? '')
			: '';
		const number = await this.#numberOf(ticket, this.#options.numberWaitMs);
		// The requester's page: made the first time the requester hears of the ticket.
		const token = await tokenFor(this.#privateDb, String(ticket._id), this.#now());
		const values = noticeValues(
			ticket,
			number,
			operator || 'l’équipe d’assistance',
			`${this.#options.publicUrl}/suivi/${token}`
		);
		if (claim.subject.startsWith('mission:')) {
			const technician = await getOrNull<{ displayName?: string }>(
				this.#db,
				String(subject.technicianId)
			);
			values.date = frenchWhen(String(subject.start));
			values.technician = technician?.displayName ?? '';
		}
		const mail = renderNotice(noticeTemplate(key, await this.#noticeTemplates()), values);
		const link = `${this.#options.publicUrl}/api/notices/unsubscribe?token=${unsubscribeToken(this.#options.unsubscribeSecret, email)}`;
		await this.#outbox.queue(`mail:${claim._id}:notice`, {
			to: email,
			subject: mail.subject,
			text: `${mail.body}\n\n—\nPour ne plus recevoir ces avis : ${link}`,
			about: String(ticket._id)
		});
		await this.#recordNotice(claim, key, String(ticket._id), email, number);
		return `notice ${key}: queued`;
	}

	/**
	 * The notice in the ticket's timeline, so the desk and the requester's page see what the
	 * requester was told. Its id comes from the claim: an instance taking over a stale claim
	 * finds it written (409) and writes no second one.
	 */
	async #recordNotice(
		claim: Stored<ClaimDoc>,
		key: NoticeKey,
		ticketId: string,
		to: string,
		number: number | null
	): Promise<void> {
		const event: EventDoc = {
			_id: `event:notice:${claim._id}`,
			type: 'event',
			subjectId: ticketId,
			ticketId,
			kind: 'notice_sent',
			visibility: 'requester',
			author: 'system',
			authorName: 'Terrain',
			at: this.#now().toISOString(),
			body: '',
			data: { template: key, to, ...(number === null ? {} : { number }) }
		};
		try {
			await this.#db.insert(event as unknown as Record<string, unknown>);
		} catch (error) {
			if (statusOf(error) !== 409) throw error;
		}
	}

	/**
	 * The ticket's real number: its own (tickets the server opened), else the one the server
	 * gave in `event:number:<id>`, waited for up to `waitMs`; null when there is none yet.
	 */
	async #numberOf(ticket: Record<string, unknown>, waitMs: number): Promise<number | null> {
		if (typeof ticket.number === 'number') return ticket.number;
		const until = Date.now() + waitMs;
		for (;;) {
			const event = await getOrNull(this.#db, numberEventId(String(ticket._id)));
			const given = numberFromEvent(event);
			if (given) return given.number;
			if (Date.now() >= until || this.#abort.signal.aborted) return null;
			await sleep(Math.min(250, until - Date.now()), this.#abort.signal);
		}
	}

	async #noticeTemplates(): Promise<Partial<Record<NoticeKey, NoticeTemplate>>> {
		const now = Date.now();
		if (this.#templates && now - this.#templates.at < 10_000) return this.#templates.value;
		const doc = await getOrNull<{ templates?: Partial<Record<NoticeKey, NoticeTemplate>> }>(
			this.#db,
			'config:notice_templates'
		);
		const value = { ...DEFAULT_NOTICE_TEMPLATES, ...(doc?.templates ?? {}) };
		this.#templates = { at: now, value };
		return value;
	}

	#sweep(): void {
		if (this.#sweeping || this.#abort.signal.aborted) return;
		this.#sweeping = Promise.all([this.#remind(), this.#retakeStale()])
			.then(() => undefined)
			.catch((error: unknown) => {
				if (!this.#abort.signal.aborted) console.warn(`notifier sweep: ${messageOf(error)}`);
			})
			.finally(() => (this.#sweeping = null));
	}

	#notePlanned(id: string, doc: Mission | null): void {
		if (doc && doc.status === 'planned' && typeof doc.start === 'string')
			this.#planned.set(id, doc);
		else this.#planned.delete(id);
	}

	/** Claims the reminder of each planned mission starting within the lead time. */
	async #remind(): Promise<void> {
		const now = this.#now().toISOString();
		const until = new Date(
			this.#now().getTime() + this.#options.reminderMinutes * 60_000
		).toISOString();
		const due = [...this.#planned.values()].filter((m) => {
			const start = String(m.start);
			return start >= now && start <= until;
		});
		for (const mission of due) {
			if (typeof mission.technicianId !== 'string') continue;
			const id = `reminder:${mission._id}:${String(mission.start)}`;
			// Claimed (by whichever instance) already: no need to ask the database again.
			if (this.#reminded.has(id)) continue;
			this.#reminded.add(id);
			if (this.#reminded.size > 10_000) this.#reminded.clear();
			const claim = this.#newClaim(id, mission._id, {
				gen: 0,
				revGen: 0,
				fields: null,
				deliveries: [{ channel: 'push', to: mission.technicianId, event: 'reminder' }]
			});
			const rev = await createOnce(this.#privateDb, claim);
			if (rev) this.#track(this.#deliver({ ...claim, _rev: rev }, mission));
		}
	}

	/** Takes over claims whose owner did not finish within the lease, and sends them. */
	async #retakeStale(): Promise<void> {
		const now = this.#now();
		const stale = await viewRows<ClaimDoc>(this.#privateDb, 'claims_stale', {
			endkey: now.toISOString(),
			limit: 50
		});
		for (const { doc } of stale) {
			// The row may be older than the document it brings: taken over or sent since.
			if (doc.state !== 'claimed' || !doc.leaseUntil || doc.leaseUntil > now.toISOString())
				continue;
			const taken: Stored<ClaimDoc> = {
				...doc,
				owner: this.#options.instance,
				leaseUntil: new Date(now.getTime() + this.#options.leaseMs).toISOString(),
				attempts: doc.attempts + 1
			};
			const rev = await putIfUnchanged(this.#privateDb, taken);
			if (rev) this.#track(this.#deliver({ ...taken, _rev: rev }, null));
		}
	}

	async #saveCheckpoint(seq: string | number): Promise<void> {
		for (let attempt = 0; attempt < 3; attempt++) {
			const current = await getOrNull<{ seq: string | number }>(this.#privateDb, CHECKPOINT_ID);
			// Shared by the instances: it only moves forward.
			if (current && seqNumber(current.seq) >= seqNumber(seq)) return;
			try {
				await this.#privateDb.insert({
					_id: CHECKPOINT_ID,
					...(current?._rev ? { _rev: current._rev } : {}),
					type: 'checkpoint',
					seq
				});
				return;
			} catch (error) {
				if (statusOf(error) !== 409) throw error;
			}
		}
	}
}

/** The numeric part of a CouchDB sequence (`"123-g1AAA…"` or a PouchDB integer). */
export function seqNumber(seq: string | number): number {
	return typeof seq === 'number' ? seq : Number.parseInt(seq, 10) || 0;
}

function basicAuth(url: URL): string {
	const user = decodeURIComponent(url.username);
	const pass = decodeURIComponent(url.password);
	return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
	return new Promise((done) => {
		const timer = setTimeout(done, ms);
		signal.addEventListener(
			'abort',
			() => {
				clearTimeout(timer);
				done();
			},
			{ once: true }
		);
	});
}

async function mapLimit<T>(
	items: readonly T[],
	limit: number,
	fn: (item: T) => Promise<void>
): Promise<void> {
	let next = 0;
	const worker = async () => {
		while (next < items.length) {
			const item = items[next++]!;
			await fn(item);
		}
	};
	await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
