/**
 * The mail outbox: each mail is a `mail:` document in the private database, written before
 * anything is sent. Any server instance may send a due mail after taking its lease (an update
 * on the revision it read, so only one instance wins); a failure backs off exponentially.
 * Without SMTP_URL the mail is kept (state `kept`) and shown on the admin page instead.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import { messageOf, statusOf } from '../errors.ts';
import { createOnce, putIfUnchanged, viewRows, type Db, type Stored } from './store.ts';

export type MailState = 'queued' | 'sending' | 'sent' | 'kept' | 'failed';

export interface MailDoc {
	readonly type: 'mail';
	readonly to: string;
	readonly subject: string;
	readonly text: string;
	readonly state: MailState;
	readonly attempts: number;
	readonly nextAttemptAt: string;
	readonly leaseUntil?: string;
	readonly createdAt: string;
	readonly sentAt?: string;
	readonly lastError?: string;
	/** What the mail is about, for the admin page. */
	readonly about?: string;
}

export interface OutboxOptions {
	readonly smtpUrl: string | null;
	readonly from: string;
	readonly retryBaseMs: number;
	readonly retryMaxMs: number;
	readonly maxAttempts: number;
	readonly pollMs: number;
	readonly leaseMs: number;
}

export class Outbox {
	readonly #db: Db;
	readonly #options: OutboxOptions;
	readonly #now: () => Date;
	readonly #transport: Transporter | null;
	#timer: NodeJS.Timeout | null = null;
	#running: Promise<void> | null = null;
	#again = false;
	#stopped = false;

	constructor(db: Db, options: OutboxOptions, now: () => Date) {
		this.#db = db;
		this.#options = options;
		this.#now = now;
		// Only ever the configured server: the URL comes from the operator, never from data.
		this.#transport = options.smtpUrl
			? nodemailer.createTransport(
					{
						url: options.smtpUrl,
						// Well inside the sending lease, so a slow server never gets a mail twice.
						connectionTimeout: 20_000,
						greetingTimeout: 20_000,
						socketTimeout: 60_000
					},
					{ from: options.from }
				)
			: null;
	}

	/** True when mails are sent over SMTP; false when they are kept for the admin page. */
	get sends(): boolean {
		return this.#transport !== null;
	}

	start(): void {
		this.#schedule(0);
	}

	async stop(): Promise<void> {
		this.#stopped = true;
		if (this.#timer) clearTimeout(this.#timer);
		await this.#running;
		this.#transport?.close();
	}

	/**
	 * Queues a mail under a deterministic id (a second queue of the same id does nothing).
	 * @returns false when the mail was already queued.
	 */
	async queue(
		id: string,
		mail: { to: string; subject: string; text: string; about?: string }
	): Promise<boolean> {
		const now = this.#now().toISOString();
		const created = await createOnce(this.#db, {
			_id: id,
			type: 'mail',
			...mail,
			state: this.#transport ? 'queued' : 'kept',
			attempts: 0,
			nextAttemptAt: now,
			createdAt: now
		});
		if (created !== null && this.#transport) this.kick();
		return created !== null;
	}

	/** Looks for due mails now rather than at the next poll. */
	kick(): void {
		if (this.#running) this.#again = true;
		else this.#schedule(0);
	}

	#schedule(ms: number): void {
		if (this.#stopped || !this.#transport) return;
		if (this.#timer) clearTimeout(this.#timer);
		this.#timer = setTimeout(() => {
			this.#timer = null;
			this.#running = this.#drain()
				.catch((error: unknown) => console.warn(`outbox: ${messageOf(error)}`))
				.finally(() => {
					this.#running = null;
					const again = this.#again;
					this.#again = false;
					this.#schedule(again ? 0 : this.#options.pollMs);
				});
		}, ms);
		this.#timer.unref();
	}

	async #drain(): Promise<void> {
		const now = this.#now().toISOString();
		const due = await viewRows<MailDoc>(this.#db, 'mail_due', { endkey: now, limit: 50 });
		for (const { doc } of due) {
			if (this.#stopped) return;
			await this.#sendOne(doc);
		}
	}

	async #sendOne(doc: Stored<MailDoc>): Promise<void> {
		const now = this.#now();
		// A view row may be older than the document it brings (include_docs gives the current
		// revision): another instance may have leased it since. Only a mail that is due now.
		if (!isDue(doc, now)) return;
		const leased: Stored<MailDoc> = {
			...doc,
			state: 'sending',
			leaseUntil: new Date(now.getTime() + this.#options.leaseMs).toISOString()
		};
		const rev = await putIfUnchanged(this.#db, leased);
		if (!rev) return; // another instance took it
		const attempts = doc.attempts + 1;
		try {
			await this.#transport!.sendMail({
				to: doc.to,
				subject: doc.subject,
				text: doc.text,
				messageId: messageIdOf(doc._id, this.#options.from)
			});
		} catch (error) {
			const delay = Math.min(
				this.#options.retryMaxMs,
				this.#options.retryBaseMs * 2 ** (attempts - 1)
			);
			const failed = attempts >= this.#options.maxAttempts;
			await this.#db.insert({
				...leased,
				_rev: rev,
				state: failed ? 'failed' : 'queued',
				attempts,
				lastError: messageOf(error).slice(0, 300),
				nextAttemptAt: new Date(this.#now().getTime() + delay).toISOString(),
				leaseUntil: undefined
			});
			return;
		}
		await this.#markSent(
			{ ...leased, _rev: rev, state: 'sent', attempts, leaseUntil: undefined },
			now.getTime() + this.#options.leaseMs
		).catch((error: unknown) =>
			console.warn(`outbox: ${doc._id} was sent but could not be noted: ${messageOf(error)}`)
		);
	}

	/**
	 * Notes that the SMTP server took the mail. A failure to note it is not a failure to send:
	 * queued again, the mail would go out twice. So the note is tried again, while the lease
	 * lasts; only a process that dies before it lands (or a database down for the whole lease)
	 * leaves the mail to be sent again after the lease, under the same Message-ID.
	 */
	async #markSent(sent: Stored<MailDoc>, leaseEnd: number): Promise<void> {
		for (let wait = 100; ; wait = Math.min(wait * 2, 2_000)) {
			try {
				await this.#db.insert({ ...sent, sentAt: this.#now().toISOString() });
				return;
			} catch (error) {
				// 409: the lease ran out and another instance took the mail over; it decides.
				if (statusOf(error) === 409 || this.#now().getTime() + wait >= leaseEnd) throw error;
				await new Promise((done) => setTimeout(done, wait));
			}
		}
	}
}

/** Latest mails first, for the admin page. */
export async function recentMails(db: Db, limit = 200): Promise<Array<Stored<MailDoc>>> {
	return (await viewRows<MailDoc>(db, 'mail_by_created', { descending: true, limit })).map(
		(r) => r.doc
	);
}

/** Queued and due, or sending under a lease that ran out. */
function isDue(doc: MailDoc, now: Date): boolean {
	const at = now.toISOString();
	if (doc.state === 'queued') return doc.nextAttemptAt <= at;
	return doc.state === 'sending' && typeof doc.leaseUntil === 'string' && doc.leaseUntil <= at;
}

/**
 * The same Message-ID for every attempt at one mail document: a server killed between sending
 * and noting "sent" sends the mail again after the lease, and the receiving side can then tell
 * the copy (delivery is at least once; SMTP cannot make it exactly once).
 */
export function messageIdOf(mailId: string, from: string): string {
	const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'terrain.invalid';
	return `<${mailId.replace(/[^A-Za-z0-9._-]/g, '.')}@${domain}>`;
}
