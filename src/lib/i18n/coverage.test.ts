// Every code the domain can put on a screen has words in French and in English: event kinds
// and actions, refusal keys, and every enum value. A code added without its words fails here.
import { describe, expect, it } from 'vitest';
import { REFUSAL_KEYS, type Refusal } from '#lib/domain/refusals.ts';
import {
	CONFIG_KINDS,
	EVENT_KINDS,
	MISSION_END_REASONS,
	MISSION_EVENT_ACTIONS,
	PARTY_FIELDS,
	STATUS_ACTIONS,
	type EventDoc,
	type EventKind
} from '#lib/domain/schemas.ts';
import { anEvent, at } from '#lib/domain/testing/factories.ts';
import { LABELS, type LabelTable, type Translate } from './labels.ts';
import { en } from './messages.en.ts';
import { fr, type MessageKey } from './messages.ts';
import { describeRefusal } from './problems.ts';
import { describeEvent } from './timeline.ts';

function translator(dict: Record<MessageKey, string>): Translate {
	return (key, params = {}) => {
		const text = dict[key];
		if (typeof text !== 'string') throw new Error(`no text for ${key}`);
		return text.replace(/\{(\w+)\}/g, (_, name: string) => {
			if (!(name in params)) throw new Error(`${key}: no value for {${name}}`);
			return String(params[name]);
		});
	};
}

const LANGUAGES = [
	['fr', translator(fr)],
	['en', translator(en as Record<MessageKey, string>)]
] as const;

// A stand-in for the Paris formatter (i18n.svelte.ts): the test is about codes, not dates.
const dateTime = (iso: string) => `[${Date.parse(iso) / 60_000}]`;
/** Code text must never reach a screen: ids, arrows, snake_case codes, ISO instants. */
const CODE_TEXT = /\b(user|ticket|mission|report):\S|→|\b[a-z]+_[a-z_]+\b|\d{4}-\d{2}-\d{2}T/;

function words(t: Translate) {
	return {
		t,
		dateTime,
		names: new Map([['user:tech.julien', 'Julien Moreau']]),
		ticketLabel: () => 'n° 10421'
	};
}

function event(kind: EventKind, data?: Record<string, unknown>): EventDoc {
	return anEvent({ _id: `event:${kind}`, kind, body: '', ...(data ? { data } : {}) });
}

/** One sample of every code an event can carry. */
function samples(): Array<[string, EventDoc]> {
	const out: Array<[string, EventDoc]> = [];
	for (const action of STATUS_ACTIONS) {
		if (action === 'link' || action === 'unlink') {
			out.push([
				`link/${action}`,
				event('link', { action, kind: 'parent', ticketId: 'ticket:P1' })
			]);
			continue;
		}
		const data: Record<string, unknown> = { action, from: 'qualified', to: 'assigned' };
		if (action === 'wait') data.reason = 'requester';
		if (action === 'close') data.how = 'level2';
		if (action === 'assign')
			out.push([
				'assignment/assign',
				event('assignment', { ...data, assignees: ['user:tech.julien'], assigneeNames: ['Julien'] })
			]);
		else if (action === 'route')
			out.push(['assignment/route', event('assignment', { ...data, group: 'reseau', level: 2 })]);
		else if (action === 'escalate')
			out.push(['escalation', event('escalation', { ...data, level: 2 })]);
		else if (action === 'plan')
			out.push([
				'mission_planned/plan',
				event('mission_planned', {
					action: 'plan',
					missionId: 'mission:M1',
					technicianId: 'user:tech.julien',
					start: at(60),
					end: at(120)
				})
			]);
		else out.push([`status_change/${action}`, event('status_change', data)]);
	}
	for (const action of MISSION_EVENT_ACTIONS)
		out.push([
			`mission_planned/${action}`,
			event('mission_planned', {
				action,
				missionId: 'mission:M1',
				technicianId: 'user:tech.julien',
				start: at(60),
				end: at(120),
				previous: { start: at(0), technicianId: 'user:tech.julien' }
			})
		]);
	for (const reason of MISSION_END_REASONS)
		out.push([
			`mission_ended/${reason}`,
			event('mission_ended', { missionId: 'mission:M1', reason })
		]);
	out.push([
		'status_change/close/timeout',
		event('status_change', { action: 'close', how: 'timeout' })
	]);
	out.push([
		'status_change/close/report',
		event('status_change', { action: 'close', how: 'level2', reportId: 'report:R1' })
	]);
	out.push([
		'report_signed',
		event('report_signed', { reportId: 'report:R1', technician: 'Julien', client: 'Marie' })
	]);
	out.push(['notice_sent', event('notice_sent', { template: 'ticket_created' })]);
	out.push(['credential_reveal', event('credential_reveal', { label: 'Routeur' })]);
	out.push([
		'techfile_change',
		event('techfile_change', {
			changes: [{ section: 'equipment', action: 'added', summary: 'Nouveau switch' }]
		})
	]);
	out.push(['merge_set_aside', event('merge_set_aside', { fields: ['title'] })]);
	out.push(['sla_warning', event('sla_warning', { clock: 'resolution', state: 'breached' })]);
	out.push([
		'escalated',
		event('escalated', { deadline: 'response', dueAt: '2026-11-12T08:00:00.000Z', from: 1, to: 2 })
	]);
	out.push(['ticket_numbered', event('ticket_numbered', { number: 10421 })]);
	out.push(['follow_up/report', event('follow_up', { reportId: 'report:R1' })]);
	for (const field of PARTY_FIELDS) {
		out.push([`party_change/${field}/set`, event('party_change', { field, to: 'Aprile' })]);
		out.push([
			`party_change/${field}/changed`,
			event('party_change', { field, from: 'Aprile', to: 'Bâtiment B' })
		]);
		out.push([`party_change/${field}/cleared`, event('party_change', { field, from: 'Aprile' })]);
	}
	return out;
}

describe('every code has words in French and in English', () => {
	for (const [lang, t] of LANGUAGES) {
		it(`${lang}: every event kind and action renders as a sentence without code text`, () => {
			const seen = new Set<string>();
			for (const [name, e] of samples()) {
				const line = describeEvent(words(t), e);
				seen.add(e.kind);
				expect(line.text, name).not.toBe('');
				expect(line.text, name).not.toMatch(CODE_TEXT);
				expect(line.author, name).not.toMatch(CODE_TEXT);
			}
			// Follow-ups and calls are what a person wrote: their body says it.
			for (const kind of EVENT_KINDS) if (kind !== 'call') expect(seen, kind).toContain(kind);
		});

		it(`${lang}: an event with no codes (written before them) shows its body`, () => {
			const old = anEvent({ kind: 'status_change', body: 'Ticket ouvert : Imprimante' });
			expect(describeEvent(words(t), old)).toMatchObject({ text: '', body: old.body });
		});

		it(`${lang}: every refusal key says why in words`, () => {
			for (const key of REFUSAL_KEYS) {
				const refusal: Refusal = {
					code: 'params',
					key,
					message: 'x',
					params: {
						action: 'qualify',
						status: 'closed',
						who: ['dispatcher', 'assignee'],
						from: 'new',
						to: 'closed',
						category: 'reseau',
						subcategory: 'wifi',
						label: 'Congés',
						issues: ['ticket.title: must not be empty'],
						// what the server's push refusals carry (may-write.ts, server/sync/push.ts)
						fields: ['title', 'status', 'estimatedMinutes', 'commercialStatus', 'roles'],
						field: 'ticket.createdBy',
						doc: 'client',
						kind: 'notice_sent',
						part: 'document',
						bytes: 1_100_000,
						limit: 1_048_576
					}
				};
				const text = describeRefusal(t, refusal);
				expect(text, key).not.toBe('');
				expect(text, key).not.toMatch(/\{\w+\}/);
				expect(text, key).not.toMatch(CODE_TEXT);
				expect(text, key).not.toMatch(/estimatedMinutes|commercialStatus|createdBy|\?/);
				// In French, neither English words nor codes.
				if (lang === 'fr')
					expect(text, key).not.toMatch(
						/cannot|must|\b(dispatcher|assignee|qualify|closed|new|title|status|roles)\b/
					);
			}
		});

		it(`${lang}: every enum value has a label`, () => {
			for (const name of Object.keys(LABELS) as LabelTable[]) {
				for (const [value, key] of Object.entries(LABELS[name])) {
					const text = t(key);
					expect(text, `${name}.${value}`).not.toBe('');
					expect(text, `${name}.${value}`).not.toBe(key);
				}
			}
		});
	}

	it('every referential kind has a name on the admin screen', () => {
		for (const [, t] of LANGUAGES)
			for (const kind of CONFIG_KINDS) expect(t(`admin.config.${kind}` as MessageKey)).not.toBe('');
	});

	it('French and English are different texts, not copies', () => {
		const refusal: Refusal = { code: 'rule', key: 'level_max', message: 'x' };
		expect(describeRefusal(translator(fr), refusal)).not.toBe(
			describeRefusal(translator(en as Record<MessageKey, string>), refusal)
		);
	});
});
