/**
 * Issuing invoices and marking them paid (issue #14, point 5), the server's only writes of the
 * `invoice` type. The rules are the domain's (invoice.ts); this is the database side:
 *
 * - An item is invoiced once: before anything is numbered, each of its items is claimed in the
 *   private database (`invoiced:<billingId>`, created once), so two requests — on one instance
 *   or two — naming one item cannot both go on. A claim left by a process that died before its
 *   invoice was written is taken over once it is stale and no invoice names the item.
 * - Numbers: one continuous sequence per year, no gap and no duplicate across instances. The
 *   invoice's id is its number (`invoice:2026-000001`), created once (decided.ts): the next
 *   number is tried, a taken one (409) moves on, a lost race on a cluster tries the same number
 *   again, so no number is skipped. Each instance issues one invoice at a time (its own queue),
 *   so only instances race, not every request.
 * - Paid once: the payment is claimed (`invoicepaid:<invoiceId>`, created once); the claim's
 *   holder alone writes `paidAt`. The standing is computed with the document just written in
 *   place of the one read (a cluster's read may not hold it yet).
 */
import * as v from 'valibot';
import { DEFAULT_BILLING_RATES } from '#lib/domain/billing.ts';
import { toIso } from '#lib/domain/ids.ts';
import {
	DEFAULT_PAYMENT_TERMS_DAYS,
	dueDateOf,
	invoiceIdOf,
	invoiceLines,
	invoiceNumberOf,
	invoiceTotals,
	invoiceYear,
	MIN_REASON_LENGTH,
	parseInvoiceId,
	periodOf,
	standingOf,
	statusAfterPayment,
	withWritten,
	type LinesProblem,
	type Standing
} from '#lib/domain/invoice.ts';
import { localDay } from '#lib/domain/business-hours.ts';
import {
	isDocOf,
	isoDate,
	parseAs,
	type BillingDoc,
	type ClientDoc,
	type CompanyConfig,
	type InvoiceCompany,
	type InvoiceDoc
} from '#lib/domain/schemas.ts';
import { touch } from '#lib/domain/stamps.ts';
import { fr } from '#lib/i18n/messages.ts';
import { HttpError, messageOf, statusOf } from '../errors.ts';
import type { AppContext } from '../http/context.ts';
import { notifyServiceOf } from '../notify/service.ts';
import { getOrNull, write, type Db } from '../notify/store.ts';
import { companyConfig } from '../requester/pdf.ts';
import { syncOf } from '../sync/service.ts';
import { createDecided, type Decision } from './decided.ts';
import { formatCents, formatDay, invoiceMail } from './words.ts';

type Raw = Record<string, unknown>;

/** A claim older than this, whose invoice was never written, may be taken over. */
export const CLAIM_STALE_MS = 2 * 60_000;
/**
 * Numbers lost to racers before the request gives up (503). Two instances lose at most one in a
 * row; more means a cluster without its quorum, where every number tried would be left unowned.
 */
const MAX_LOST = 3;

const billingId = v.pipe(
	v.string('Chaque élément à facturer est un identifiant.'),
	v.maxLength(200, 'Identifiant d’élément trop long.')
);

export const IssueBodySchema = v.object({
	billingIds: v.pipe(
		v.array(billingId, 'billingIds : une liste d’éléments à facturer est attendue.'),
		v.minLength(1, 'Choisissez au moins un élément à facturer.'),
		v.maxLength(500, 'Au plus 500 éléments par facture.'),
		v.check((l) => new Set(l).size === l.length, 'Un élément est nommé deux fois.')
	),
	adjustments: v.optional(
		v.pipe(
			v.array(
				v.object(
					{
						billingId,
						lineIndex: v.pipe(
							v.number('Le numéro de ligne d’une modification est un nombre.'),
							v.integer('Le numéro de ligne d’une modification est un nombre entier.'),
							v.minValue(0, 'Le numéro de ligne d’une modification ne peut être négatif.')
						),
						amountCents: v.pipe(
							v.number('Le montant d’une modification est un nombre de centimes.'),
							v.integer('Le montant d’une modification est un nombre entier de centimes.'),
							v.minValue(-100_000_000, 'Montant hors limites.'),
							v.maxValue(100_000_000, 'Montant hors limites.')
						),
						reason: v.pipe(
							v.string('Une modification de montant doit avoir un motif.'),
							v.maxLength(1000, 'Le motif d’une modification est trop long.'),
							v.check(
								(s) => s.trim().length >= MIN_REASON_LENGTH,
								`Une modification de montant doit avoir un motif (au moins ${MIN_REASON_LENGTH} caractères).`
							)
						)
					},
					'Une modification de montant donne l’élément (billingId), le numéro de sa ligne (lineIndex), le nouveau montant (amountCents) et son motif (reason).'
				),
				'adjustments : une liste de modifications est attendue.'
			),
			v.maxLength(2000, 'Trop de modifications.')
		)
	)
});
export type IssueBody = v.InferOutput<typeof IssueBodySchema>;

export const PaidBodySchema = v.object({
	paidAt: v.optional(
		v.pipe(
			v.string('La date de paiement est une date (AAAA-MM-JJ).'),
			v.check(
				(s) => v.is(isoDate, s),
				'La date de paiement doit être une date réelle, écrite AAAA-MM-JJ.'
			)
		)
	)
});

const bad = (code: string, message: string) => new HttpError(400, code, message);

function linesProblem(p: LinesProblem): HttpError {
	const where = `ligne ${p.lineIndex + 1} de ${p.billingId}`;
	switch (p.code) {
		case 'unknown_line':
			return bad('unknown_line', `Modification d’une ligne qui n’existe pas (${where}).`);
		case 'adjustment_reason':
			return bad('adjustment_reason', `La modification de la ${where} doit avoir un motif.`);
		case 'adjustment_twice':
			return bad('adjustment_twice', `La ${where} est modifiée deux fois.`);
	}
}

async function listPrefix(db: Db, prefix: string, docs: boolean): Promise<Raw[]> {
	const res = await db.list({
		startkey: prefix,
		endkey: `${prefix}\ufff0`,
		include_docs: docs
	});
	return res.rows.map((r) => (docs ? (r.doc as unknown as Raw) : { _id: r.id }));
}

/** Every invoice stored (valid ones). */
export async function allInvoices(db: Db): Promise<InvoiceDoc[]> {
	return (await listPrefix(db, 'invoice:', true)).filter((d): d is InvoiceDoc =>
		isDocOf('invoice', d)
	);
}

export async function invoicesOf(db: Db, clientId: string): Promise<InvoiceDoc[]> {
	return (await allInvoices(db)).filter((i) => i.clientId === clientId);
}

async function fetchDocs(db: Db, ids: readonly string[]): Promise<Map<string, Raw>> {
	if (ids.length === 0) return new Map();
	const res = await db.fetch({ keys: [...ids] });
	const out = new Map<string, Raw>();
	for (const row of res.rows)
		if ('doc' in row && row.doc) out.set(String(row.doc._id), row.doc as unknown as Raw);
	return out;
}

async function vatRate(db: Db): Promise<number> {
	const raw = await getOrNull<Raw>(db, 'config:billing_rates');
	const parsed = raw ? parseAs('config', raw) : null;
	return parsed?.ok && parsed.value.kind === 'billing_rates'
		? parsed.value.rates.vatRateBasisPoints
		: DEFAULT_BILLING_RATES.vatRateBasisPoints;
}

export function companySnapshot(company: CompanyConfig | null): InvoiceCompany {
	if (!company) return { name: 'Terrain', address: [] };
	const out: Record<string, unknown> = { name: company.name, address: [...company.address] };
	for (const key of [
		'phone',
		'email',
		'siret',
		'vatNumber',
		'legalForm',
		'capital',
		'rcs',
		'paymentTermsDays',
		'latePenalty'
	] as const)
		if (company[key] !== undefined) out[key] = company[key];
	return out as InvoiceCompany;
}

interface ClaimDoc {
	_id: string;
	_rev?: string;
	type: 'invoice_claim';
	billingId: string;
	token: string;
	at: string;
	invoiceId?: string;
}

const claimId = (id: string) => `invoiced:${id}`;
const paidClaimId = (invoiceId: string) => `invoicepaid:${invoiceId}`;

/** The one place an instance numbers invoices, one at a time; per server context. */
class Issuer {
	readonly #ctx: AppContext;
	#queue: Promise<unknown> = Promise.resolve();
	/** Per year, the highest sequence known to be taken with every one below it. */
	readonly #frontier = new Map<number, number>();

	constructor(ctx: AppContext) {
		this.#ctx = ctx;
	}

	/** Runs `fn` after the issues queued before it on this instance. */
	serial<T>(fn: () => Promise<T>): Promise<T> {
		const run = this.#queue.then(fn, fn);
		this.#queue = run.catch(() => undefined);
		return run;
	}

	async frontier(year: number): Promise<number> {
		const known = this.#frontier.get(year);
		if (known !== undefined) return known;
		const ids = await listPrefix(this.#ctx.couch.db, `invoice:${year}-`, false);
		const taken = new Set(ids.map((r) => parseInvoiceId(String(r._id))?.seq));
		let seq = 0;
		while (taken.has(seq + 1)) seq++;
		this.#frontier.set(year, seq);
		return seq;
	}

	advance(year: number, seq: number): void {
		if ((this.#frontier.get(year) ?? 0) < seq) this.#frontier.set(year, seq);
	}
}

const issuers = new WeakMap<AppContext, Issuer>();
function issuerOf(ctx: AppContext): Issuer {
	let issuer = issuers.get(ctx);
	if (!issuer) {
		issuer = new Issuer(ctx);
		issuers.set(ctx, issuer);
	}
	return issuer;
}

/** A claim created once: lost on a cluster (decided.ts) is someone else's, as taken. */
async function claimOnce(db: Db, doc: { _id: string }): Promise<Decision> {
	const decided = await createDecided(db, doc);
	return decided.outcome === 'lost' ? { outcome: 'taken' } : decided;
}

/**
 * Claims every item for this request. @returns the claims written, in order.
 * @throws {HttpError} 400 `already_invoiced` when one is another's (the claims taken are freed).
 */
async function claimItems(
	ctx: AppContext,
	ids: readonly string[],
	token: string,
	now: Date
): Promise<ClaimDoc[]> {
	const db = ctx.couch.privateDb;
	const taken: ClaimDoc[] = [];
	const release = async () => {
		for (const c of taken) await db.destroy(c._id, c._rev!).catch(() => undefined);
	};
	for (const id of [...ids].sort()) {
		const claim: ClaimDoc = {
			_id: claimId(id),
			type: 'invoice_claim',
			billingId: id,
			token,
			at: now.toISOString()
		};
		let decided = await claimOnce(db, claim);
		if (decided.outcome === 'taken') decided = await takeOverStale(ctx, claim, now);
		if (decided.outcome !== 'created') {
			await release();
			const existing = await getOrNull<ClaimDoc>(db, claim._id);
			throw alreadyInvoiced(id, existing?.invoiceId);
		}
		taken.push({ ...claim, _rev: decided.rev });
	}
	return taken;
}

function alreadyInvoiced(id: string, invoiceId: string | undefined): HttpError {
	const seq = invoiceId ? parseInvoiceId(invoiceId) : null;
	return bad(
		'already_invoiced',
		seq
			? `L’élément ${id} est déjà facturé (facture ${invoiceNumberOf(seq.year, seq.seq)}).`
			: `L’élément ${id} est déjà en cours de facturation.`
	);
}

/** A claim whose holder died before writing its invoice: taken over when stale and unused. */
async function takeOverStale(
	ctx: AppContext,
	claim: ClaimDoc,
	now: Date
): Promise<{ outcome: 'created'; rev: string } | { outcome: 'taken' }> {
	const db = ctx.couch.privateDb;
	const existing = await getOrNull<ClaimDoc>(db, claim._id);
	if (!existing || existing.invoiceId !== undefined) return { outcome: 'taken' };
	if (now.getTime() - Date.parse(existing.at) < CLAIM_STALE_MS) return { outcome: 'taken' };
	const used = (await allInvoices(ctx.couch.db)).some((i) =>
		i.billingIds.includes(claim.billingId)
	);
	if (used) return { outcome: 'taken' };
	const written = await write(db, { ...claim, _rev: existing._rev });
	return written?.status === 201 ? { outcome: 'created', rev: written.rev } : { outcome: 'taken' };
}

/**
 * Issues one invoice for the items (one client's).
 * @throws {HttpError} 400 in words for a wrong request; nothing is written then.
 */
export async function issueInvoice(
	ctx: AppContext,
	user: { _id: string },
	body: IssueBody
): Promise<InvoiceDoc> {
	const db = ctx.couch.db;
	for (const id of body.billingIds)
		if (!id.startsWith('billing:'))
			throw bad('unknown_billing', `${id} n’est pas un élément de facturation.`);
	const docs = await fetchDocs(db, body.billingIds);
	const items: BillingDoc[] = [];
	for (const id of body.billingIds) {
		const raw = docs.get(id);
		if (!raw || raw._deleted === true || !isDocOf('billing', raw))
			throw bad('unknown_billing', `L’élément de facturation ${id} n’existe pas.`);
		items.push(raw);
	}
	const clientIds = new Set(items.map((i) => i.clientId));
	if (clientIds.size > 1)
		throw bad(
			'mixed_clients',
			'Une facture ne regroupe que des interventions d’un même client : ces éléments sont de clients différents.'
		);
	const clientId = items[0]!.clientId;
	for (const a of body.adjustments ?? [])
		if (!body.billingIds.includes(a.billingId))
			throw bad(
				'unknown_line',
				`La modification porte sur ${a.billingId}, qui n’est pas dans cette facture.`
			);
	const [rate, company, clientRaw, claims] = await Promise.all([
		vatRate(db),
		companyConfig(ctx.couch),
		getOrNull<Raw>(db, clientId),
		fetchDocs(ctx.couch.privateDb, body.billingIds.map(claimId))
	]);
	const lines = invoiceLines(items, body.adjustments ?? [], rate, {
		included: fr['invoice.line.included'],
		hourBank: fr['invoice.line.hourBank']
	});
	if (!lines.ok) throw linesProblem(lines.error);
	for (const [id, claim] of claims) {
		const c = claim as unknown as ClaimDoc;
		if (c.invoiceId !== undefined) throw alreadyInvoiced(c.billingId, c.invoiceId);
		if (ctx.now().getTime() - Date.parse(c.at) < CLAIM_STALE_MS)
			throw alreadyInvoiced(c.billingId ?? id, undefined);
	}
	const client = clientRaw && isDocOf('client', clientRaw) ? clientRaw : null;
	const issuer = issuerOf(ctx);
	return issuer.serial(async () => {
		const now = ctx.now();
		const token = `${now.getTime()}:${Math.random().toString(36).slice(2)}`;
		const held = await claimItems(ctx, body.billingIds, token, now);
		let invoice: InvoiceDoc;
		let rev: string;
		try {
			({ invoice, rev } = await number(ctx, issuer, {
				items,
				lines: lines.value,
				client,
				clientId,
				company: companySnapshot(company),
				user,
				now
			}));
		} catch (error) {
			for (const c of held)
				await ctx.couch.privateDb.destroy(c._id, c._rev!).catch(() => undefined);
			throw error;
		}
		syncOf(ctx).noteWritten(invoice._id, rev, false);
		for (const c of held)
			await write(ctx.couch.privateDb, { ...c, invoiceId: invoice._id }).catch((error: unknown) =>
				console.warn(`billing: claim ${c._id} not noted: ${messageOf(error)}`)
			);
		await mailIssued(ctx, invoice, client).catch((error: unknown) =>
			console.warn(`billing: mail of ${invoice._id} not queued: ${messageOf(error)}`)
		);
		return { ...invoice, _rev: rev };
	});
}

async function number(
	ctx: AppContext,
	issuer: Issuer,
	input: {
		items: readonly BillingDoc[];
		lines: InvoiceDoc['lines'];
		client: ClientDoc | null;
		clientId: string;
		company: InvoiceCompany;
		user: { _id: string };
		now: Date;
	}
): Promise<{ invoice: InvoiceDoc; rev: string }> {
	const { now } = input;
	const year = invoiceYear(now);
	const issuedAt = toIso(now);
	const totals = invoiceTotals(input.lines);
	const period = periodOf(input.items);
	const terms = input.company.paymentTermsDays ?? DEFAULT_PAYMENT_TERMS_DAYS;
	let seq = (await issuer.frontier(year)) + 1;
	let lost = 0;
	for (;;) {
		const invoice: InvoiceDoc = {
			_id: invoiceIdOf(year, seq),
			type: 'invoice',
			number: invoiceNumberOf(year, seq),
			year,
			seq,
			clientId: input.clientId,
			...(input.client ? { client: { name: input.client.name } } : {}),
			billingIds: input.items.map((i) => i._id),
			ticketIds: [...new Set(input.items.map((i) => i.ticketId))],
			...(period === undefined ? {} : { period }),
			lines: [...input.lines],
			...totals,
			currency: 'EUR',
			issuedAt,
			issuedBy: input.user._id,
			dueDate: dueDateOf(issuedAt, terms),
			company: input.company
		};
		const checked = parseAs('invoice', invoice);
		if (!checked.ok) throw new Error(`invoice: ${checked.error.join('; ')}`);
		const decided = await createDecided(ctx.couch.db, invoice);
		if (decided.outcome === 'created') {
			issuer.advance(year, seq);
			return { invoice, rev: decided.rev };
		}
		// Taken, or lost to a racer on a cluster: that number is another invoice's.
		issuer.advance(year, seq);
		seq++;
		if (decided.outcome === 'lost' && ++lost > MAX_LOST)
			throw new HttpError(
				503,
				'busy',
				'La base de données ne confirme pas les écritures (quorum non atteint) : réessayez plus tard.'
			);
	}
}

/** The contact a client's invoices go to: its billing contact, else the first with an e-mail. */
export function billingContact(client: ClientDoc | null): string | null {
	if (!client) return null;
	const withMail = client.contacts.filter((c) => c.email !== undefined);
	const billing = withMail.find((c) => /factur|compta|billing|account/i.test(c.role ?? ''));
	return (billing ?? withMail[0])?.email ?? null;
}

async function mailIssued(
	ctx: AppContext,
	invoice: InvoiceDoc,
	client: ClientDoc | null
): Promise<boolean> {
	const to = billingContact(client);
	const outbox = notifyServiceOf(ctx)?.outbox;
	if (!to || !outbox) return false;
	const mail = invoiceMail(invoice);
	return outbox.queue(`mail:invoice:${invoice._id}`, { to, ...mail, about: invoice._id });
}

/** The client's standing from its invoices, `written` in place of the copy read. */
export async function standing(
	ctx: AppContext,
	clientId: string,
	written?: InvoiceDoc
): Promise<Standing> {
	const read = await invoicesOf(ctx.couch.db, clientId);
	const company = await companyConfig(ctx.couch);
	const invoices = written ? withWritten(read, written) : read;
	return standingOf(
		clientId,
		invoices,
		ctx.now(),
		company?.paymentTermsDays ?? DEFAULT_PAYMENT_TERMS_DAYS
	);
}

function paidInstant(day: string | undefined, now: Date): string {
	if (day === undefined) return toIso(now);
	// Noon UTC is the same calendar day in Paris, summer and winter.
	return `${day}T12:00:00.000Z`;
}

/**
 * Marks the invoice paid, once.
 * @throws {HttpError} 404 no such invoice, 409 `already_paid`, 400 a wrong date.
 */
export async function markPaid(
	ctx: AppContext,
	user: { _id: string },
	invoiceId: string,
	body: v.InferOutput<typeof PaidBodySchema>
): Promise<{ invoice: InvoiceDoc; standing: Standing }> {
	const db = ctx.couch.db;
	const now = ctx.now();
	if (body.paidAt !== undefined && body.paidAt > localDay(now))
		throw bad('paid_in_future', 'La date de paiement ne peut pas être dans le futur.');
	const found = await readInvoice(ctx, invoiceId);
	if (found.paidAt !== undefined) throw alreadyPaid(found);
	if (body.paidAt !== undefined && body.paidAt < found.issuedAt.slice(0, 10))
		throw bad('paid_before_issue', 'La date de paiement ne peut pas précéder la facture.');
	const claim = {
		_id: paidClaimId(invoiceId),
		type: 'invoice_paid',
		by: user._id,
		at: now.toISOString()
	};
	let decided = await claimOnce(ctx.couch.privateDb, claim);
	if (decided.outcome === 'taken') {
		// A payer that died before writing the payment: its claim is stale and the invoice unpaid.
		const existing = await getOrNull<{ at: string }>(ctx.couch.privateDb, claim._id);
		const fresh = await readInvoice(ctx, invoiceId);
		if (
			existing &&
			fresh.paidAt === undefined &&
			now.getTime() - Date.parse(existing.at) >= CLAIM_STALE_MS
		) {
			const over = await write(ctx.couch.privateDb, { ...existing, ...claim });
			if (over?.status === 201) decided = { outcome: 'created', rev: over.rev };
		}
	}
	if (decided.outcome !== 'created') throw alreadyPaid(await readInvoice(ctx, invoiceId));
	const paidAt = paidInstant(body.paidAt, now);
	let current = await readInvoice(ctx, invoiceId);
	for (let attempt = 0; ; attempt++) {
		if (current.paidAt !== undefined) throw alreadyPaid(current);
		const paid: InvoiceDoc = { ...current, paidAt, paidBy: user._id };
		const written = await write(db, paid);
		if (written) {
			syncOf(ctx).noteWritten(invoiceId, written.rev, false);
			const result = { ...paid, _rev: written.rev };
			const after = await standing(ctx, paid.clientId, result);
			await updateCommercialStatus(ctx, user, paid.clientId, after);
			return { invoice: result, standing: after };
		}
		if (attempt >= 5)
			throw new HttpError(409, 'conflict', 'Facture modifiée entre-temps : réessayez.');
		current = await readInvoice(ctx, invoiceId);
	}
}

function alreadyPaid(invoice: InvoiceDoc): HttpError {
	return new HttpError(
		409,
		'already_paid',
		invoice.paidAt
			? `La facture ${invoice.number} est déjà marquée payée (le ${formatDay(invoice.paidAt)}).`
			: `La facture ${invoice.number} est déjà en cours de paiement.`
	);
}

/** @throws {HttpError} 404 when there is no such invoice. */
export async function readInvoice(ctx: AppContext, id: string): Promise<InvoiceDoc> {
	if (parseInvoiceId(id) === null) throw new HttpError(404, 'not_found', 'Facture introuvable.');
	const raw = await getOrNull<Raw>(ctx.couch.db, id);
	if (!raw || !isDocOf('invoice', raw))
		throw new HttpError(404, 'not_found', 'Facture introuvable.');
	return raw;
}

/**
 * Seed 000: on payment the commercial service updates the client's commercial status — a
 * suspended client with nothing left to pay is active again. The client document is edited on
 * devices too: the change is stamped (`touch`), like every device's save, so a concurrent edit
 * of another field merges with it and a concurrent edit of the status is decided by the stamps.
 */
async function updateCommercialStatus(
	ctx: AppContext,
	user: { _id: string },
	clientId: string,
	after: Standing
): Promise<void> {
	for (let attempt = 0; attempt < 5; attempt++) {
		const raw = await getOrNull<Raw>(ctx.couch.db, clientId);
		if (!raw || !isDocOf('client', raw)) return;
		const status = statusAfterPayment(raw, after);
		if (status === raw.commercialStatus) return;
		const next = touch(raw, { ...raw, commercialStatus: status }, ctx.now(), user._id);
		try {
			const written = await write(ctx.couch.db, next);
			if (written) {
				syncOf(ctx).noteWritten(clientId, written.rev, false);
				return;
			}
		} catch (error) {
			if (statusOf(error) !== 409) throw error;
		}
	}
	console.warn(`billing: ${clientId}'s commercial status not updated (kept changing)`);
}

export { formatCents };
