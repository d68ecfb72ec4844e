/**
 * The French words of invoices, hour-bank statements and the accounting export: from the i18n
 * catalogue (messages.ts), amounts in euros and dates in Paris time. The PDFs are laid out by
 * src/lib/pdf/invoice-pdf.ts.
 */
import { hoursAndMinutes } from '#lib/domain/hour-bank.ts';
import { csvAmount, csvText, lineVat, type HourBankStatement } from '#lib/domain/invoice.ts';
import type { ClientDoc, HourBankDoc, InvoiceDoc, InvoiceLine } from '#lib/domain/schemas.ts';
import { fr, type MessageKey } from '#lib/i18n/messages.ts';
import { billingPdf, type PdfSection } from '#lib/pdf/invoice-pdf.ts';

export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
	return fr[key].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}

const EUROS = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });
const DAY = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'short' });

export function formatCents(cents: number): string {
	return EUROS.format(cents / 100);
}

/** `14/03/2026`: a timestamp's Paris day, or a `YYYY-MM-DD` day as it is. */
export function formatDay(value: string): string {
	if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
		const [y, m, d] = value.split('-');
		return `${d}/${m}/${y}`;
	}
	return DAY.format(new Date(value));
}

function duration(minutes: number): string {
	const { hours, minutes: mm } = hoursAndMinutes(minutes);
	return `${minutes < 0 ? '-' : ''}${t('invoice.pdf.minutes', { hours, minutes: mm })}`;
}

function quantity(line: InvoiceLine): string {
	switch (line.unit) {
		case 'minute':
			return duration(line.quantity);
		case 'trip':
			return t('invoice.pdf.trips', { n: line.quantity });
		case 'piece':
			return t('invoice.pdf.pieces', { n: line.quantity });
		case 'intervention':
			return String(line.quantity);
	}
}

const rate = (bp: number) => `${(bp / 100).toLocaleString('fr-FR')} %`;

function lineWords(line: InvoiceLine): string[] {
	const main =
		line.unitPriceCents === 0 && line.amountCents === 0
			? t('invoice.pdf.lineZero', {
					label: line.label,
					quantity: quantity(line),
					amount: formatCents(0)
				})
			: t('invoice.pdf.line', {
					label: line.label,
					quantity: quantity(line),
					unitPrice: formatCents(line.unitPriceCents),
					amount: formatCents(line.amountCents),
					rate: rate(line.vatRateBp)
				});
	return line.adjusted
		? [
				main,
				t('invoice.pdf.adjusted', {
					from: formatCents(line.adjusted.fromCents),
					reason: line.adjusted.reason
				})
			]
		: [main];
}

function companyDetails(company: InvoiceDoc['company']): string[] {
	return [
		company.address.join(', '),
		company.phone ? t('pdf.phone', { phone: company.phone }) : '',
		company.email ?? '',
		company.siret ? t('invoice.pdf.siret', { siret: company.siret }) : '',
		company.vatNumber ? t('invoice.pdf.vatNumber', { vat: company.vatNumber }) : ''
	].filter((s) => s !== '');
}

/** The invoice's PDF, in French. */
export async function invoicePdf(
	invoice: InvoiceDoc,
	client: ClientDoc | null,
	tickets: ReadonlyMap<string, number | null>,
	latePenalty: string
): Promise<Uint8Array> {
	const c = invoice.company;
	const head = t('invoice.pdf.number', { number: invoice.number });
	const header = [
		head,
		t('invoice.pdf.date', { date: formatDay(invoice.issuedAt) }),
		...(invoice.dueDate ? [t('invoice.pdf.due', { date: formatDay(invoice.dueDate) })] : []),
		...(invoice.period ? [t('invoice.pdf.period', { period: invoice.period })] : []),
		t('invoice.pdf.tickets', {
			tickets: invoice.ticketIds
				.map((id) => {
					const n = tickets.get(id);
					return n == null ? id : `n° ${n}`;
				})
				.join(', ')
		})
	];
	const site = client?.sites[0];
	const clientLines = [
		invoice.client?.name ?? client?.name ?? invoice.clientId,
		...(site ? [site.address, `${site.postcode} ${site.city}`] : [])
	];
	const lineRows = invoice.lines.flatMap(lineWords);
	const adjustedRows = invoice.lines.flatMap((l) => lineWords(l).slice(1));
	const totals = [
		t('invoice.pdf.subtotal', { amount: formatCents(invoice.subtotalCents) }),
		t('invoice.pdf.vat', { amount: formatCents(invoice.vatCents) }),
		t('invoice.pdf.total', { amount: formatCents(invoice.totalCents) }),
		...(invoice.totalCents === 0 ? [t('invoice.pdf.nothingDue')] : [])
	];
	const terms = [
		...(invoice.dueDate
			? [
					t('invoice.pdf.termsDays', {
						days: c.paymentTermsDays ?? 30,
						date: formatDay(invoice.dueDate)
					})
				]
			: []),
		c.latePenalty ?? latePenalty,
		...(invoice.paidAt ? [t('invoice.pdf.paid', { date: formatDay(invoice.paidAt) })] : [])
	];
	const legal = [
		[
			c.name,
			c.legalForm && c.capital
				? t('invoice.pdf.capital', { form: c.legalForm, capital: c.capital })
				: c.legalForm
		]
			.filter(Boolean)
			.join(', '),
		c.siret ? t('invoice.pdf.siret', { siret: c.siret }) : '',
		c.rcs ?? '',
		c.vatNumber ? t('invoice.pdf.vatNumber', { vat: c.vatNumber }) : ''
	].filter((s) => s !== '');
	const sections: PdfSection[] = [
		{ lines: header, bold: [head] },
		{ heading: t('invoice.pdf.client'), lines: clientLines },
		{ heading: t('invoice.pdf.lines'), lines: lineRows, muted: adjustedRows },
		{ lines: totals, bold: [totals[2]!] },
		{ heading: t('invoice.pdf.terms'), lines: terms },
		{ heading: t('invoice.pdf.legal'), lines: legal, muted: legal }
	];
	return billingPdf({
		title: `${t('invoice.pdf.title')} ${invoice.number}`,
		company: c.name,
		companyDetails: companyDetails(c),
		sections,
		createdAt: new Date(invoice.issuedAt)
	});
}

/** The hour-bank statement's PDF, in French. */
export async function statementPdf(
	statement: HourBankStatement,
	client: ClientDoc,
	company: InvoiceDoc['company'],
	now: Date
): Promise<Uint8Array> {
	const moves = statement.rows.map((r) =>
		t('statement.pdf.move', {
			date: formatDay(r.day),
			description: moveWords(r.move),
			minutes: `${r.move.minutes > 0 ? '+' : ''}${duration(r.move.minutes)}`,
			balance: duration(r.balanceAfterMinutes)
		})
	);
	return billingPdf({
		title: t('statement.pdf.title'),
		company: company.name,
		companyDetails: companyDetails(company),
		sections: [
			{
				lines: [
					t('statement.pdf.client', { client: client.name }),
					t('statement.pdf.period', {
						from: formatDay(statement.from),
						to: formatDay(statement.to)
					}),
					t('statement.pdf.bank', { bank: duration(statement.bankMinutes) }),
					t('statement.pdf.before', { balance: duration(statement.balanceBeforeMinutes) })
				]
			},
			{
				heading: t('statement.pdf.moves'),
				lines: moves.length > 0 ? moves : [t('statement.pdf.none')]
			},
			{
				lines: [t('statement.pdf.after', { balance: duration(statement.balanceAfterMinutes) })],
				bold: [t('statement.pdf.after', { balance: duration(statement.balanceAfterMinutes) })]
			}
		],
		createdAt: now
	});
}

function moveWords(move: HourBankDoc): string {
	const kind = move.move === 'debit' ? t('statement.pdf.debit') : t('statement.pdf.correction');
	return move.description.trim() === '' ? kind : `${kind} — ${move.description}`;
}

/** The mail that tells the client's billing contact of a new invoice (the PDF is on request). */
export function invoiceMail(invoice: InvoiceDoc): { subject: string; text: string } {
	const lines = invoice.lines
		.map((l) => `- ${l.label} : ${formatCents(l.amountCents)} HT (TVA ${formatCents(lineVat(l))})`)
		.join('\n');
	return {
		subject: t('invoice.mail.subject', { number: invoice.number, company: invoice.company.name }),
		text: t('invoice.mail.body', {
			number: invoice.number,
			date: formatDay(invoice.issuedAt),
			client: invoice.client?.name ?? invoice.clientId,
			lines,
			subtotal: formatCents(invoice.subtotalCents),
			vat: formatCents(invoice.vatCents),
			total: formatCents(invoice.totalCents),
			due:
				invoice.totalCents === 0
					? t('invoice.mail.nothingDue')
					: invoice.dueDate
						? t('invoice.mail.due', { date: formatDay(invoice.dueDate) })
						: '',
			company: invoice.company.name
		})
	};
}

/**
 * The accounting export: the invoices issued in the period (number, date, client, amounts
 * excluding VAT, VAT, including VAT, paid date), then the hour-bank movements of the period.
 */
export function exportCsv(
	invoices: readonly InvoiceDoc[],
	moves: readonly HourBankDoc[],
	clients: ReadonlyMap<string, string>
): string {
	const rows: (string | number | null)[][] = [
		[
			'type',
			'numero',
			'date',
			'client_id',
			'client',
			'ht',
			'tva',
			'ttc',
			'payee_le',
			'minutes',
			'ticket',
			'libelle'
		]
	];
	for (const i of invoices)
		rows.push([
			'facture',
			i.number,
			formatDay(i.issuedAt),
			i.clientId,
			i.client?.name ?? clients.get(i.clientId) ?? '',
			csvAmount(i.subtotalCents),
			csvAmount(i.vatCents),
			csvAmount(i.totalCents),
			i.paidAt ? formatDay(i.paidAt) : '',
			'',
			i.ticketIds.join(' '),
			''
		]);
	for (const m of moves)
		rows.push([
			m.move === 'debit' ? 'banque_heures_debit' : 'banque_heures_correction',
			m._id,
			formatDay(m.closedAt),
			m.clientId,
			clients.get(m.clientId) ?? '',
			'',
			'',
			'',
			'',
			m.minutes,
			m.ticketId,
			m.description
		]);
	return csvText(rows);
}
