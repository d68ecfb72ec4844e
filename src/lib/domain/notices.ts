/**
 * Requester notices on every state change (seed 004 §III-D-5), from templates the admin edits
 * in `config:notice_templates`. The defaults follow the seed's annex C wording.
 */
import type { NoticeKey, NoticePlaceholder, NoticeTemplate } from './schemas/config.ts';
import type { ClosureHow } from './schemas/ticket.ts';

/** How a ticket was closed, as the `{{closure}}` of a notice says it to the requester. */
export const CLOSURE_WORDS: Readonly<Record<ClosureHow, string>> = {
	requester: 'à votre confirmation',
	level1: 'par l’équipe d’assistance',
	level2: 'par l’intervenant en charge',
	timeout: 'sans retour de votre part dans le délai prévu'
};

const SIGN_OFF =
	'Suivez votre demande, écrivez-nous, confirmez sa résolution ou donnez votre avis sur votre page de suivi : {{url}}\n\nCordialement.';

export const DEFAULT_NOTICE_TEMPLATES: Readonly<Record<NoticeKey, NoticeTemplate>> = {
	ticket_created: {
		subject: 'Demande n° {{number}} enregistrée',
		body: `Bonjour,\n\nVotre demande n° {{number}} a bien été enregistrée.\nRésumé de votre demande : {{title}}\nCette demande va être prise en charge par l'équipe d'assistance.\n\n${SIGN_OFF}`
	},
	ticket_acknowledged: {
		subject: 'Demande n° {{number}} en cours de traitement',
		body: `Bonjour,\n\nVotre demande n° {{number}} est en cours de traitement.\nRésumé de votre demande : {{title}}\nElle est suivie par {{operator}}.\n\n${SIGN_OFF}`
	},
	ticket_updated: {
		subject: 'Demande n° {{number}} : suivi',
		body: `Bonjour,\n\nVotre demande n° {{number}} a progressé : {{status}}.\nRésumé de votre demande : {{title}}\n\n${SIGN_OFF}`
	},
	ticket_pending: {
		subject: 'Demande n° {{number}} : en attente',
		body: `Bonjour,\n\nVotre demande n° {{number}} est en attente : {{reason}}.\nRésumé de votre demande : {{title}}\n\n${SIGN_OFF}`
	},
	ticket_resolved: {
		subject: 'Demande n° {{number}} résolue',
		body: `Bonjour,\n\nVotre demande n° {{number}} est résolue.\nRésumé de votre demande : {{title}}\nRéponse : {{solution}}\nSi le problème persiste, répondez à ce message ou rouvrez la demande.\n\n${SIGN_OFF}`
	},
	ticket_closed: {
		subject: 'Demande n° {{number}} clôturée',
		body: `Bonjour,\n\nVotre demande n° {{number}} est maintenant clôturée ({{closure}}).\nRésumé de votre demande : {{title}}\nRéponse : {{solution}}\n\n${SIGN_OFF}\n{{operator}}`
	},
	ticket_reopened: {
		subject: 'Demande n° {{number}} rouverte',
		body: `Bonjour,\n\nVotre demande n° {{number}} a été rouverte et va être reprise par l'équipe d'assistance.\nRésumé de votre demande : {{title}}\n\n${SIGN_OFF}`
	},
	ticket_escalated: {
		subject: 'Escalade au niveau {{level}} — demande n° {{number}} {{title}}',
		body: 'Bonjour {{operator}},\n\nLe délai {{deadline}} de la demande n° {{number}} ({{title}}, priorité {{priority}}) est dépassé depuis le {{date}}.\nElle passe au niveau {{level}}.\n\nOuvrir la demande : {{url}}'
	},
	mission_planned: {
		subject: 'Demande n° {{number}} : intervention prévue le {{date}}',
		body: `Bonjour,\n\nUne intervention sur site est prévue le {{date}} pour votre demande n° {{number}}.\nIntervenant : {{technician}}\nRésumé de votre demande : {{title}}\n\n${SIGN_OFF}`
	}
};

/** "n° {{number}}" (or a bare "{{number}}") with the space before it. */
const NUMBER_PHRASE = /\s*(?:n°\s*)?\{\{\s*number\s*\}\}/g;

/**
 * Fills `{{placeholders}}`. A placeholder without a value is left visible rather than blanked,
 * so a missing value shows in the preview instead of leaving a silent hole in the e-mail.
 * The number is the exception: given as '' (the server has not numbered the ticket yet), the
 * phrase "n° {{number}}" goes, so the notice names no number rather than a provisional one.
 */
export function renderNotice(
	template: NoticeTemplate,
	values: Partial<Record<NoticePlaceholder, string>>
): NoticeTemplate {
	const fill = (raw: string) => {
		const text = values.number === '' ? raw.replace(NUMBER_PHRASE, '') : raw;
		return text.replace(
			/\{\{\s*([a-z]+)\s*\}\}/g,
			(whole, name: string) => values[name as NoticePlaceholder] ?? whole
		);
	};
	return { subject: fill(template.subject), body: fill(template.body) };
}

/** The admin's template for `key`, else the default. */
export function noticeTemplate(
	key: NoticeKey,
	configured?: Partial<Record<NoticeKey, NoticeTemplate | undefined>>
): NoticeTemplate {
	return configured?.[key] ?? DEFAULT_NOTICE_TEMPLATES[key];
}
