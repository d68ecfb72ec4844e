/**
 * An invoice and an hour-bank statement as PDFs (issue #14, point 5), with the report PDF's
 * layout (report-pdf.ts: the brand band, wrapped text, headings). Everything arrives as text
 * already in the reader's language: this module only lays out.
 */
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { brandHeader, MUTED, Writer } from './report-pdf.ts';

/** A titled block of lines (the client, the lines, the totals, the terms…). */
export interface PdfSection {
	readonly heading?: string;
	readonly lines: readonly string[];
	/** Lines written in bold (the invoice's number, its total). */
	readonly bold?: readonly string[];
	/** Lines written in the muted colour (an adjustment's reason, the legal notices). */
	readonly muted?: readonly string[];
}

export interface BillingPdfInput {
	readonly title: string;
	readonly company: string;
	readonly companyDetails: readonly string[];
	readonly sections: readonly PdfSection[];
	readonly createdAt: Date;
}

/** The PDF bytes of an invoice or a statement, one section after the other. */
export async function billingPdf(input: BillingPdfInput): Promise<Uint8Array> {
	const doc = await PDFDocument.create();
	doc.setTitle(input.title);
	doc.setCreator(input.company);
	doc.setCreationDate(input.createdAt);
	const font = await doc.embedFont(StandardFonts.Helvetica);
	const bold = await doc.embedFont(StandardFonts.HelveticaBold);
	const w = new Writer(doc, font, bold);
	brandHeader(w, font, bold, input.company, input.companyDetails, input.title);
	for (const section of input.sections) {
		if (section.heading !== undefined) w.heading(section.heading);
		for (const line of section.lines) {
			const strong = section.bold?.includes(line) ?? false;
			const muted = section.muted?.includes(line) ?? false;
			w.text(line, { bold: strong, ...(muted ? { color: MUTED, size: 9.5, indent: 12 } : {}) });
		}
	}
	return doc.save();
}
