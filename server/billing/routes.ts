/**
 * The billing face's API (issue #14, point 5): issue an invoice, mark it paid, a client's
 * standing, the invoice's PDF, a client's hour-bank statement (PDF) and the accounting export
 * (CSV). Roles billing and admin; the standing also for the desk (dispatchers, experts).
 */
import { Router, type Request } from 'express';
import { localDay } from '#lib/domain/business-hours.ts';
import { numberEventId, numberFromEvent } from '#lib/domain/numbering.ts';
import { DEFAULT_LATE_PENALTY, hourBankStatement } from '#lib/domain/invoice.ts';
import { isDocOf, isIsoDate, type HourBankDoc } from '#lib/domain/schemas.ts';
import { HttpError } from '../errors.ts';
import { noStore, requireRole } from '../http/auth.ts';
import type { AppContext } from '../http/context.ts';
import { handle, parseBody } from '../http/handle.ts';
import { getOrNull } from '../notify/store.ts';
import { companyConfig } from '../requester/pdf.ts';
import {
	allInvoices,
	companySnapshot,
	issueInvoice,
	IssueBodySchema,
	markPaid,
	PaidBodySchema,
	readInvoice,
	standing
} from './invoices.ts';
import { exportCsv, invoicePdf, statementPdf } from './words.ts';

const BILLING = ['billing', 'admin'];
const DESK = ['billing', 'admin', 'dispatcher', 'expert'];

type Raw = Record<string, unknown>;

function param(req: Request, name: string): string {
	const value: unknown = req.params[name];
	return typeof value === 'string' ? value : '';
}

/** `from` and `to` of the query, `YYYY-MM-DD`, from before to. @throws {HttpError} 400 in words. */
function period(req: Request): { from: string; to: string } {
	const out: Record<string, string> = {};
	for (const name of ['from', 'to'] as const) {
		const value = req.query[name];
		if (typeof value !== 'string' || !isIsoDate(value))
			throw new HttpError(
				400,
				'invalid_period',
				`Indiquez ${name === 'from' ? 'le début' : 'la fin'} de la période en date réelle AAAA-MM-JJ (paramètre « ${name} »).`
			);
		out[name] = value;
	}
	if (out.to! < out.from!)
		throw new HttpError(400, 'invalid_period', 'La fin de la période précède son début.');
	return { from: out.from!, to: out.to! };
}

async function clientOr404(ctx: AppContext, clientId: string) {
	const raw = clientId.startsWith('client:') ? await getOrNull<Raw>(ctx.couch.db, clientId) : null;
	if (!raw || !isDocOf('client', raw)) throw new HttpError(404, 'not_found', 'Client introuvable.');
	return raw;
}

async function movesOf(ctx: AppContext): Promise<HourBankDoc[]> {
	const res = await ctx.couch.db.list({
		startkey: 'hourbank:',
		endkey: 'hourbank:\ufff0',
		include_docs: true
	});
	return res.rows.flatMap((r) => (r.doc && isDocOf('hourbank', r.doc) ? [r.doc] : []));
}

function sendPdf(res: import('express').Response, bytes: Uint8Array, name: string): void {
	res.setHeader('Content-Type', 'application/pdf');
	res.setHeader('Content-Disposition', `attachment; filename="${name}.pdf"`);
	noStore(res);
	res.end(Buffer.from(bytes));
}

export function billingRoutes(ctx: AppContext): Router {
	const router = Router();

	router.post(
		'/api/billing/invoices',
		handle(async (req, res) => {
			const user = await requireRole(ctx, req, ...BILLING);
			const body = parseBody(IssueBodySchema, req.body);
			const invoice = await issueInvoice(ctx, user, body);
			noStore(res);
			res.status(201).json({ invoice });
		})
	);

	router.post(
		'/api/billing/invoices/:id/paid',
		handle(async (req, res) => {
			const user = await requireRole(ctx, req, ...BILLING);
			const body = parseBody(PaidBodySchema, req.body);
			const out = await markPaid(ctx, user, param(req, 'id'), body);
			noStore(res);
			res.json(out);
		})
	);

	router.get(
		'/api/billing/standing/:clientId',
		handle(async (req, res) => {
			await requireRole(ctx, req, ...DESK);
			const client = await clientOr404(ctx, param(req, 'clientId'));
			noStore(res);
			res.json({ standing: await standing(ctx, client._id) });
		})
	);

	router.get(
		'/api/billing/invoices/:id/pdf',
		handle(async (req, res) => {
			await requireRole(ctx, req, ...BILLING);
			const invoice = await readInvoice(ctx, param(req, 'id'));
			const clientRaw = await getOrNull<Raw>(ctx.couch.db, invoice.clientId);
			const client = clientRaw && isDocOf('client', clientRaw) ? clientRaw : null;
			const tickets = new Map<string, number | null>();
			for (const id of invoice.ticketIds) {
				const ticket = await getOrNull<Raw>(ctx.couch.db, id);
				const own = typeof ticket?.number === 'number' ? ticket.number : null;
				tickets.set(
					id,
					own ?? numberFromEvent(await getOrNull(ctx.couch.db, numberEventId(id)))?.number ?? null
				);
			}
			const pdf = await invoicePdf(invoice, client, tickets, DEFAULT_LATE_PENALTY);
			sendPdf(res, pdf, `facture-${invoice.number}`);
		})
	);

	router.get(
		'/api/billing/hourbank/:clientId/statement.pdf',
		handle(async (req, res) => {
			await requireRole(ctx, req, ...BILLING);
			const { from, to } = period(req);
			const client = await clientOr404(ctx, param(req, 'clientId'));
			const statement = hourBankStatement(client, await movesOf(ctx), from, to);
			if (!statement)
				throw new HttpError(
					400,
					'no_hour_bank',
					`${client.name} n’a pas de contrat d’infogérance : pas de banque d’heures.`
				);
			const company = companySnapshot(await companyConfig(ctx.couch));
			const pdf = await statementPdf(statement, client, company, ctx.now());
			sendPdf(res, pdf, `releve-banque-heures-${from}-${to}`);
		})
	);

	router.get(
		'/api/billing/export.csv',
		handle(async (req, res) => {
			await requireRole(ctx, req, ...BILLING);
			const { from, to } = period(req);
			const inPeriod = (iso: string) => {
				const day = localDay(iso);
				return day >= from && day <= to;
			};
			const [invoices, moves, clients] = await Promise.all([
				allInvoices(ctx.couch.db),
				movesOf(ctx),
				ctx.couch.db.list({ startkey: 'client:', endkey: 'client:\ufff0', include_docs: true })
			]);
			const names = new Map<string, string>();
			for (const row of clients.rows)
				if (row.doc && typeof row.doc.name === 'string') names.set(row.id, row.doc.name);
			const csv = exportCsv(
				invoices.filter((i) => inPeriod(i.issuedAt)).sort((a, b) => a._id.localeCompare(b._id)),
				moves
					.filter((m) => inPeriod(m.closedAt))
					.sort((a, b) => a.closedAt.localeCompare(b.closedAt) || a._id.localeCompare(b._id)),
				names
			);
			res.setHeader('Content-Type', 'text/csv; charset=utf-8');
			res.setHeader('Content-Disposition', `attachment; filename="export-${from}-${to}.csv"`);
			noStore(res);
			res.send(csv);
		})
	);

	return router;
}
