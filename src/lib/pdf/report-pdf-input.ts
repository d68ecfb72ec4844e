// Turns a signed report and what surrounds it into the texts the PDF lays out, in the
// reader's language. Kept apart from report-pdf.ts so the page can build it without loading
// pdf-lib, and tests can check it without a browser.
import type { ClientDoc, CompanyConfig, ReportDoc, Site, TicketDoc } from '#lib/domain/schemas.ts';
import type { MessageKey } from '#lib/i18n/messages.ts';
import type { PdfSignature, ReportPdfInput } from './report-pdf.ts';

type T = (key: MessageKey, params?: Record<string, string | number>) => string;
type DateTime = (iso: string, options?: Intl.DateTimeFormatOptions) => string;

function duration(times: ReportDoc['times']): string {
	let ms = 0;
	for (const s of times) ms += Date.parse(s.end) - Date.parse(s.start);
	const minutes = Math.round(ms / 60_000);
	return minutes < 60
		? `${minutes} min`
		: `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')}`;
}

export function pdfInputOf(
	context: {
		report: ReportDoc;
		ticket: TicketDoc;
		client: ClientDoc | null;
		site: Site | null;
		images: { technician: Uint8Array; client: Uint8Array };
		/** The `config:company` referential; the product's name when there is none. */
		company: CompanyConfig | null;
		/** The report's photo attachments, in their order. */
		photos: readonly Uint8Array[];
	},
	t: T,
	dateTime: DateTime
): ReportPdfInput {
	const { report, ticket, client, site, images, company } = context;
	const number =
		ticket.number === undefined
			? t('mission.provisional')
			: t('mission.number', { number: ticket.number });
	const signatures: PdfSignature[] = [];
	const tech = report.signatures.technician;
	const cli = report.signatures.client;
	if (tech)
		signatures.push({
			title: t('report.techSignature'),
			name: tech.name,
			when: dateTime(tech.at),
			png: images.technician
		});
	if (cli)
		signatures.push({
			title: t('client.title'),
			name: cli.name,
			when: dateTime(cli.at),
			png: images.client
		});
	const companyDetails = company
		? [
				company.address.join(', '),
				company.phone ? t('pdf.phone', { phone: company.phone }) : '',
				company.email ?? '',
				company.siret ? t('pdf.siret', { siret: company.siret }) : ''
			].filter((s) => s !== '')
		: [];
	return {
		companyDetails,
		photos: context.photos,
		labels: {
			company: company?.name ?? t('pdf.company'),
			photos: t('pdf.photos'),
			title: t('pdf.title'),
			ticket: t('pdf.ticket'),
			client: t('pdf.client'),
			site: t('pdf.site'),
			technician: t('pdf.technician'),
			times: t('pdf.times'),
			tasks: t('pdf.tasks'),
			parts: t('pdf.parts'),
			remarks: t('pdf.remarks'),
			outcome: t('pdf.outcome'),
			changes: t('pdf.changes'),
			signatures: t('pdf.signatures'),
			hash: t('pdf.hash'),
			none: t('pdf.none')
		},
		ticket: `${number} — ${ticket.title}`,
		client: client?.name ?? '',
		site: site
			? `${site.label ? `${site.label}, ` : ''}${site.address}, ${site.postcode} ${site.city}`
			: '',
		technician: tech?.name ?? report.technicianId,
		periods: report.times.map(
			(s) => `${dateTime(s.start)} – ${dateTime(s.end, { timeStyle: 'short' })}`
		),
		total: t('pdf.total', { time: duration(report.times) }),
		tasks: report.tasks,
		parts: report.parts.map((p) => `${p.qty} × ${p.label}${p.ref ? ` (${p.ref})` : ''}`),
		remarks: report.remarks,
		outcome: t(`report.outcome.${report.outcome}`),
		changes: report.techfileChanges.map((c) => c.summary),
		signatures,
		hash: report.hash ?? '',
		createdAt: new Date(report.signedAt ?? report.updatedAt)
	};
}

/** The names of a report's photo attachments (everything but the signatures), in order. */
export function photoNames(report: ReportDoc): string[] {
	return Object.keys(report._attachments ?? {})
		.filter((name) => !name.startsWith('signature-'))
		.sort();
}
