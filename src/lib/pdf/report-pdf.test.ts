import { PDFDocument, PDFName, PDFRawStream, decodePDFRawStream } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { aClient, aConfig, aReport, aTicket, at } from '../domain/testing/factories.ts';
import type { CompanyConfig } from '../domain/schemas.ts';
import { fr, type MessageKey } from '../i18n/messages.ts';
import { en } from '../i18n/messages.en.ts';
import { pdfInputOf, photoNames } from './report-pdf-input.ts';
import { reportPdf } from './report-pdf.ts';

const PNG = Uint8Array.from(
	atob(
		'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='
	),
	(c) => c.charCodeAt(0)
);
const translate =
	(dict: Record<MessageKey, string>) =>
	(key: MessageKey, params: Record<string, string | number> = {}) =>
		dict[key].replace(/\{(\w+)\}/g, (_, n: string) => String(params[n] ?? ''));
const dateTime = (iso: string) =>
	new Intl.DateTimeFormat('fr-FR', {
		dateStyle: 'short',
		timeStyle: 'short',
		timeZone: 'Europe/Paris'
	}).format(new Date(iso));

const report = aReport({
	times: [{ start: at(0), end: at(75) }],
	tasks: [
		'Diagnostic de la panne',
		'Remplacement du switch — baie 2 ✓ 🔧',
		...Array(40).fill('Tâche répétée')
	],
	parts: [{ label: 'Switch 8 ports', qty: 1, ref: 'SW-8' }],
	remarks: 'Prix\u202f: 12\u00a0€ — à voir',
	signatures: {
		technician: { name: 'Julien Moreau', at: at(76) },
		client: { name: 'Aurélie Benali', at: at(77) }
	},
	signedAt: at(77),
	hash: 'a'.repeat(64)
});

/** A 4×3 RGB PNG: a photo's shape. */
const PHOTO_PNG = Uint8Array.from(
	atob(
		'iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAIAAAA7ljmRAAAAEElEQVR4nGM4kWIERww4OQBHKhBpqqu7qgAAAABJRU5ErkJggg=='
	),
	(c) => c.charCodeAt(0)
);

/** The (colour) images a PDF embeds, as width × height, and the text of its page content streams. */
function inside(doc: PDFDocument): { images: string[]; content: string } {
	const images: string[] = [];
	let content = '';
	for (const [, object] of doc.context.enumerateIndirectObjects()) {
		if (!(object instanceof PDFRawStream)) continue;
		const dict = object.dict;
		// An image with transparency comes with its alpha as a second, grey image (SMask).
		if (
			dict.get(PDFName.of('Subtype')) === PDFName.of('Image') &&
			dict.get(PDFName.of('ColorSpace')) !== PDFName.of('DeviceGray')
		)
			images.push(
				`${String(dict.get(PDFName.of('Width')))}×${String(dict.get(PDFName.of('Height')))}`
			);
		else if (!dict.has(PDFName.of('Type')) || dict.get(PDFName.of('Type')) !== PDFName.of('XRef'))
			content += new TextDecoder('latin1').decode(decodePDFRawStream(object).decode());
	}
	return { images, content };
}

/** How pdf-lib writes a WinAnsi text in a content stream: hex digits (here without the <>). */
const hex = (text: string) =>
	[...text].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()).join('');

describe('the report PDF', () => {
	it('names the company from config:company with its details, and embeds the photos', async () => {
		const company = aConfig('company') as CompanyConfig;
		const input = pdfInputOf(
			{
				report,
				ticket: aTicket({ number: 10421 }),
				client: aClient(),
				site: aClient().sites[0] ?? null,
				images: { technician: PNG, client: PNG },
				company,
				photos: [PHOTO_PNG, PHOTO_PNG, new Uint8Array([1, 2, 3])]
			},
			translate(fr),
			dateTime
		);
		expect(input.labels.company).toBe('Maintenance Informatique Ouest');
		const doc = await PDFDocument.load(await reportPdf(input));
		const { images, content } = inside(doc);
		// Two photos (the unknown bytes are left out) and the two signatures.
		expect(images.filter((i) => i === '4×3')).toHaveLength(2);
		expect(images.filter((i) => i === '1×1')).toHaveLength(2);
		expect(content).toContain(hex('Maintenance Informatique Ouest'));
		expect(content).not.toContain(hex('Terrain'));
		expect(content).toContain(hex('SIRET 12345678900011'));
		expect(content).toContain(hex('Photos'));
		expect(doc.getCreator()).toBe('Maintenance Informatique Ouest');
	});

	it('says nothing of photos when there are none, and falls back to the product name', async () => {
		const input = pdfInputOf(
			{
				report,
				ticket: aTicket(),
				client: null,
				site: null,
				images: { technician: PNG, client: PNG },
				company: null,
				photos: []
			},
			translate(fr),
			dateTime
		);
		const { images, content } = inside(await PDFDocument.load(await reportPdf(input)));
		expect(images).toEqual(['1×1', '1×1']);
		expect(content).not.toContain(hex('Photos'));
		expect(content).toContain(hex('Terrain'));
	});

	it('takes every attachment but the signatures as a photo, in name order', () => {
		const stub = { content_type: 'image/jpeg', stub: true };
		expect(
			photoNames({
				...report,
				_attachments: {
					'signature-client.png': stub,
					'photo-02.jpg': stub,
					'photo-01.jpg': stub,
					'signature-technician.png': stub
				}
			} as typeof report)
		).toEqual(['photo-01.jpg', 'photo-02.jpg']);
	});

	it('lays out a long report in French over several pages, with both signatures', async () => {
		const input = pdfInputOf(
			{
				report,
				ticket: aTicket({ number: 10421 }),
				client: aClient(),
				site: aClient().sites[0] ?? null,
				images: { technician: PNG, client: PNG },
				company: null,
				photos: []
			},
			translate(fr),
			dateTime
		);
		expect(input.ticket).toBe('N° 10421 — Imprimante hors service');
		expect(input.total).toBe('Total : 1 h 15');
		expect(input.signatures.map((s) => s.name)).toEqual(['Julien Moreau', 'Aurélie Benali']);
		const bytes = await reportPdf(input);
		const doc = await PDFDocument.load(bytes);
		expect(doc.getPageCount()).toBeGreaterThanOrEqual(2);
		expect(doc.getTitle()).toContain('Rapport d’intervention');
	});

	it('speaks English too', () => {
		const input = pdfInputOf(
			{
				report,
				ticket: aTicket(),
				client: null,
				site: null,
				images: { technician: PNG, client: PNG },
				company: null,
				photos: []
			},
			translate(en),
			dateTime
		);
		expect(input.labels.title).toBe('Intervention report');
		expect(input.ticket).toBe('Provisional no. — Imprimante hors service');
	});
});
