/**
 * Refusals, schema issues and failed writes in words. The domain and the data layer give codes
 * and parameters (domain/refusals.ts, data/docs.ts WriteError); only this module makes
 * sentences, in the reader's language.
 */
import { typeOf } from '#lib/domain/ids.ts';
import { REFUSAL_KEYS, type Refusal, type RefusalKey } from '#lib/domain/refusals.ts';
import { WriteError } from '#lib/data/docs.ts';
import { label, wordList, type Translate } from './labels.ts';
import type { MessageKey } from './messages.ts';

const text = (value: unknown): string =>
	typeof value === 'string' || typeof value === 'number' ? String(value) : '';

export function describeRefusal(t: Translate, refusal: Refusal): string {
	const p = refusal.params ?? {};
	switch (refusal.key) {
		case 'status_from':
			return t('refusal.status_from', {
				action: label(t, 'verb', text(p.action)),
				status: label(t, 'ticketStatus', text(p.status))
			});
		case 'who_only': {
			const who = Array.isArray(p.who) ? (p.who as readonly string[]) : [];
			return t('refusal.who_only', {
				action: label(t, 'verb', text(p.action)),
				who: wordList(
					t,
					who.map((w) => label(t, 'who', w))
				)
			});
		}
		case 'status_path':
			return t('refusal.status_path', {
				from: label(t, 'ticketStatus', text(p.from)),
				to: label(t, 'ticketStatus', text(p.to))
			});
		case 'invalid': {
			const issues = Array.isArray(p.issues) ? (p.issues as readonly string[]) : [];
			return t('refusal.invalid', { issues: describeIssues(t, issues).join(' ; ') });
		}
		case 'too_large':
			return t(p.part === 'attachments' ? 'refusal.too_large.attachments' : 'refusal.too_large', {
				size: kilobytes(p.bytes),
				limit: kilobytes(p.limit)
			});
		default: {
			// A key this version does not know (a newer server): no text to look up.
			if (!(REFUSAL_KEYS as readonly string[]).includes(refusal.key)) return t('refusal.unknown');
			const params: Record<string, string> = {};
			for (const [k, v] of Object.entries(p)) params[k] = paramWords(t, k, v);
			return t(`refusal.${refusal.key}` as MessageKey, params);
		}
	}
}

// A refusal key added to the domain without its French text is a type error here (and the
// coverage test checks both languages and every parameter).
const everyRefusalHasText: `refusal.${RefusalKey}` extends MessageKey ? true : never = true;
void everyRefusalHasText;

const kilobytes = (n: unknown): string =>
	typeof n === 'number' && Number.isFinite(n) ? String(Math.ceil(n / 1024)) : '?';

/** A refusal's parameter in words: field names, document types and event kinds are codes. */
function paramWords(t: Translate, name: string, value: unknown): string {
	switch (name) {
		case 'fields':
			return fieldList(t, Array.isArray(value) ? (value as readonly string[]) : []);
		case 'doc':
			return docTypeWords(t, text(value));
		case 'kind': {
			const kind = text(value);
			const words = label(t, 'eventKind', kind);
			return words === kind ? t('doc.other') : words;
		}
		default:
			return text(value);
	}
}

/** The top-level fields a refusal may name, each with its words (`rfield.<name>`). */
const FIELD_NAMES: ReadonlySet<string> = new Set([
	'kind',
	'preTicket',
	'title',
	'description',
	'clientId',
	'siteId',
	'requester',
	'source',
	'category',
	'subcategory',
	'group',
	'impact',
	'urgency',
	'priority',
	'status',
	'pending',
	'level',
	'assignees',
	'links',
	'number',
	'resolution',
	'closure',
	'cancellation',
	'createdAt',
	'createdBy',
	'ticketId',
	'technicianId',
	'start',
	'end',
	'estimatedMinutes',
	'instructions',
	'toBring',
	'name',
	'siret',
	'address',
	'sites',
	'contacts',
	'contract',
	'commercialStatus',
	'displayName',
	'email',
	'phone',
	'roles',
	'groups',
	'skills',
	'base',
	'disabled',
	'_attachments'
]);

/** Field names as a person says them: "le titre et la priorité"; an unknown one: "un autre champ". */
export function fieldList(t: Translate, fields: readonly string[]): string {
	const words = [
		...new Set(
			fields.map((f) => (FIELD_NAMES.has(f) ? t(`rfield.${f}` as MessageKey) : t('rfield.other')))
		)
	];
	if (words.length < 2) return words[0] ?? t('rfield.other');
	return `${words.slice(0, -1).join(', ')}${t('list.and')}${words.at(-1) ?? ''}`;
}

// ---- schema issues ("ticket.requester.email: must be an e-mail address") ----

const FIELDS: Readonly<Record<string, MessageKey>> = {
	title: 'field.title',
	description: 'field.description',
	requester: 'field.requester',
	name: 'field.name',
	displayName: 'field.name',
	email: 'field.email',
	phone: 'field.phone',
	matrix: 'field.matrix',
	categories: 'field.categories',
	policy: 'field.policy',
	businessHours: 'field.businessHours',
	roles: 'field.roles',
	groups: 'field.groups',
	skills: 'field.skills',
	solution: 'field.solution',
	reason: 'field.reason',
	templates: 'field.templates',
	start: 'field.start',
	end: 'field.end',
	label: 'field.label',
	routingGroup: 'field.routingGroup',
	subcategories: 'field.subcategories',
	address: 'field.address',
	siret: 'field.siret',
	impact: 'field.impact',
	urgency: 'field.urgency',
	priority: 'field.priority',
	status: 'field.status',
	level: 'field.level',
	group: 'field.group',
	category: 'field.category',
	subcategory: 'field.subcategory',
	assignees: 'field.assignees',
	kind: 'field.kind',
	source: 'field.source',
	remarks: 'field.remarks',
	body: 'field.body',
	data: 'field.data'
};

/** `config.matrix[0][2]` → "Matrice de priorité › n° 1 › n° 3". */
function fieldWords(t: Translate, path: string): string {
	const parts = path.split('.').slice(1);
	if (parts.length === 0) return t('val.document');
	const words: string[] = [];
	for (const part of parts) {
		const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
		const name = m?.[1] ?? part;
		if (name) words.push(FIELDS[name] ? t(FIELDS[name]) : t('field.other'));
		for (const index of (m?.[2] ?? '').matchAll(/\[(\d+)\]/g))
			words.push(t('val.index', { n: Number(index[1]) + 1 }));
	}
	return words.join(' › ');
}

type Rule = readonly [RegExp, MessageKey, ((m: RegExpExecArray) => Record<string, string>)?];

/** The schemas' English rules (schemas.ts `describeIssue`, common.ts, limits.ts) and their words. */
const RULES: readonly Rule[] = [
	[/^is required$/, 'val.required'],
	[/^is required /, 'val.conditional'],
	[/^must be text$/, 'val.text'],
	[/^must be a number between/, 'val.range'],
	[/^must be a number$/, 'val.number'],
	[/^must be true or false$/, 'val.bool'],
	[/^must be a list$/, 'val.list'],
	[/^must be an object with fields$/, 'val.object'],
	[/^must be a whole number/, 'val.int'],
	[/^must be at most (\d+) characters$/, 'val.maxLength', (m) => ({ n: m[1] ?? '' })],
	[/^must be at least (\S+)$/, 'val.min', (m) => ({ n: m[1] ?? '' })],
	[/^must be at most (\S+) days$/, 'val.max', (m) => ({ n: m[1] ?? '' })],
	[/^must be at most (\S+)$/, 'val.max', (m) => ({ n: m[1] ?? '' })],
	[/^must be more than (\S+)$/, 'val.gt', (m) => ({ n: m[1] ?? '' })],
	[/^must be less than (\S+)$/, 'val.lt', (m) => ({ n: m[1] ?? '' })],
	[/^must not be empty$/, 'val.empty'],
	[/^must not be negative$/, 'val.negative'],
	[/^must (be after|not be before)/, 'val.order'],
	[/^must be a date and time/, 'val.dateTime'],
	[/^must be a date/, 'val.date'],
	[/^must be between/, 'val.range'],
	[/^must be an e-mail/, 'val.email'],
	[/^must be a phone number/, 'val.phoneNumber'],
	[/^must be a SIRET/, 'val.siret'],
	[/^must (repeat|not repeat|not link)/, 'val.unique'],
	[/^must be JSON/, 'val.json'],
	[/^must hold the codes of the event kind$/, 'val.eventData'],
	[/^must (have at most|not have a field|be valid Unicode)/, 'val.tooBig'],
	[/(id|ids|login|principal|"config:"|"user:"|technical file of its client)/, 'val.id'],
	[
		/^must be (.+)$/,
		'val.choice',
		(m) => ({ choices: (m[1] ?? '').replace(/ or /g, ', ').replace(/"/g, '') })
	]
];

/** One schema issue in words; an issue this table does not know says "is not valid". */
export function describeIssue(t: Translate, issue: string): string {
	const colon = issue.indexOf(': ');
	const path = colon < 0 ? '' : issue.slice(0, colon);
	const rule = colon < 0 ? issue : issue.slice(colon + 2);
	const field = fieldWords(t, path);
	for (const [pattern, key, params] of RULES) {
		const m = pattern.exec(rule);
		if (m) return t('val.line', { field, rule: t(key, params?.(m)) });
	}
	return t('val.line', { field, rule: t('val.other') });
}

export function describeIssues(t: Translate, issues: readonly string[]): string[] {
	return [...new Set(issues.map((i) => describeIssue(t, i)))];
}

// ---- failed writes ----

const DOC_TYPES: ReadonlySet<string> = new Set([
	'ticket',
	'event',
	'mission',
	'report',
	'client',
	'techfile',
	'config',
	'user',
	'grant',
	'calendar',
	'billing',
	'hourbank',
	'invoice'
]);

/** "le ticket", "la fiche client": a document type in words (an unknown one: "un document"). */
function docTypeWords(t: Translate, type: string | null | undefined): string {
	return type && DOC_TYPES.has(type) ? t(`doc.${type}` as MessageKey) : t('doc.other');
}

function docWords(t: Translate, id: string): string {
	return docTypeWords(t, typeOf(id));
}

export function describeWriteError(t: Translate, error: WriteError): string {
	const list = error.failures.map((f) =>
		t('write.item', {
			what: docWords(t, f.id),
			why: t(
				f.status === 409
					? 'write.why.conflict'
					: f.status === 403 || f.error === 'forbidden'
						? 'write.why.forbidden'
						: 'write.why.other'
			)
		})
	);
	const failed = t('write.failed', { list: list.join(', ') });
	if (error.saved.length === 0) return failed;
	return `${failed} ${t('write.savedToo', { list: error.saved.map((id) => docWords(t, id)).join(', ') })}`;
}

/** Any error caught on a screen, in words; the technical message goes to the console only. */
export function describeError(t: Translate, error: unknown): string {
	if (error instanceof WriteError) return describeWriteError(t, error);
	console.error(error);
	return t('error.unexpected');
}
