/**
 * The SLA jobs: escalation on a missed deadline (with the "at risk" warning before it) and
 * closure by timeout of a resolved ticket the requester left unanswered. Both decide with the
 * domain's functions (sla-facts.ts), the ones the desk uses offline, and write facts with fixed
 * ids, never the ticket: `createOnce` makes each one once across instances and runs.
 *
 * Who is told: the escalation mails the ticket's assignees, the experts of its group, and the
 * group and people of the referential's step (`config:escalation`); the timeout mails the
 * requester the "closed" notice from the templates. Mails go through the outbox with ids made
 * from the fact's, so they too are queued once. The fact's `told` lists the people the
 * notifier pushes to, once (server/notify/notifier.ts, a claim per fact).
 *
 * The tickets they look at are the instance's feed's (ticket-feed.ts): read once, then kept
 * current from the changes feed, so a sweep costs what changed since the last one.
 */
import { DEFAULT_BUSINESS_HOURS, type BusinessHours } from '#lib/domain/business-hours.ts';
import { DEFAULT_NOTICE_TEMPLATES, noticeTemplate, renderNotice } from '#lib/domain/notices.ts';
import { numberEventId, numberFromEvent } from '#lib/domain/numbering.ts';
import {
	isDocOf,
	parseAs,
	parseEvent,
	type ConfigDoc,
	type EscalationStep,
	type EventDoc,
	type NoticeKey,
	type NoticePlaceholder,
	type NoticeTemplate,
	type TicketDoc,
	type UserDoc
} from '#lib/domain/schemas.ts';
import { DEFAULT_SLA_POLICY, type SlaDeadline, type SlaPolicy } from '#lib/domain/sla.ts';
import {
	atRiskDue,
	atRiskFactId,
	DEFAULT_CLOSE_AFTER_DAYS,
	escalationFactId,
	slaFactsOf,
	ticketEscalation,
	timeoutDue,
	timeoutFactId,
	withSlaFacts
} from '#lib/domain/sla-facts.ts';
import { messageOf } from '../errors.ts';
import { noticeValues } from '../notify/messages.ts';
import type { Outbox } from '../notify/outbox.ts';
import { isUnsubscribed, unsubscribeToken } from '../notify/subscriptions.ts';
import { tokenFor } from '../requester/links.ts';
import { createOnce, getOrNull, type Db } from './lease.ts';
import { TicketFeed } from './ticket-feed.ts';
import type { Job, JobAction, JobOutcome } from './runner.ts';

export interface SlaJobContext {
	readonly db: Db;
	readonly privateDb: Db;
	/** Told of each document written (the sync service's read-your-writes). */
	readonly written: (id: string, rev: string) => void;
	/** The mail outbox; null when the notifier does not run (nothing is mailed). */
	readonly outbox: () => Outbox | null;
	readonly publicUrl: string;
	readonly unsubscribeSecret: string;
	/**
	 * The tickets as this instance follows them (ticket-feed.ts), shared by its jobs; a job
	 * given none follows the database on its own (its first run reads everything).
	 */
	readonly feed?: TicketFeed;
}

type Raw = Record<string, unknown>;

async function range(db: Db, prefix: string): Promise<Raw[]> {
	const res = await db.list({ startkey: prefix, endkey: `${prefix}\ufff0`, include_docs: true });
	return res.rows.flatMap((r) => (r.doc ? [r.doc as unknown as Raw] : []));
}

async function config(db: Db, kind: ConfigDoc['kind']): Promise<ConfigDoc | null> {
	const doc = await getOrNull<Raw>(db, `config:${kind}`);
	if (!doc) return null;
	// Parsed, not only checked: a referential's missing fields take their defaults.
	const parsed = parseAs('config', doc);
	return parsed.ok && parsed.value.kind === kind ? parsed.value : null;
}

async function slaRules(db: Db): Promise<{ policy: SlaPolicy; hours: BusinessHours }> {
	const sla = await config(db, 'sla');
	return sla?.kind === 'sla'
		? { policy: sla.policy, hours: sla.businessHours }
		: { policy: DEFAULT_SLA_POLICY, hours: DEFAULT_BUSINESS_HOURS };
}

async function numberOf(db: Db, ticket: TicketDoc): Promise<number | null> {
	if (ticket.number !== undefined) return ticket.number;
	return numberFromEvent(await getOrNull(db, numberEventId(ticket._id)))?.number ?? null;
}

/** Writes a fact once. @returns true when this call wrote it. @throws when it is not valid. */
async function writeFact(ctx: SlaJobContext, event: EventDoc): Promise<boolean> {
	const checked = parseEvent(event);
	if (!checked.ok) throw new Error(`${event._id}: ${checked.error.join('; ')}`);
	const rev = await createOnce(ctx.db, checked.value);
	if (rev) ctx.written(event._id, rev);
	return rev !== null;
}

function fact(
	ticket: TicketDoc,
	id: string,
	at: Date,
	part: Pick<EventDoc, 'kind' | 'visibility'> & { data: Record<string, unknown> }
): EventDoc {
	return {
		_id: id,
		type: 'event',
		subjectId: ticket._id,
		ticketId: ticket._id,
		author: 'system',
		authorName: 'Terrain',
		at: at.toISOString(),
		body: '',
		...part
	};
}

const DEADLINE_FR: Record<SlaDeadline, string> = {
	response: 'de prise en charge',
	resolution: 'de résolution'
};

const parisTime = (iso: string): string =>
	new Date(iso).toLocaleString('fr-FR', {
		timeZone: 'Europe/Paris',
		dateStyle: 'short',
		timeStyle: 'short'
	});

/** The people an escalation tells: assignees, the group's experts, the step's group and people. */
function told(ticket: TicketDoc, step: EscalationStep | undefined, users: readonly UserDoc[]) {
	const groups = new Set([ticket.group, step?.group].filter((g): g is string => Boolean(g)));
	const ids = new Set<string>(ticket.assignees);
	for (const u of users)
		if (u.roles.includes('expert') && u.groups.some((g) => groups.has(g))) ids.add(u._id);
	for (const id of step?.tell ?? []) ids.add(id);
	return users.filter((u) => ids.has(u._id) && u.disabled !== true);
}

export function escalationJob(ctx: SlaJobContext): Job {
	const feed = ctx.feed ?? new TicketFeed(ctx.db);
	return {
		name: 'escalation',
		async run(now) {
			const out: JobOutcome = { read: 0, written: 0, actions: [], errors: [] };
			const referential = await config(ctx.db, 'escalation');
			const steps = referential?.kind === 'escalation' ? referential : null;
			if (steps?.enabled === false) return out;
			const { policy, hours } = await slaRules(ctx.db);
			const open = (t: TicketDoc) => !['resolved', 'closed', 'cancelled'].includes(t.status);
			out.read = await feed.refresh();
			const tickets = feed.tickets(open);
			let users: UserDoc[] | null = null;
			for (const { ticket, facts } of tickets) {
				try {
					const decision = ticketEscalation(ticket, facts, policy, hours, now);
					if (decision.escalate) {
						const step = steps?.steps.find((s) => s.level === decision.to);
						users ??= (await range(ctx.db, 'user:')).filter((u): u is UserDoc =>
							isDocOf('user', u)
						);
						const people = told(ticket, step, users);
						const id = escalationFactId(ticket._id, decision.deadline);
						const event = fact(ticket, id, now, {
							kind: 'escalated',
							visibility: 'internal',
							data: {
								deadline: decision.deadline,
								dueAt: decision.dueAt,
								from: decision.from,
								to: decision.to,
								...(step?.group ? { group: step.group } : {}),
								told: people.map((u) => u._id)
							}
						});
						if (!(await writeFact(ctx, event))) continue;
						out.written++;
						const number = await numberOf(ctx.db, ticket);
						out.actions.push({
							code: 'escalated',
							ticketId: ticket._id,
							number,
							level: decision.to,
							at: event.at
						});
						out.written += await mailStaff(ctx, id, people, {
							ticket,
							values: {
								...noticeValues(
									ticket as unknown as Raw,
									number,
									'',
									`${ctx.publicUrl}/tickets/${ticket._id.slice('ticket:'.length)}`
								),
								level: String(decision.to),
								deadline: DEADLINE_FR[decision.deadline],
								priority: ticket.priority,
								date: parisTime(decision.dueAt)
							}
						});
						continue;
					}
					for (const risk of atRiskDue(ticket, facts, policy, hours, now)) {
						const event = fact(ticket, atRiskFactId(ticket._id, risk.deadline), now, {
							kind: 'sla_warning',
							visibility: 'internal',
							data: { clock: risk.deadline, state: 'at_risk', dueAt: risk.dueAt }
						});
						if (!(await writeFact(ctx, event))) continue;
						out.written++;
						out.actions.push({
							code: 'at_risk',
							ticketId: ticket._id,
							number: await numberOf(ctx.db, ticket),
							at: event.at
						});
					}
				} catch (error) {
					out.errors.push(`${ticket._id}: ${messageOf(error)}`);
				}
			}
			return out;
		}
	};
}

async function mailStaff(
	ctx: SlaJobContext,
	factId: string,
	people: readonly UserDoc[],
	mail: { ticket: TicketDoc; values: Partial<Record<NoticePlaceholder, string>> }
): Promise<number> {
	const outbox = ctx.outbox();
	if (!outbox || people.every((p) => !p.email)) return 0;
	const template = noticeTemplate('ticket_escalated', await templatesOf(ctx));
	let queued = 0;
	for (const person of people) {
		if (!person.email) continue;
		const { subject, body } = renderNotice(template, {
			...mail.values,
			operator: person.displayName
		});
		const queuedNow = await outbox.queue(`mail:${factId}:${person._id}`, {
			to: person.email,
			subject,
			text: body,
			about: mail.ticket._id
		});
		if (queuedNow) queued++;
	}
	return queued;
}

/** The admin's notice templates (config:notice_templates) over the defaults. */
async function templatesOf(
	ctx: SlaJobContext
): Promise<Partial<Record<NoticeKey, NoticeTemplate>>> {
	const doc = await getOrNull<{ templates?: Partial<Record<NoticeKey, NoticeTemplate>> }>(
		ctx.db,
		'config:notice_templates'
	);
	return { ...DEFAULT_NOTICE_TEMPLATES, ...(doc?.templates ?? {}) };
}

export function timeoutJob(ctx: SlaJobContext): Job {
	const feed = ctx.feed ?? new TicketFeed(ctx.db);
	return {
		name: 'timeout',
		async run(now) {
			const out: JobOutcome = { read: 0, written: 0, actions: [], errors: [] };
			const requester = await config(ctx.db, 'requester');
			const days =
				requester?.kind === 'requester'
					? (requester.closeAfterDays ?? DEFAULT_CLOSE_AFTER_DAYS)
					: DEFAULT_CLOSE_AFTER_DAYS;
			if (days === 0) return out;
			const { hours } = await slaRules(ctx.db);
			out.read = await feed.refresh();
			const tickets = feed.tickets((t) => t.status === 'resolved');
			for (const { ticket, facts } of tickets) {
				try {
					if (!timeoutDue(ticket, facts, days, hours, now) || !ticket.resolution) continue;
					const id = timeoutFactId(ticket._id, ticket.resolution.at);
					const event = fact(ticket, id, now, {
						kind: 'status_change',
						visibility: 'requester',
						data: {
							action: 'close',
							how: 'timeout',
							from: 'resolved',
							to: 'closed',
							resolvedAt: ticket.resolution.at
						}
					});
					if (!(await writeFact(ctx, event))) continue;
					out.written++;
					const number = await numberOf(ctx.db, ticket);
					const action: JobAction = { code: 'timeout', ticketId: ticket._id, number, at: event.at };
					out.actions.push(action);
					const closed = withSlaFacts(ticket, slaFactsOf([event], ticket._id));
					if (await noticeClosed(ctx, id, closed, number, now)) out.written++;
				} catch (error) {
					out.errors.push(`${ticket._id}: ${messageOf(error)}`);
				}
			}
			return out;
		}
	};
}

/** The requester's "closed" notice, from the templates; false when not sent (no address…). */
async function noticeClosed(
	ctx: SlaJobContext,
	factId: string,
	ticket: TicketDoc,
	number: number | null,
	now: Date
): Promise<boolean> {
	const outbox = ctx.outbox();
	const email = ticket.requester.email;
	if (!outbox || !email || (await isUnsubscribed(ctx.privateDb, email))) return false;
	const templates = await templatesOf(ctx);
	const token = await tokenFor(ctx.privateDb, ticket._id, now);
	const values = noticeValues(
		ticket as unknown as Raw,
		number,
		'l’équipe d’assistance',
		`${ctx.publicUrl}/suivi/${token}`
	);
	const mail = renderNotice(noticeTemplate('ticket_closed', templates), values);
	const link = `${ctx.publicUrl}/api/notices/unsubscribe?token=${unsubscribeToken(ctx.unsubscribeSecret, email)}`;
	return outbox.queue(`mail:${factId}:notice`, {
		to: email,
		subject: mail.subject,
		text: `${mail.body}\n\n—\nPour ne plus recevoir ces avis : ${link}`,
		about: ticket._id
	});
}
