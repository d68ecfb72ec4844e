/**
 * The commercial service's calls to the server (server/billing/): issuing an invoice, marking
 * it paid, a client's commercial standing, and the addresses of the documents the server
 * renders (invoice PDF, hour-bank statement, accounting export). Issuing needs the network: the
 * server alone numbers invoices, in one continuous sequence per year.
 */
import type { Standing } from '../domain/invoice.ts';
import type { InvoiceDoc } from '../domain/schemas.ts';
import { api } from './http.ts';

/** An issued invoice, as the server wrote it (`invoice:2026-000001`, number `F2026-000001`). */
export type Invoice = InvoiceDoc;
export type { Standing };

/** A changed line amount, with the reason the invoice keeps. */
export interface Adjustment {
	readonly billingId: string;
	readonly lineIndex: number;
	readonly amountCents: number;
	readonly reason: string;
}

const path = (id: string) => encodeURIComponent(id);

/**
 * Issues one invoice for the billing items (one intervention, or a client's month).
 * @throws {ApiError} with the server's message (already_invoiced, mixed_clients,
 *   reason_required…); status 0 when the network is down.
 */
export async function issueInvoice(
	billingIds: readonly string[],
	adjustments: readonly Adjustment[] = []
): Promise<Invoice> {
	const body = adjustments.length > 0 ? { billingIds, adjustments } : { billingIds };
	const { invoice } = await api<{ invoice: Invoice }>('/api/billing/invoices', {
		method: 'POST',
		body
	});
	return invoice;
}

/**
 * Records the payment of an invoice (`paidAt`, a day, defaults to today on the server).
 * @throws {ApiError} 409 already_paid, or the server's other refusals.
 */
export async function markPaid(
	invoiceId: string,
	paidAt?: string
): Promise<{ invoice: Invoice; standing: Standing }> {
	return api<{ invoice: Invoice; standing: Standing }>(
		`/api/billing/invoices/${path(invoiceId)}/paid`,
		{ method: 'POST', body: paidAt === undefined ? {} : { paidAt } }
	);
}

/** @throws {ApiError} when the server refuses (role) or cannot be reached (status 0). */
export async function standingOf(clientId: string, signal?: AbortSignal): Promise<Standing> {
	const { standing } = await api<{ standing: Standing }>(
		`/api/billing/standing/${path(clientId)}`,
		signal ? { signal } : {}
	);
	return standing;
}

export const invoicePdfUrl = (invoiceId: string): string =>
	`/api/billing/invoices/${path(invoiceId)}/pdf`;

/** The hour-bank statement of a client over a period (days `YYYY-MM-DD`, inclusive). */
export const statementPdfUrl = (clientId: string, from: string, to: string): string =>
	`/api/billing/hourbank/${path(clientId)}/statement.pdf?${new URLSearchParams({ from, to })}`;

/** The accounting export of the invoices issued and the movements over a period. */
export const exportCsvUrl = (from: string, to: string): string =>
	`/api/billing/export.csv?${new URLSearchParams({ from, to })}`;

/** The file name a downloaded invoice gets: `facture-F2026-000001.pdf`. */
export const invoiceFileName = (invoice: Pick<Invoice, 'number'>): string =>
	`facture-${invoice.number}.pdf`;
