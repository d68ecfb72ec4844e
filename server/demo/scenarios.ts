// Tells each planned ticket through the domain's state machine: the desk path (level 1
// solves at once, or routes to the level-2 group) and the field path (a technician is
// planned, goes on site, has the report signed and closes the ticket).
import { ITIL_PRIORITY_MATRIX, priorityOf } from '../../src/lib/domain/priority.ts';
import { openTicket, type TicketRules } from '../../src/lib/domain/ticket.ts';
import type { PendingReason } from '../../src/lib/domain/schemas/ticket.ts';
import { HOTLINE_GROUP } from './catalogue.ts';
import type { DemoContext } from './context.ts';
import type { Staff } from './people.ts';
import type { TicketPlan } from './plans.ts';
import type { Rng } from './rng.ts';
import { TicketStory, type Who } from './story.ts';
import { MINUTE, addBusiness } from './time.ts';
import { cancelMission, finishVisit, planMission, startMission } from './visits.ts';
import type { SignatureCache } from './visits.ts';

// prettier-ignore
const NOTES = [
	'Prise en main à distance : analyse des journaux en cours.',
	'Problème reproduit avec l’utilisateur, recherche de la cause.',
	'Contact pris avec l’éditeur, incident ouvert de leur côté.',
	'Mise à jour appliquée, en observation jusqu’à demain.',
	'L’utilisatrice confirme une amélioration partielle.',
	'Vérification faite sur le second site : même symptôme.'
];

// prettier-ignore
const WAITING: Readonly<Record<PendingReason, readonly string[]>> = {
	requester: ['En attente des disponibilités de l’utilisateur pour une prise en main.', 'En attente d’une capture d’écran du message d’erreur.', 'En attente de la validation du devis par le client.'],
	third_party: ['En attente de la livraison de la pièce commandée.', 'En attente du retour de l’opérateur.', 'En attente du support de l’éditeur.']
};

// prettier-ignore
const CANCEL_REASONS = ['Doublon d’une demande déjà ouverte.', 'Le client a résolu le problème de son côté.', 'Demande hors périmètre du contrat, réorientée vers le fournisseur.', 'Annulée à la demande du client.'];

/** Moves forward in time without ever passing `now`. */
class Clock {
	t: number;
	readonly #limit: number;
	readonly #rng: Rng;

	constructor(start: number, now: number, rng: Rng) {
		this.t = start;
		this.#limit = now - MINUTE;
		this.#rng = rng;
	}

	/** A few business minutes later (squeezed before `now` when the window is short). */
	business(min: number, max: number): number {
		return this.#set(addBusiness(this.t, this.#rng.int(min, max)));
	}

	/** A few wall-clock minutes later. */
	minutes(min: number, max: number): number {
		return this.#set(this.t + this.#rng.int(min, max) * MINUTE);
	}

	/** Exactly `at` (a known instant, such as a mission start), never going back. */
	at(at: number): number {
		this.t = Math.max(this.t + 1000, at);
		return this.t;
	}

	#set(next: number): number {
		const room = this.#limit - this.t;
		this.t =
			next <= this.#limit ? next : room > 2000 ? this.t + Math.floor(room / 2) : this.t + 1000;
		return this.t;
	}
}

export interface StoryEnv {
	readonly ctx: DemoContext;
	readonly rules: TicketRules;
	readonly signatures: SignatureCache;
}

function open(env: StoryEnv, plan: TicketPlan, number: number, rng: Rng): TicketStory {
	const known = plan.source !== 'form' || rng.chance(0.6);
	const ticket = openTicket(
		{
			id: env.ctx.id('ticket', plan.createdAt),
			kind: plan.template.request ? 'request' : 'incident',
			title: plan.template.title,
			description: `${plan.template.description}\nSite : ${plan.site.label ?? plan.site.city} (${plan.site.city}).`,
			requester: {
				name: plan.contact.name,
				...(plan.contact.email ? { email: plan.contact.email } : {}),
				...(plan.contact.phone ? { phone: plan.contact.phone } : {})
			},
			source: plan.source,
			// Part of the form's pre-tickets come without a known client: the operator finds it.
			...(known ? { clientId: plan.client.doc._id } : {})
		},
		plan.source === 'form' ? 'requester' : plan.dispatcher.id,
		plan.createdAt
	);
	const story = new TicketStory(env.ctx, { ...ticket, number }, env.rules);
	const t = plan.createdAt;
	const opener: Who = plan.source === 'form' ? 'requester' : plan.dispatcher;
	story.event('status_change', t, opener, '', {
		visibility: 'requester',
		data: { action: 'open', to: 'new', source: plan.source }
	});
	if (plan.source === 'phone')
		story.event(
			'call',
			t + 1, // after the opening, whatever the ids' random part
			plan.dispatcher,
			`Appel de ${plan.contact.name}${plan.contact.phone ? ` (${plan.contact.phone})` : ''} : ${plan.template.description}`
		);
	story.notice('ticket_created', t + 1000);
	return story;
}

function qualify(story: TicketStory, plan: TicketPlan, clock: Clock): void {
	const at = clock.business(4, 45);
	story.act(
		{
			type: 'qualify',
			category: plan.category.id,
			subcategory: plan.template.sub,
			impact: plan.impact,
			urgency: plan.urgency,
			clientId: plan.client.doc._id
		},
		plan.dispatcher,
		at,
		`Qualifié : ${plan.category.label}, priorité ${priorityLabel(plan)}`
	);
	story.notice('ticket_acknowledged', at + 1000, { operator: plan.dispatcher.displayName });
}

function priorityLabel(plan: TicketPlan): string {
	return `${priorityOf(plan.impact, plan.urgency, ITIL_PRIORITY_MATRIX)} (impact ${plan.impact}, urgence ${plan.urgency})`;
}

/** `reportId`: the signed report a technician closes through (the field closes no other way). */
function close(
	story: TicketStory,
	plan: TicketPlan,
	handler: Staff,
	clock: Clock,
	rng: Rng,
	reportId?: string
): void {
	const solution = plan.template.solution;
	const roll = rng.next();
	if (roll < 0.4) story.act({ type: 'close' }, 'requester', clock.business(30, 900));
	else if (roll < 0.65) story.act({ type: 'close' }, 'system', clock.business(2400, 2500));
	else story.act({ type: 'close', solution, reportId }, handler, clock.business(20, 600));
	story.notice('ticket_closed', clock.t + 1000, { operator: handler.displayName, solution });
}

function resolve(story: TicketStory, plan: TicketPlan, handler: Staff, at: number): void {
	story.act({ type: 'resolve', solution: plan.template.solution }, handler, at);
	story.notice('ticket_resolved', at + 1000, { solution: plan.template.solution });
}

function wait(
	story: TicketStory,
	who: Staff,
	at: number,
	rng: Rng,
	reason: PendingReason = rng.chance(0.6) ? 'requester' : 'third_party'
): void {
	const text = rng.pick(WAITING[reason]);
	story.act({ type: 'wait', reason }, who, at, text);
	story.notice('ticket_pending', at + 1000, { reason: text });
}

function deskStory(
	env: StoryEnv,
	plan: TicketPlan,
	story: TicketStory,
	clock: Clock,
	rng: Rng
): void {
	const { target, dispatcher } = plan;
	if (target === 'cancelled' && rng.chance(0.4)) {
		story.act(
			{ type: 'cancel', reason: rng.pick(CANCEL_REASONS) },
			dispatcher,
			clock.business(10, 240)
		);
		return;
	}
	qualify(story, plan, clock);
	const level1 = plan.category.routingGroup === HOTLINE_GROUP;
	if (target === 'qualified') {
		if (!level1 && rng.chance(0.5))
			story.act(
				{ type: 'route', group: plan.category.routingGroup },
				dispatcher,
				clock.business(2, 20)
			);
		return;
	}
	if (target === 'cancelled') {
		story.act(
			{ type: 'cancel', reason: rng.pick(CANCEL_REASONS) },
			dispatcher,
			clock.business(30, 600)
		);
		return;
	}
	// Solved at once by the hotliner, on the phone (seed 004 §III-B-1-b).
	if ((level1 || rng.chance(0.2)) && (target === 'closed' || target === 'resolved')) {
		const at = clock.business(3, 25);
		if (target === 'resolved') resolve(story, plan, dispatcher, at);
		else {
			story.act({ type: 'close', solution: plan.template.solution }, dispatcher, at);
			story.notice('ticket_closed', at + 1000, {
				operator: dispatcher.displayName,
				solution: plan.template.solution
			});
		}
		return;
	}
	const handler = level1 ? dispatcher : plan.expert;
	if (!level1)
		story.act(
			{ type: 'route', group: plan.category.routingGroup },
			dispatcher,
			clock.business(2, 20)
		);
	story.act({ type: 'assign', assignees: [handler.id] }, handler, clock.business(10, 120), '', [
		handler.displayName
	]);
	if (target === 'assigned') return;
	for (let i = rng.int(0, 2); i > 0; i--)
		story.event('follow_up', clock.business(30, 600), handler, rng.pick(NOTES));
	if (!level1 && rng.chance(0.08))
		story.act({ type: 'escalate' }, 'system', clock.business(60, 480));
	story.act({ type: 'start' }, handler, clock.business(5, 240));
	if (target === 'in_progress') return;
	if (target === 'pending') return wait(story, handler, clock.business(30, 600), rng);
	if (rng.chance(0.2)) {
		wait(story, handler, clock.business(30, 600), rng, 'requester');
		story.act({ type: 'resume' }, 'requester', clock.business(60, 1200));
	}
	resolve(story, plan, handler, clock.business(30, 1500));
	if (target === 'resolved') return;
	if (rng.chance(0.04)) {
		story.act({ type: 'reopen' }, 'requester', clock.business(60, 900));
		resolve(story, plan, handler, clock.business(60, 600));
	}
	close(story, plan, handler, clock, rng);
}

function fieldStory(
	env: StoryEnv,
	plan: TicketPlan,
	story: TicketStory,
	clock: Clock,
	rng: Rng
): void {
	const { target, dispatcher, technician, visit } = plan;
	if (technician === undefined)
		throw new Error(`demo ticket ${plan.key}: field path without a technician`);
	qualify(story, plan, clock);
	if (target === 'assigned') {
		story.act(
			{ type: 'assign', assignees: [technician.id] },
			dispatcher,
			clock.business(10, 240),
			'',
			[technician.displayName]
		);
		return;
	}
	if (visit === undefined) throw new Error(`demo ticket ${plan.key}: field path without a visit`);
	const now = env.ctx.now;
	const planAt = clock.at(
		Math.min(
			addBusiness(clock.t, rng.int(10, 240)),
			visit.start - rng.int(30, 300) * MINUTE,
			now - MINUTE
		)
	);
	const mission = planMission(env, story, plan, visit, planAt);
	if (target === 'cancelled') {
		// Called off by the client before the day.
		const at = clock.at(
			Math.min(planAt + Math.floor((visit.start - planAt) * (0.2 + rng.next() * 0.6)), now - MINUTE)
		);
		cancelMission(story, mission, dispatcher, at);
		story.act(
			{ type: 'cancel', reason: 'Intervention annulée à la demande du client.' },
			dispatcher,
			at
		);
		return;
	}
	if (target === 'planned') return;
	const started = clock.at(Math.min(visit.start + rng.int(-10, 15) * MINUTE, now - MINUTE));
	story.act({ type: 'start' }, technician, started);
	startMission(story, mission, technician, started);
	if (target === 'in_progress') return;
	const end = Math.max(
		started + 20 * MINUTE,
		Math.min(visit.end + rng.int(-20, 30) * MINUTE, now - 3 * MINUTE)
	);
	const outcome = target === 'pending' ? 'follow_up' : 'resolved';
	const signedAt = clock.at(end + rng.int(1, 2) * MINUTE);
	const report = finishVisit(
		env,
		story,
		plan,
		mission,
		{ start: started, end, signedAt, outcome },
		rng
	);
	const after = clock.minutes(1, 2);
	if (target === 'pending') return wait(story, technician, after, rng, 'third_party');
	if (target === 'resolved' || rng.chance(0.25)) {
		resolve(story, plan, technician, after);
		if (target === 'closed') close(story, plan, technician, clock, rng, report._id);
		return;
	}
	story.act(
		{ type: 'close', solution: plan.template.solution, reportId: report._id },
		technician,
		after
	);
	story.notice('ticket_closed', after + 1000, {
		operator: technician.displayName,
		solution: plan.template.solution
	});
}

/** The whole story of one planned ticket: the ticket, its timeline, missions and reports. */
export function tell(env: StoryEnv, plan: TicketPlan, number: number): TicketStory {
	const rng = env.ctx.stream(`story:${plan.key}`);
	const story = open(env, plan, number, rng);
	if (plan.target === 'new') return story;
	const clock = new Clock(plan.createdAt, env.ctx.now, rng);
	if (plan.path === 'field') fieldStory(env, plan, story, clock, rng);
	else deskStory(env, plan, story, clock, rng);
	return story;
}
