import * as v from 'valibot';
import {
	docBase,
	edited,
	email,
	entities,
	isoDate,
	latitude,
	longitude,
	phone,
	required,
	shortText
} from './common.ts';

export const CONTRACT_KINDS = ['none', 'maintenance', 'managed'] as const;
export const COMMERCIAL_STATUSES = ['prospect', 'active', 'suspended', 'terminated'] as const;

export const SiteSchema = v.object({
	id: required,
	label: v.optional(shortText),
	address: required,
	city: required,
	postcode: required,
	lat: v.optional(latitude),
	lng: v.optional(longitude)
});

export const ContactSchema = v.object({
	id: required,
	name: required,
	phone: v.optional(phone),
	email: v.optional(email),
	role: v.optional(shortText)
});

/**
 * No contract: every intervention is billed. Maintenance: interventions are covered.
 * Managed services (infogérance): time on site is deducted from a bank of hours.
 */
export const ContractSchema = v.pipe(
	v.object({
		kind: v.picklist(CONTRACT_KINDS),
		start: v.optional(isoDate),
		end: v.optional(isoDate),
		hourBank: v.optional(v.pipe(v.number(), v.minValue(0, 'must not be negative'))),
		hoursUsed: v.optional(v.pipe(v.number(), v.minValue(0, 'must not be negative')))
	}),
	v.forward(
		v.partialCheck(
			[['kind'], ['start']],
			(c) => c.kind === 'none' || c.start !== undefined,
			'is required for a maintenance or managed-services contract'
		),
		['start']
	),
	v.forward(
		v.partialCheck(
			[['kind'], ['end']],
			(c) => c.kind === 'none' || c.end !== undefined,
			'is required for a maintenance or managed-services contract'
		),
		['end']
	),
	v.forward(
		v.partialCheck(
			[['start'], ['end']],
			(c) => c.start === undefined || c.end === undefined || c.end >= c.start,
			'must not be before the start'
		),
		['end']
	),
	v.forward(
		v.partialCheck(
			[['kind'], ['hourBank']],
			(c) => c.kind !== 'managed' || c.hourBank !== undefined,
			'is required for a managed-services contract'
		),
		['hourBank']
	)
);

export const ClientSchema = v.object({
	...docBase('client'),
	name: required,
	sites: entities(SiteSchema),
	contacts: entities(ContactSchema),
	contract: ContractSchema,
	commercialStatus: v.picklist(COMMERCIAL_STATUSES),
	/** The team (a group of `config:groups`) whose desk works this client: its portfolio. */
	team: v.optional(required),
	...edited
});

export type Site = v.InferOutput<typeof SiteSchema>;
export type Contact = v.InferOutput<typeof ContactSchema>;
export type Contract = v.InferOutput<typeof ContractSchema>;
export type ContractKind = (typeof CONTRACT_KINDS)[number];
export type ClientDoc = v.InferOutput<typeof ClientSchema>;
