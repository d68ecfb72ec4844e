import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { aClient, aReport, aTicket, at } from '../domain/testing/factories.ts';
import { fr, type MessageKey } from '../i18n/messages.ts';
import { en } from '../i18n/messages.en.ts';
import { pdfInputOf } from './report-pdf-input.ts';
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

describe('the report PDF', () => {
	it('lays out a long report in French over several pages, with both signatures', async () => {
		const input = pdfInputOf(
			{
				report,
				ticket: aTicket({ number: 10421 }),
				client: aClient(),
				site: aClient().sites[0] ?? null,
				images: { technician: PNG, client: PNG }
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
				images: { technician: PNG, client: PNG }
			},
			translate(en),
			dateTime
		);
		expect(input.labels.title).toBe('Intervention report');
		expect(input.ticket).toBe('Provisional no. — Imprimante hors service');
	});
});
