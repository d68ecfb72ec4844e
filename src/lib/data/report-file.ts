/**
 * The signed report's PDF as a file, from what the device holds: the report, its signature
 * images and photos (attachments) and the company's details (`config:company`). The layout
 * code (pdf-lib) is loaded on demand, so it weighs nothing until someone asks for a PDF.
 */
import { signatureAttachmentName } from '#lib/domain/report-hash.ts';
import type { ClientDoc, ReportDoc, Site, TicketDoc } from '#lib/domain/schemas.ts';
import type { MessageKey } from '#lib/i18n/messages.ts';
import { pdfInputOf, photoNames } from '#lib/pdf/report-pdf-input.ts';
import { companyOf } from './config.ts';
import type { LocalDb } from './local-db.ts';
import { attachmentBlob } from './reports.ts';

type T = (key: MessageKey, params?: Record<string, string | number>) => string;
type DateTime = (iso: string, options?: Intl.DateTimeFormatOptions) => string;

async function bytes(db: LocalDb, id: string, name: string): Promise<Uint8Array> {
	const blob = await attachmentBlob(db, id, name);
	return new Uint8Array(blob ? await blob.arrayBuffer() : []);
}

/** The file name people see: `rapport-10421.pdf`, or a piece of the report id before numbering. */
export function reportFileName(report: ReportDoc, ticket: TicketDoc): string {
	return `rapport-${ticket.number ?? report._id.slice(7, 17)}.pdf`;
}

/** @throws {Error} when an attachment cannot be read or an image cannot be embedded. */
export async function reportPdfFile(
	db: LocalDb,
	context: { report: ReportDoc; ticket: TicketDoc; client: ClientDoc | null; site: Site | null },
	t: T,
	dateTime: DateTime
): Promise<File> {
	const { report } = context;
	const [{ reportPdf }, technician, client, company, photos] = await Promise.all([
		import('#lib/pdf/report-pdf.ts'),
		bytes(db, report._id, signatureAttachmentName('technician')),
		bytes(db, report._id, signatureAttachmentName('client')),
		companyOf(db),
		Promise.all(photoNames(report).map((name) => bytes(db, report._id, name)))
	]);
	const pdf = await reportPdf(
		pdfInputOf(
			{ ...context, images: { technician, client }, company, photos },
			t,
			dateTime
		)
	);
	return new File([pdf as Uint8Array<ArrayBuffer>], reportFileName(report, context.ticket), {
		type: 'application/pdf'
	});
}

/** Saves a file through the browser's download. */
export function downloadFile(file: File): void {
	const url = URL.createObjectURL(file);
	const a = Object.assign(document.createElement('a'), { href: url, download: file.name });
	a.click();
	setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
