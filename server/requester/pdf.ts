/**
 * The signed report's PDF for the requester's page, made on the server with the same layout
 * code as the technician's phone (src/lib/pdf), in French and Paris time.
 */
import { signatureAttachmentName } from '#lib/domain/report-hash.ts';
import type { CompanyConfig, ReportDoc } from '#lib/domain/schemas.ts';
import { parseDoc } from '#lib/domain/schemas.ts';
import { fr, type MessageKey } from '#lib/i18n/messages.ts';
import { pdfInputOf, photoNames } from '#lib/pdf/report-pdf-input.ts';
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

async function attachment(couch: Couch, reportId: string, name: string) {
	try {
		return new Uint8Array(await couch.db.attachment.get(reportId, name));
	} catch (error) {
		if (statusOf(error) === 404) return new Uint8Array();
		throw error;
	}
}

/** The `config:company` referential, or null when absent or not valid. */
export async function companyConfig(couch: Couch): Promise<CompanyConfig | null> {
	const raw = await getOrNull<Record<string, unknown>>(couch.db, 'config:company');
	const parsed = raw ? parseDoc(raw) : null;
	return parsed?.ok && parsed.value.type === 'config' && parsed.value.kind === 'company'
		? parsed.value
		: null;
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
					technician: await attachment(couch, report._id, signatureAttachmentName('technician')),
					client: await attachment(couch, report._id, signatureAttachmentName('client'))
				},
				company: await companyConfig(couch),
				photos: await Promise.all(
					photoNames(report).map((name) => attachment(couch, report._id, name))
				)
			},
			t,
			dateTime
		)
	);
}
