/**
 * The signed report's PDF for the requester's page, made on the server with the same layout
 * code as the technician's phone (src/lib/pdf), in French and Paris time.
 */
import { signatureAttachmentName } from '#lib/domain/report-hash.ts';
import type { ReportDoc } from '#lib/domain/schemas.ts';
import { parseDoc } from '#lib/domain/schemas.ts';
import { fr, type MessageKey } from '#lib/i18n/messages.ts';
import { pdfInputOf } from '#lib/pdf/report-pdf-input.ts';
import { reportPdf } from '#lib/pdf/report-pdf.ts';
import type { Couch } from '../couch/connect.ts';
import { statusOf } from '../errors.ts';
import { getOrNull } from '../notify/store.ts';
import type { TicketWorld } from './view.ts';

function t(key: MessageKey, params: Record<string, string | number> = {}): string {
	return fr[key].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}

function dateTime(
	iso: string,
	options: Intl.DateTimeFormatOptions = { dateStyle: 'short', timeStyle: 'short' }
): string {
	return new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', ...options }).format(
		new Date(iso)
	);
}

async function signature(couch: Couch, reportId: string, role: 'technician' | 'client') {
	try {
		const png = await couch.db.attachment.get(reportId, signatureAttachmentName(role));
		return new Uint8Array(png);
	} catch (error) {
		if (statusOf(error) === 404) return new Uint8Array();
		throw error;
	}
}

/** The PDF of one signed report of the ticket. */
export async function requesterReportPdf(
	couch: Couch,
	world: TicketWorld,
	report: ReportDoc
): Promise<Uint8Array> {
	const mission = world.missions.find((m) => m._id === report.missionId);
	const raw = await getOrNull<Record<string, unknown>>(couch.db, report.clientId);
	const parsed = raw ? parseDoc(raw) : null;
	const client = parsed?.ok && parsed.value.type === 'client' ? parsed.value : null;
	const site = client?.sites.find((s) => s.id === mission?.siteId) ?? null;
	const ticket = {
		...world.ticket,
		...(world.number === null ? {} : { number: world.number })
	};
	return reportPdf(
		pdfInputOf(
			{
				report,
				ticket,
				client,
				site,
				images: {
					technician: await signature(couch, report._id, 'technician'),
					client: await signature(couch, report._id, 'client')
				}
			},
			t,
			dateTime
		)
	);
}
