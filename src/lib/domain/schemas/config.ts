/**
 * Referentials, one `config:<kind>` document per kind so there is never a question of which
 * of two taxonomies is the real one. Admins write them; everyone reads them.
 */
import * as v from 'valibot';
import { BillingRatesSchema } from '../billing.ts';
import { BusinessHoursSchema } from '../business-hours.ts';
import { SlaPolicySchema } from '../sla.ts';
import { docBase, email, phone, positiveInt, required, requiredText } from './common.ts';
import { PRIORITIES } from './ticket.ts';

export const CONFIG_KINDS = [
	'taxonomy',
	'priority_matrix',
	'sla',
	'notice_templates',
	'access',
	'billing_rates',
	'requester',
	'planning',
	'company',
	'groups',
	'escalation'
] as const;
export type ConfigKind = (typeof CONFIG_KINDS)[number];

export const DEFAULT_ACCESS_WINDOW_DAYS = 7;
export const DEFAULT_DOC_CAP = 10_000;
export const DEFAULT_MAX_DOC_BYTES = 10 * 1024 * 1024;

const uniqueIds = <T extends { id: string }>(list: readonly T[]): boolean =>
	new Set(list.map((e) => e.id)).size === list.length;

/** Ids of the skills (`config:planning`) a technician needs to be sent on site for it. */
const skillIds = v.pipe(
	v.array(required),
	v.check((list) => new Set(list).size === list.length, 'skills must be unique')
);

export const SubcategorySchema = v.object({
	id: required,
	label: required,
	routingGroup: v.optional(required), // overrides the category's group when set
	skills: v.optional(skillIds) // replaces the category's skills when set
});

export const CategorySchema = v.object({
	id: required,
	label: required,
	routingGroup: required,
	skills: v.optional(skillIds),
	subcategories: v.pipe(v.array(SubcategorySchema), v.check(uniqueIds, 'ids must be unique'))
});

const priority = v.picklist(PRIORITIES);
const row = v.tuple([priority, priority, priority]);
/** Rows are impact 1 (high) to 3 (low), columns urgency 1 (high) to 3 (low). */
export const PriorityMatrixSchema = v.tuple([row, row, row]);

export const NOTICE_KEYS = [
	'ticket_created',
	'ticket_acknowledged',
	'ticket_updated',
	'ticket_pending',
	'ticket_resolved',
	'ticket_closed',
	'ticket_reopened',
	'mission_planned',
	/** To staff (the assignees, the group's experts, the step's people), not the requester. */
	'ticket_escalated'
] as const;
export type NoticeKey = (typeof NOTICE_KEYS)[number];

export const NOTICE_PLACEHOLDERS = [
	'number',
	'title',
	'requester',
	'operator',
	'status',
	'solution',
	'closure',
	'reason',
	'technician',
	'date',
	'url',
	'level',
	'deadline',
	'priority'
] as const;
export type NoticePlaceholder = (typeof NOTICE_PLACEHOLDERS)[number];

export function unknownPlaceholders(template: string): string[] {
	const found = [...template.matchAll(/\{\{\s*([^}\s]*)\s*\}\}/g)].map((m) => m[1] ?? '');
	return found.filter((name) => !(NOTICE_PLACEHOLDERS as readonly string[]).includes(name));
}

const templateText = v.pipe(
	requiredText,
	v.check(
		(s) => unknownPlaceholders(s).length === 0,
		`may only use the placeholders ${NOTICE_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`
	)
);

export const NoticeTemplateSchema = v.object({ subject: templateText, body: templateText });

const base = docBase('config');

export const TaxonomyConfigSchema = v.object({
	...base,
	kind: v.literal('taxonomy'),
	categories: v.pipe(v.array(CategorySchema), v.check(uniqueIds, 'ids must be unique'))
});

export const PriorityMatrixConfigSchema = v.object({
	...base,
	kind: v.literal('priority_matrix'),
	matrix: PriorityMatrixSchema
});

export const SlaConfigSchema = v.object({
	...base,
	kind: v.literal('sla'),
	policy: SlaPolicySchema,
	businessHours: BusinessHoursSchema
});

export const NoticeTemplatesConfigSchema = v.object({
	...base,
	kind: v.literal('notice_templates'),
	templates: v.object(
		Object.fromEntries(NOTICE_KEYS.map((key) => [key, v.optional(NoticeTemplateSchema)])) as Record<
			NoticeKey,
			v.OptionalSchema<typeof NoticeTemplateSchema, undefined>
		>
	)
});

export const AccessConfigSchema = v.object({
	...base,
	kind: v.literal('access'),
	/** Days a technician keeps a client's file after the ticket of their mission closes. */
	windowDays: v.pipe(
		v.number(),
		v.integer('must be a whole number of days'),
		v.minValue(0, 'must not be negative'),
		v.maxValue(365, 'must be at most 365 days')
	),
	/** Most documents one user's device may hold, whatever the role (a ceiling). */
	docCap: positiveInt,
	/** Per role (`domain/doc-cap.ts`, defaults there): a phone and a desk hold different sets. */
	docCaps: v.optional(
		v.strictObject({
			dispatcher: v.optional(positiveInt),
			expert: v.optional(positiveInt),
			technician: v.optional(positiveInt),
			billing: v.optional(positiveInt),
			admin: v.optional(positiveInt)
		})
	),
	maxDocBytes: v.optional(positiveInt),
	/** Days an ended ticket stays on desk devices (`domain/working-set.ts`; default 14). */
	workingSetDays: v.optional(
		v.pipe(
			v.number(),
			v.integer('must be a whole number of days'),
			v.minValue(0, 'must not be negative'),
			v.maxValue(365, 'must be at most 365 days')
		)
	)
});

export const BillingRatesConfigSchema = v.object({
	...base,
	kind: v.literal('billing_rates'),
	rates: BillingRatesSchema
});

/** Days after resolution or closure during which the requester may say it is not solved. */
export const DEFAULT_REOPEN_DAYS = 14;

export const RequesterConfigSchema = v.object({
	...base,
	kind: v.literal('requester'),
	reopenDays: v.pipe(
		v.number(),
		v.integer('must be a whole number of days'),
		v.minValue(0, 'must not be negative'),
		v.maxValue(365, 'must be at most 365 days')
	),
	/**
	 * Business days a resolved ticket waits for the requester's answer before it is closed by
	 * timeout (0: never); absent, DEFAULT_CLOSE_AFTER_DAYS (domain/sla-facts.ts).
	 */
	closeAfterDays: v.optional(
		v.pipe(
			v.number(),
			v.integer('must be a whole number of days'),
			v.minValue(0, 'must not be negative'),
			v.maxValue(60, 'must be at most 60 business days')
		)
	)
});

/** One skill of the referential: an id the technicians' profiles hold, and its words. */
export const SkillSchema = v.object({
	id: v.pipe(required, v.regex(/^[a-z0-9-]+$/, 'must be lower-case letters, digits and dashes')),
	label: required,
	labelEn: v.optional(required)
});

/** Default length of the planning grid: slots start on the quarter hour. */
export const DEFAULT_SLOT_MINUTES = 15;

export const PlanningConfigSchema = v.object({
	...base,
	kind: v.literal('planning'),
	skills: v.pipe(v.array(SkillSchema), v.check(uniqueIds, 'ids must be unique')),
	/** Slots start on this grid (minutes after the hour); it must divide the hour. */
	slotMinutes: v.pipe(
		v.number(),
		v.integer('must be a whole number of minutes'),
		v.check((n) => n > 0 && n <= 60 && 60 % n === 0, 'must divide the hour (5, 10, 15, 30, 60…)')
	)
});

/** A SIRET: 14 digits, spaces allowed between groups as people write it. */
export const siret = v.pipe(
	v.string(),
	v.check((s) => /^\d{14}$/.test(s.replace(/ /g, '')), 'must be a SIRET (14 digits)')
);

/** An intra-community VAT number: two letters and 2 to 13 letters or digits, spaces allowed. */
export const vatNumber = v.pipe(
	v.string(),
	v.check(
		(s) => /^[A-Z]{2}[0-9A-Z]{2,13}$/.test(s.replace(/ /g, '')),
		'must be a VAT number such as FR40123456789'
	)
);

/**
 * The company that runs the desk and signs the reports: its name and details head every
 * report PDF (on the phone and on the requester's page).
 */
export const CompanyConfigSchema = v.object({
	...base,
	kind: v.literal('company'),
	name: required,
	address: v.pipe(v.array(required), v.maxLength(4, 'must have at most 4 lines')),
	phone: v.optional(phone),
	email: v.optional(email),
	siret: v.optional(siret),
	// What a French invoice must also carry (issue #14, point 5): all optional, shown when set.
	/** Intra-community VAT number, e.g. FR40123456789. */
	vatNumber: v.optional(vatNumber),
	/** Legal form, e.g. SAS, SARL. */
	legalForm: v.optional(required),
	/** Share capital as written, e.g. "10 000 €". */
	capital: v.optional(required),
	/** Trade register entry, e.g. "RCS Nantes 123 456 789". */
	rcs: v.optional(required),
	/** Days after issue an invoice is due (default 30; the law caps it at 60). */
	paymentTermsDays: v.optional(
		v.pipe(
			v.number(),
			v.integer('must be a whole number of days'),
			v.minValue(0, 'must not be negative'),
			v.maxValue(60, 'must be at most 60 days')
		)
	),
	/** The late-payment penalty mention; absent, the legal default (invoice.ts). */
	latePenalty: v.optional(requiredText)
});

/** A group tickets are routed to (level 2 experts, the hotline, the field), with its name. */
export const GroupSchema = v.object({ id: required, label: required });

/** The groups referential: where a ticket may be routed, by id, with the label people read. */
export const GroupsConfigSchema = v.object({
	...base,
	kind: v.literal('groups'),
	groups: v.pipe(v.array(GroupSchema), v.check(uniqueIds, 'ids must be unique'))
});

/** Who is told when a ticket is escalated to a level, besides its group and its assignees. */
export const EscalationStepSchema = v.object({
	level: v.picklist([2, 3]),
	/** A group told at this level (its experts), e.g. the level-3 back office. */
	group: v.optional(required),
	/** People told at this level (a support manager), by user id. */
	tell: v.optional(
		v.pipe(
			v.array(v.pipe(required, v.startsWith('user:', 'must be a user id ("user:…")'))),
			v.check((list) => new Set(list).size === list.length, 'must be unique')
		),
		() => []
	)
});

/**
 * The escalation referential: the job escalates a ticket one level (1→2→3) when a deadline of
 * its SLA passes; each step says who else hears of it. `enabled: false` stops the job.
 */
export const EscalationConfigSchema = v.object({
	...base,
	kind: v.literal('escalation'),
	enabled: v.optional(v.boolean(), true),
	steps: v.pipe(
		v.array(EscalationStepSchema),
		v.check((s) => new Set(s.map((x) => x.level)).size === s.length, 'one step per level')
	)
});

export const ConfigSchema = v.pipe(
	v.variant('kind', [
		TaxonomyConfigSchema,
		PriorityMatrixConfigSchema,
		SlaConfigSchema,
		NoticeTemplatesConfigSchema,
		AccessConfigSchema,
		BillingRatesConfigSchema,
		RequesterConfigSchema,
		PlanningConfigSchema,
		CompanyConfigSchema,
		GroupsConfigSchema,
		EscalationConfigSchema
	]),
	v.forward(
		v.partialCheck(
			[['_id'], ['kind']],
			(c) => c._id === `config:${c.kind}`,
			'must be "config:" followed by the kind'
		),
		['_id']
	)
);

export type Category = v.InferOutput<typeof CategorySchema>;
export type Taxonomy = readonly Category[];
export type PriorityMatrix = v.InferOutput<typeof PriorityMatrixSchema>;
export type NoticeTemplate = v.InferOutput<typeof NoticeTemplateSchema>;
export type ConfigDoc = v.InferOutput<typeof ConfigSchema>;
export type TaxonomyConfig = v.InferOutput<typeof TaxonomyConfigSchema>;
export type PriorityMatrixConfig = v.InferOutput<typeof PriorityMatrixConfigSchema>;
export type SlaConfig = v.InferOutput<typeof SlaConfigSchema>;
export type NoticeTemplatesConfig = v.InferOutput<typeof NoticeTemplatesConfigSchema>;
export type AccessConfig = v.InferOutput<typeof AccessConfigSchema>;
export type BillingRatesConfig = v.InferOutput<typeof BillingRatesConfigSchema>;
export type RequesterConfig = v.InferOutput<typeof RequesterConfigSchema>;
export type PlanningConfig = v.InferOutput<typeof PlanningConfigSchema>;
export type SkillEntry = v.InferOutput<typeof SkillSchema>;
export type CompanyConfig = v.InferOutput<typeof CompanyConfigSchema>;
export type Group = v.InferOutput<typeof GroupSchema>;
export type GroupsConfig = v.InferOutput<typeof GroupsConfigSchema>;
export type EscalationConfig = v.InferOutput<typeof EscalationConfigSchema>;
export type EscalationStep = v.InferOutput<typeof EscalationStepSchema>;
