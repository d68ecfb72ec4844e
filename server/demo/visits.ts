// On-site interventions: the mission (fiche d'intervention) planned by the hotline, its
// start on site, and the intervention report signed by the technician and the client,
// sealed with the domain's report hash.
import { createHash } from 'node:crypto';
import { canonicalReport, signatureAttachmentName } from '../../src/lib/domain/report-hash.ts';
import type { MissionDoc, ReportDoc } from '../../src/lib/domain/schemas.ts';
import { touch } from '../../src/lib/domain/stamps.ts';
import { PARTS } from './equipment.ts';
import { PHOTO_STYLES, photoImage, photoName } from './photo.ts';
import type { Staff } from './people.ts';
import type { TicketPlan, Visit } from './plans.ts';
import type { Rng } from './rng.ts';
import type { StoryEnv } from './scenarios.ts';
import { signatureImage, signatureStyle } from './signature.ts';
import type { TicketStory } from './story.ts';
import { iso } from './time.ts';

/** Signature images by handwriting style, drawn once per generation. */
export type SignatureCache = Map<number, { base64: string; digest: string }>;

// prettier-ignore
const PARTS_BY_CATEGORY: Readonly<Record<string, readonly string[]>> = {
	'poste-de-travail': ['Barrette mémoire DDR4 16 Go', 'SSD NVMe 512 Go', 'Alimentation ATX 500 W', 'Clavier et souris sans fil', 'Écran 24 pouces'],
	impression: ['Toner noir', 'Kit de fusion imprimante'],
	reseau: ['Câble RJ45 Cat.6 3 m', 'Module SFP 1 Gbit/s'],
	wifi: ['Câble RJ45 Cat.6 3 m'],
	telephonie: ['Casque téléphonique USB'],
	serveur: ['Disque dur 4 To NAS', 'Batterie onduleur', 'Barrette mémoire DDR4 16 Go']
};

// Which equipment of the technical file a category is about.
// prettier-ignore
const EQUIPMENT_KIND: Readonly<Record<string, string>> = {
	'poste-de-travail': 'workstation', impression: 'printer', reseau: 'switch', wifi: 'access_point', serveur: 'server'
};

// prettier-ignore
const REMARKS = [
	'', '', 'RAS, utilisateur satisfait.', 'Prévoir le renouvellement du matériel l’an prochain.',
	'Sauvegarde vérifiée avant intervention.', 'Accès à la baie retardé de 15 min (clé introuvable).',
	'Mot de passe administrateur changé et reporté dans le dossier technique.'
];

const sha256 = (data: Uint8Array | string): string =>
	createHash('sha256').update(data).digest('hex');

function signature(cache: SignatureCache, signer: string): { base64: string; digest: string } {
	const style = signatureStyle(signer);
	let hit = cache.get(style);
	if (hit === undefined) {
		const image = signatureImage(style);
		hit = { base64: Buffer.from(image).toString('base64'), digest: sha256(image) };
		cache.set(style, hit);
	}
	return hit;
}

const PHOTOS = new Map<number, string>();

/** A photo of the work, base64; the style follows the report's id so no random draw moves. */
function photo(id: string): string {
	let h = 0;
	for (let i = 0; i < id.length; i++) h = (Math.imul(h, 31) + id.charCodeAt(i)) >>> 0;
	const style = h % PHOTO_STYLES;
	let hit = PHOTOS.get(style);
	if (hit === undefined)
		PHOTOS.set(style, (hit = Buffer.from(photoImage(style)).toString('base64')));
	return hit;
}

function replaceMission(story: TicketStory, before: MissionDoc, after: MissionDoc): MissionDoc {
	const i = story.missions.indexOf(before);
	if (i >= 0) story.missions[i] = after;
	return after;
}

function updateMission(
	story: TicketStory,
	before: MissionDoc,
	status: MissionDoc['status'],
	at: number,
	by: Staff
): MissionDoc {
	return replaceMission(story, before, touch(before, { ...before, status }, at, by.id));
}

const DATE_FORMAT = new Intl.DateTimeFormat('fr-FR', {
	timeZone: 'Europe/Paris',
	dateStyle: 'full',
	timeStyle: 'short'
});

export function planMission(
	env: StoryEnv,
	story: TicketStory,
	plan: TicketPlan,
	visit: Visit,
	at: number
): MissionDoc {
	const { site, contact, dispatcher } = plan;
	const tech = visit.technician;
	const before = story.ticket.status;
	story.act({ type: 'plan', technicianId: tech.id }, dispatcher, at);
	const toBring = PARTS_BY_CATEGORY[plan.category.id];
	const mission: MissionDoc = {
		_id: env.ctx.id('mission', at),
		type: 'mission',
		ticketId: story.ticket._id,
		clientId: plan.client.doc._id,
		siteId: site.id,
		technicianId: tech.id,
		start: iso(visit.start),
		end: iso(visit.end),
		estimatedMinutes: visit.estimatedMinutes,
		instructions: [
			`${plan.template.title}. ${plan.template.description}`,
			`Contact sur place : ${contact.name}${contact.phone ? ` (${contact.phone})` : ''}.`,
			`Adresse : ${site.address}, ${site.postcode} ${site.city}.`,
			'Consulter le dossier technique (accès, baie, identifiants) avant de partir.'
		].join('\n'),
		...(toBring === undefined ? {} : { toBring: toBring.slice(0, 2) }),
		status: 'planned',
		createdAt: iso(at),
		createdBy: dispatcher.id,
		updatedAt: iso(at),
		updatedBy: dispatcher.id
	};
	story.missions.push(mission);
	const date = DATE_FORMAT.format(visit.start);
	story.event('mission_planned', at, dispatcher, '', {
		subjectId: mission._id,
		visibility: 'requester',
		data: {
			action: 'plan',
			missionId: mission._id,
			technicianId: tech.id,
			technicianName: tech.displayName,
			start: mission.start,
			end: mission.end,
			from: before,
			to: story.ticket.status
		}
	});
	story.notice('mission_planned', at + 1000, { technician: tech.displayName, date });
	return mission;
}

export function startMission(
	story: TicketStory,
	mission: MissionDoc,
	tech: Staff,
	at: number
): MissionDoc {
	return updateMission(story, mission, 'in_progress', at, tech);
}

export function cancelMission(
	story: TicketStory,
	mission: MissionDoc,
	by: Staff,
	at: number
): MissionDoc {
	return updateMission(story, mission, 'cancelled', at, by);
}

interface VisitTimes {
	start: number;
	end: number;
	signedAt: number;
	outcome: ReportDoc['outcome'];
}

function techfileChanges(plan: TicketPlan, rng: Rng): ReportDoc['techfileChanges'] {
	const kind = EQUIPMENT_KIND[plan.category.id];
	if (kind === undefined || rng.chance(0.4)) return [];
	if (plan.template.request)
		return [{ section: 'equipment', action: 'added', summary: plan.template.solution }];
	const item = rng.sample(
		plan.client.techfile.equipment.filter((e) => e.kind === kind),
		1
	)[0];
	return item === undefined
		? []
		: [
				{
					section: 'equipment',
					action: 'changed',
					itemId: item.id,
					summary: `${item.label} : ${plan.template.solution}`
				}
			];
}

/** The signed report, the mission done, and their timeline events. */
export function finishVisit(
	env: StoryEnv,
	story: TicketStory,
	plan: TicketPlan,
	mission: MissionDoc,
	times: VisitTimes,
	rng: Rng
): ReportDoc {
	const tech = plan.technician ?? plan.dispatcher;
	const partLabels = PARTS_BY_CATEGORY[plan.category.id] ?? [];
	const parts =
		partLabels.length > 0 && rng.chance(0.4) ? rng.sample(partLabels, rng.int(1, 2)) : [];
	const signedAt = iso(times.signedAt);
	const images = {
		technician: signature(env.signatures, tech.displayName),
		client: signature(env.signatures, plan.contact.name)
	};
	const reportId = env.ctx.id('report', times.start);
	const report: ReportDoc = {
		_id: reportId,
		type: 'report',
		_attachments: {
			[photoName(1)]: { content_type: 'image/png', data: photo(reportId) },
			[signatureAttachmentName('technician')]: {
				content_type: 'image/png',
				data: images.technician.base64
			},
			[signatureAttachmentName('client')]: { content_type: 'image/png', data: images.client.base64 }
		},
		missionId: mission._id,
		ticketId: story.ticket._id,
		clientId: plan.client.doc._id,
		technicianId: tech.id,
		times: [{ start: iso(times.start), end: iso(times.end) }],
		tasks: [...plan.template.tasks, 'Test de bon fonctionnement avec l’utilisateur'],
		parts: parts.map((label) => ({
			label,
			qty: 1,
			ref: `REF-${String(PARTS.findIndex((p) => p.label === label) + 101)}`
		})),
		remarks:
			times.outcome === 'follow_up'
				? 'Pièce à commander : seconde intervention à prévoir.'
				: rng.pick(REMARKS),
		techfileChanges: times.outcome === 'resolved' ? techfileChanges(plan, rng) : [],
		outcome: times.outcome,
		signatures: {
			technician: { name: tech.displayName, at: signedAt },
			client: { name: plan.contact.name, at: signedAt }
		},
		signedAt,
		travelMinutes: rng.int(3, 12) * 5,
		createdAt: iso(times.start),
		updatedAt: signedAt
	};
	// hashReport() with these two images, computed synchronously (node:crypto) so the
	// generator stays a plain function; the unit test checks it against verifyReport().
	const digests: Record<string, string> = {
		[signatureAttachmentName('technician')]: images.technician.digest,
		[signatureAttachmentName('client')]: images.client.digest
	};
	let preimage = canonicalReport(report);
	for (const name of Object.keys(digests).sort()) preimage += `\n${name}\n${digests[name] ?? ''}`;
	report.hash = sha256(preimage);
	story.reports.push(report);
	updateMission(
		story,
		story.missions.find((m) => m._id === mission._id) ?? mission,
		'done',
		times.signedAt,
		tech
	);
	story.event('report_signed', times.signedAt, tech, '', {
		subjectId: report._id,
		data: {
			reportId: report._id,
			missionId: mission._id,
			hash: report.hash,
			technician: tech.displayName,
			client: plan.contact.name
		}
	});
	for (const change of report.techfileChanges) {
		story.event('follow_up', times.signedAt + 1000, tech, change.summary, {
			subjectId: plan.client.techfile._id,
			data: { reportId: report._id, ...change }
		});
	}
	return report;
}
