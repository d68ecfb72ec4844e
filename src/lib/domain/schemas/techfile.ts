import * as v from 'valibot';
import { techfileIdFor } from '../ids.ts';
import {
	docBase,
	edited,
	entities,
	isoDate,
	positiveInt,
	ref,
	required,
	shortText,
	text
} from './common.ts';

/** The usual equipment kinds, labelled on screen; `kind` stays free text (others show as written). */
export const EQUIPMENT_KINDS = [
	'workstation',
	'laptop',
	'server',
	'printer',
	'switch',
	'router',
	'access_point',
	'firewall',
	'ups',
	'nas',
	'phone',
	'screen'
] as const;

export const EquipmentSchema = v.object({
	id: required,
	kind: required, // free vocabulary; the usual ones (EQUIPMENT_KINDS) have a label on screen
	label: required,
	brand: v.optional(shortText),
	model: v.optional(shortText),
	serial: v.optional(shortText),
	location: v.optional(shortText),
	notes: v.optional(text)
});

export const NetworkRangeSchema = v.object({
	id: required,
	label: required,
	cidr: v.optional(shortText),
	gateway: v.optional(shortText),
	vlan: v.optional(v.pipe(v.number(), v.integer('must be a whole number')))
});

export const NetworkSchema = v.object({
	provider: v.optional(shortText),
	publicIp: v.optional(shortText),
	ranges: entities(NetworkRangeSchema),
	notes: v.optional(text)
});

export const LicenceSchema = v.object({
	id: required,
	key: v.optional(text),
	seats: v.optional(positiveInt),
	expiresOn: v.optional(isoDate)
});

export const SoftwareSchema = v.object({
	id: required,
	name: required,
	version: v.optional(shortText),
	licences: entities(LicenceSchema)
});

/** Always confidential: the UI hides the secret until revealed, and a reveal is logged. */
export const CredentialSchema = v.object({
	id: required,
	label: required,
	username: shortText,
	secret: text,
	confidential: v.literal(true),
	equipmentId: v.optional(shortText)
});

export const TechfileSchema = v.pipe(
	v.object({
		...docBase('techfile'),
		clientId: ref('client'),
		equipment: entities(EquipmentSchema),
		network: NetworkSchema,
		software: entities(SoftwareSchema),
		credentials: entities(CredentialSchema),
		notes: text,
		...edited
	}),
	v.forward(
		v.partialCheck(
			[['_id'], ['clientId']],
			(t) => t._id === techfileIdFor(t.clientId),
			'must be the technical file of its client ("techfile:" + the client id after "client:")'
		),
		['_id']
	)
);

export type Equipment = v.InferOutput<typeof EquipmentSchema>;
export type Credential = v.InferOutput<typeof CredentialSchema>;
export type Software = v.InferOutput<typeof SoftwareSchema>;
export type TechfileDoc = v.InferOutput<typeof TechfileSchema>;
