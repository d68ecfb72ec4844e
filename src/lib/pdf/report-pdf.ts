/**
 * The signed intervention report as a PDF, made on the device with pdf-lib (no network, no
 * server). Everything arrives as text already in the reader's language, so this module only
 * lays out. Load it with a dynamic import: pdf-lib is big and only needed on demand.
 */
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';

export interface PdfSignature {
	readonly title: string;
	readonly name: string;
	readonly when: string;
	readonly png: Uint8Array;
}

export interface ReportPdfInput {
	/** The company's details under its name in the header (address, phone, e-mail, SIRET). */
	readonly companyDetails: readonly string[];
	/** The report's photos, PNG or JPEG bytes; anything else is left out. */
	readonly photos: readonly Uint8Array[];
	readonly labels: {
		readonly company: string;
		readonly photos: string;
		readonly title: string;
		readonly ticket: string;
		readonly client: string;
		readonly site: string;
		readonly technician: string;
		readonly times: string;
		readonly tasks: string;
		readonly parts: string;
		readonly remarks: string;
		readonly outcome: string;
		readonly changes: string;
		readonly signatures: string;
		readonly hash: string;
		readonly none: string;
	};
	readonly ticket: string;
	readonly client: string;
	readonly site: string;
	readonly technician: string;
	readonly periods: readonly string[];
	readonly total: string;
	readonly tasks: readonly string[];
	readonly parts: readonly string[];
	readonly remarks: string;
	readonly outcome: string;
	readonly changes: readonly string[];
	readonly signatures: readonly PdfSignature[];
	readonly hash: string;
	readonly createdAt: Date;
}

export const A4: [number, number] = [595.28, 841.89];
export const MARGIN = 48;
export const BRAND = rgb(0.043, 0.31, 0.424); // #0b4f6c, the app's brand colour
export const INK = rgb(0.07, 0.125, 0.169);
export const MUTED = rgb(0.29, 0.353, 0.4);

/** Standard PDF fonts only know WinAnsi: other characters become close ones or '?'. */
export function encodable(font: PDFFont): (text: string) => string {
	const cache = new Map<string, string>();
	return (text) =>
		[...text.replace(/[\u00a0\u202f\u2009]/g, ' ').replace(/[\u2010-\u2013]/g, '-')]
			.map((ch) => {
				let out = cache.get(ch);
				if (out === undefined) {
					try {
						font.widthOfTextAtSize(ch, 10);
						out = ch;
					} catch {
						// A letter with an unknown accent keeps its letter; anything else is '?'.
						const base = ch.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
						out = /^[\x20-\x7e]+$/.test(base) ? base : '?';
					}
					cache.set(ch, out);
				}
				return out;
			})
			.join('');
}

export class Writer {
	readonly #doc: PDFDocument;
	readonly #font: PDFFont;
	readonly #bold: PDFFont;
	readonly #clean: (text: string) => string;
	page: PDFPage;
	y: number;

	constructor(doc: PDFDocument, font: PDFFont, bold: PDFFont) {
		this.#doc = doc;
		this.#font = font;
		this.#bold = bold;
		this.#clean = encodable(font);
		this.page = doc.addPage(A4);
		this.y = A4[1] - MARGIN;
	}

	/** Starts a new page when fewer than `height` points are left. */
	room(height: number): void {
		if (this.y - height >= MARGIN) return;
		this.page = this.#doc.addPage(A4);
		this.y = A4[1] - MARGIN;
	}

	/** Writes wrapped text; returns nothing, moves down. */
	text(
		text: string,
		options: { size?: number; bold?: boolean; color?: typeof INK; indent?: number } = {}
	): void {
		const size = options.size ?? 11;
		const font = options.bold ? this.#bold : this.#font;
		const width = A4[0] - 2 * MARGIN - (options.indent ?? 0);
		for (const paragraph of this.#clean(text).split('\n')) {
			for (const line of wrap(paragraph, font, size, width)) {
				this.room(size * 1.4);
				this.page.drawText(line, {
					x: MARGIN + (options.indent ?? 0),
					y: this.y - size,
					size,
					font,
					color: options.color ?? INK
				});
				this.y -= size * 1.4;
			}
		}
	}

	heading(text: string): void {
		this.y -= 8;
		this.room(40);
		this.text(text, { size: 13, bold: true, color: BRAND });
	}

	list(items: readonly string[], none: string): void {
		if (items.length === 0) this.text(none, { color: MUTED });
		for (const item of items) this.text(`• ${item}`, { indent: 8 });
	}
}

type PhotoKind = 'png' | 'jpeg';

/** PNG or JPEG by its first bytes; null for anything else. */
export function photoKind(bytes: Uint8Array): PhotoKind | null {
	if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47)
		return 'png';
	if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
	return null;
}

export function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
	const words = text.split(/\s+/).filter(Boolean);
	if (words.length === 0) return [''];
	const lines: string[] = [];
	let line = '';
	for (const word of words) {
		const next = line === '' ? word : `${line} ${word}`;
		if (font.widthOfTextAtSize(next, size) <= width || line === '') line = next;
		else {
			lines.push(line);
			line = word;
		}
	}
	lines.push(line);
	return lines;
}

/** The brand band on top of the first page: the company, its details and the document's title. */
export function brandHeader(
	w: Writer,
	font: PDFFont,
	bold: PDFFont,
	company: string,
	details: readonly string[],
	title: string
): void {
	// Company header: a brand band with the company, its details and the document's title.
	const white = rgb(1, 1, 1);
	w.page.drawRectangle({ x: 0, y: A4[1] - 96, width: A4[0], height: 96, color: BRAND });
	w.page.drawText(encodable(bold)(company), {
		x: MARGIN,
		y: A4[1] - 34,
		size: 16,
		font: bold,
		color: white
	});
	const joined = encodable(font)(details.join(' · '));
	for (const [i, line] of wrap(joined, font, 9, A4[0] - 2 * MARGIN)
		.slice(0, 2)
		.entries())
		w.page.drawText(line, { x: MARGIN, y: A4[1] - 50 - i * 11, size: 9, font, color: white });
	w.page.drawText(encodable(font)(title), {
		x: MARGIN,
		y: A4[1] - 84,
		size: 13,
		font,
		color: white
	});
	w.y = A4[1] - 116;
}

/** The PDF bytes of a signed report. @throws {Error} when a signature is not a PNG. */
export async function reportPdf(input: ReportPdfInput): Promise<Uint8Array> {
	const doc = await PDFDocument.create();
	doc.setTitle(`${input.labels.title} — ${input.ticket}`);
	doc.setCreator(input.labels.company);
	doc.setCreationDate(input.createdAt);
	const font = await doc.embedFont(StandardFonts.Helvetica);
	const bold = await doc.embedFont(StandardFonts.HelveticaBold);
	const mono = await doc.embedFont(StandardFonts.Courier);
	const w = new Writer(doc, font, bold);
	const { labels } = input;

	brandHeader(w, font, bold, labels.company, input.companyDetails, labels.title);

	for (const [label, value] of [
		[labels.ticket, input.ticket],
		[labels.client, input.client],
		[labels.site, input.site],
		[labels.technician, input.technician]
	] as const) {
		w.text(`${label} : ${value}`, { bold: label === labels.ticket });
	}
	w.heading(labels.times);
	w.list(input.periods, labels.none);
	w.text(input.total, { bold: true });
	w.heading(labels.tasks);
	w.list(input.tasks, labels.none);
	w.heading(labels.parts);
	w.list(input.parts, labels.none);
	if (input.remarks.trim() !== '') {
		w.heading(labels.remarks);
		w.text(input.remarks);
	}
	w.heading(labels.outcome);
	w.text(input.outcome);
	if (input.changes.length > 0) {
		w.heading(labels.changes);
		w.list(input.changes, labels.none);
	}

	const photos = input.photos.flatMap((bytes) => {
		const kind = photoKind(bytes);
		return kind ? [{ bytes, kind }] : [];
	});
	if (photos.length > 0) {
		w.heading(labels.photos);
		const gap = 12;
		const cell = (A4[0] - 2 * MARGIN - 2 * gap) / 3;
		const rowHeight = cell * 0.75;
		for (const [i, photo] of photos.entries()) {
			if (i % 3 === 0) {
				if (i > 0) w.y -= rowHeight + gap;
				w.room(rowHeight + gap);
			}
			const image =
				photo.kind === 'png' ? await doc.embedPng(photo.bytes) : await doc.embedJpg(photo.bytes);
			const scale = Math.min(cell / image.width, rowHeight / image.height);
			w.page.drawImage(image, {
				x: MARGIN + (i % 3) * (cell + gap),
				y: w.y - image.height * scale,
				width: image.width * scale,
				height: image.height * scale
			});
		}
		w.y -= rowHeight + gap;
	}

	w.heading(labels.signatures);
	const boxWidth = (A4[0] - 2 * MARGIN - 16) / 2;
	w.room(150);
	const top = w.y;
	for (const [i, signature] of input.signatures.entries()) {
		const x = MARGIN + i * (boxWidth + 16);
		const image = await doc.embedPng(signature.png);
		const scale = Math.min(boxWidth / image.width, 90 / image.height, 1);
		const clean = encodable(font);
		w.page.drawText(clean(signature.title), { x, y: top - 11, size: 11, font: bold, color: INK });
		w.page.drawImage(image, {
			x,
			y: top - 20 - image.height * scale,
			width: image.width * scale,
			height: image.height * scale
		});
		w.page.drawRectangle({
			x,
			y: top - 112,
			width: boxWidth,
			height: 92,
			borderColor: MUTED,
			borderWidth: 0.5
		});
		w.page.drawText(clean(signature.name), { x, y: top - 126, size: 10, font, color: INK });
		w.page.drawText(clean(signature.when), { x, y: top - 139, size: 10, font, color: MUTED });
	}
	w.y = top - 150;

	w.heading(labels.hash);
	w.room(20);
	w.page.drawText(input.hash, { x: MARGIN, y: w.y - 10, size: 9.5, font: mono, color: INK });
	w.y -= 16;
	return doc.save();
}
