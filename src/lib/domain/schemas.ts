/**
 * Every document type, as a valibot schema that gives both the runtime check and the
 * TypeScript type, and `parseDoc`, the one gate for anything read from storage or the network.
 * The same checks run on the device, in the server and in CouchDB's validate_doc_update.
 * Before any schema, `checkShape` (limits.ts) bounds the raw document's nesting, fields,
 * lists, texts, numbers and size without recursing.
 */
import * as v from 'valibot';
import { isDocType, type DocType, type Instant } from './ids.ts';
import { checkShape, checkStampsFresh } from './limits.ts';
import { err, ok, type Result } from './result.ts';
import { BillingSchema } from './schemas/billing.ts';
import { ClientSchema } from './schemas/client.ts';
import { ConfigSchema } from './schemas/config.ts';
import { EventSchema } from './schemas/event.ts';
import { HourBankSchema } from './schemas/hourbank.ts';
import { InvoiceSchema } from './schemas/invoice.ts';
import { MissionSchema } from './schemas/mission.ts';
import { CalendarSchema, GrantSchema, UserSchema } from './schemas/people.ts';
import { ReportSchema } from './schemas/report.ts';
import { SurveySchema } from './schemas/survey.ts';
import { TechfileSchema } from './schemas/techfile.ts';
import { TicketSchema } from './schemas/ticket.ts';

export * from './limits.ts';
export * from './schemas/billing.ts';
export * from './schemas/client.ts';
export * from './schemas/common.ts';
export * from './schemas/config.ts';
export * from './schemas/event.ts';
export * from './schemas/hourbank.ts';
export * from './schemas/invoice.ts';
export * from './schemas/mission.ts';
export * from './schemas/people.ts';
export * from './schemas/report.ts';
export * from './schemas/survey.ts';
export * from './schemas/techfile.ts';
export * from './schemas/ticket.ts';

export const DOC_SCHEMAS = {
	client: ClientSchema,
	techfile: TechfileSchema,
	ticket: TicketSchema,
	event: EventSchema,
	mission: MissionSchema,
	report: ReportSchema,
	calendar: CalendarSchema,
	user: UserSchema,
	grant: GrantSchema,
	config: ConfigSchema,
	billing: BillingSchema,
	survey: SurveySchema,
	hourbank: HourBankSchema,
	invoice: InvoiceSchema
} as const;

export type DocOf<T extends DocType> = v.InferOutput<(typeof DOC_SCHEMAS)[T]>;
export type Doc = { [T in DocType]: DocOf<T> }[DocType];

/** Problems found in a document, each naming the field and the rule in plain words. */
export type DocErrors = readonly string[];

type Issue = v.BaseIssue<unknown>;

function choices(expected: string | null): string {
	const options = (expected ?? '').replace(/^\((.*)\)$/, '$1').split(' | ');
	if (options.length < 2) return `must be ${options[0] ?? 'something else'}`;
	return `must be ${options.slice(0, -1).join(', ')} or ${options.at(-1) ?? ''}`;
}

/**
 * Plain words for the checks that have no message of their own: mostly type mismatches and
 * missing fields. Used as valibot's fallback message, so our schemas' own messages win.
 */
export function describeIssue(issue: Issue): string {
	if (
		issue.type === 'object' &&
		issue.input === undefined &&
		issue.expected?.startsWith('"') === true
	) {
		return 'is required'; // valibot reports a missing key as the object's issue, at the key's path
	}
	switch (issue.type) {
		case 'string':
			return 'must be text';
		case 'number':
			return 'must be a number';
		case 'boolean':
			return 'must be true or false';
		case 'array':
		case 'tuple':
			return 'must be a list';
		case 'object':
		case 'record':
			return 'must be an object with fields';
		case 'picklist':
		case 'literal':
		case 'variant':
			return choices(issue.expected);
		case 'integer':
			return 'must be a whole number';
		case 'min_value':
			return `must be at least ${String(issue.requirement)}`;
		case 'max_value':
			return `must be at most ${String(issue.requirement)}`;
		case 'gt_value':
			return `must be more than ${String(issue.requirement)}`;
		case 'lt_value':
			return `must be less than ${String(issue.requirement)}`;
		default:
			return issue.message;
	}
}

/** `sites[0].city` rather than `sites.0.city`: the way a person names a field. */
function fieldPath(issue: Issue): string {
	let out = '';
	for (const item of issue.path ?? []) {
		const key: unknown = item.key;
		if (typeof key === 'number') out += `[${key}]`;
		else out += out === '' ? String(key) : `.${String(key)}`;
	}
	return out;
}

function formatIssues(type: string, issues: readonly Issue[]): string[] {
	const lines = issues.map((issue) => {
		const path = fieldPath(issue);
		return `${path === '' ? type : `${type}.${path}`}: ${issue.message}`;
	});
	return [...new Set(lines)];
}

const CONFIG = { abortEarly: false, message: describeIssue } as const;

export interface ParseOptions {
	/**
	 * The receiver's clock. When given, stamps (and `createdAt`, `updatedAt`) more than a day
	 * ahead of it are refused too (`checkStampsFresh`): the server passes its time on push.
	 */
	readonly now?: Instant;
}

/** Checks `raw` against the bounds (limits.ts), then the schema of `type`. */
export function parseAs<T extends DocType>(
	type: T,
	raw: unknown,
	options: ParseOptions = {}
): Result<DocOf<T>, DocErrors> {
	const shape = checkShape(raw, type);
	if (shape.length > 0) return err(shape);
	const schema: v.GenericSchema<unknown, DocOf<T>> = DOC_SCHEMAS[type];
	const result = v.safeParse(schema, raw, CONFIG);
	if (!result.success) return err(formatIssues(type, result.issues));
	if (options.now !== undefined) {
		const stale = checkStampsFresh(raw, options.now);
		if (stale !== null) return err([stale]);
	}
	// Top-level fields this version does not know are kept, so an older app that saves a
	// document written by a newer one does not drop what it cannot see.
	const input = raw as Record<string, unknown>;
	return ok({ ...input, ...result.output });
}

/** Checks any document, dispatching on its `type`. */
export function parseDoc(raw: unknown, options: ParseOptions = {}): Result<Doc, DocErrors> {
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
		return err(['document: must be an object with fields']);
	}
	const type: unknown = (raw as { type?: unknown }).type;
	if (type === undefined) return err(['document.type: is required']);
	if (!isDocType(type)) {
		const shape = checkShape(raw, 'document');
		if (shape.length > 0) return err(shape);
		const named = typeof type === 'string' && type.length <= 40 ? JSON.stringify(type) : null;
		return err([
			named === null ? 'document.type: must be a document type' : `unknown document type ${named}`
		]);
	}
	return parseAs(type, raw, options);
}

export function isDocOf<T extends DocType>(type: T, raw: unknown): raw is DocOf<T> {
	return parseAs(type, raw).ok;
}

export const parseClient = (raw: unknown) => parseAs('client', raw);
export const parseTechfile = (raw: unknown) => parseAs('techfile', raw);
export const parseTicket = (raw: unknown) => parseAs('ticket', raw);
export const parseEvent = (raw: unknown) => parseAs('event', raw);
export const parseMission = (raw: unknown) => parseAs('mission', raw);
export const parseReport = (raw: unknown) => parseAs('report', raw);
export const parseCalendar = (raw: unknown) => parseAs('calendar', raw);
export const parseUser = (raw: unknown) => parseAs('user', raw);
export const parseGrant = (raw: unknown) => parseAs('grant', raw);
export const parseConfig = (raw: unknown) => parseAs('config', raw);
export const parseBilling = (raw: unknown) => parseAs('billing', raw);
export const parseSurvey = (raw: unknown) => parseAs('survey', raw);
export const parseHourBank = (raw: unknown) => parseAs('hourbank', raw);
export const parseInvoice = (raw: unknown) => parseAs('invoice', raw);
