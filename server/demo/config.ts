// The referentials (`config:` documents): the demo taxonomy with its routing groups, and
// the domain's defaults for the priority matrix, SLA, business hours, notice templates,
// access window and billing rates, and the demo company's details for the report PDFs.
import { DEFAULT_BUSINESS_HOURS } from '../../src/lib/domain/business-hours.ts';
import { DEFAULT_NOTICE_TEMPLATES } from '../../src/lib/domain/notices.ts';
import { ITIL_PRIORITY_MATRIX } from '../../src/lib/domain/priority.ts';
import type { ConfigDoc, Taxonomy } from '../../src/lib/domain/schemas.ts';
import {
	DEFAULT_ACCESS_WINDOW_DAYS,
	DEFAULT_DOC_CAP,
	DEFAULT_SLOT_MINUTES
} from '../../src/lib/domain/schemas.ts';
import { DEFAULT_SLA_POLICY } from '../../src/lib/domain/sla.ts';
import { DEMO_GROUPS, SKILL_REFERENTIAL } from './catalogue.ts';
import { CATEGORIES } from './categories.ts';
import { DEMO_BILLING_RATES } from './invoices.ts';
import { COMPANY_DOMAIN } from './people.ts';

/** Categories, sub-categories and the group each routes to. */
export const DEMO_TAXONOMY: Taxonomy = CATEGORIES.map((c) => ({
	id: c.id,
	label: c.label,
	routingGroup: c.routingGroup,
	// The skill a technician needs on site, for the mission sheet to offer.
	skills: [c.skill],
	subcategories: c.subcategories.map((s) => ({ ...s }))
}));

/** A deep copy, so no two documents share an object with the domain's constants. */
const copy = <T>(value: T): T => structuredClone(value);

export function buildConfig(teams: ReadonlyArray<{ id: string; label: string }> = []): ConfigDoc[] {
	return [
		{
			_id: 'config:taxonomy',
			type: 'config',
			kind: 'taxonomy',
			categories: copy([...DEMO_TAXONOMY])
		},
		{
			_id: 'config:groups',
			type: 'config',
			kind: 'groups',
			groups: [...DEMO_GROUPS, ...teams].map((g) => ({ ...g }))
		},
		{
			_id: 'config:priority_matrix',
			type: 'config',
			kind: 'priority_matrix',
			matrix: copy(ITIL_PRIORITY_MATRIX)
		},
		{
			_id: 'config:sla',
			type: 'config',
			kind: 'sla',
			policy: copy(DEFAULT_SLA_POLICY),
			businessHours: copy(DEFAULT_BUSINESS_HOURS)
		},
		{
			_id: 'config:notice_templates',
			type: 'config',
			kind: 'notice_templates',
			templates: copy({ ...DEFAULT_NOTICE_TEMPLATES })
		},
		{
			_id: 'config:access',
			type: 'config',
			kind: 'access',
			windowDays: DEFAULT_ACCESS_WINDOW_DAYS,
			docCap: DEFAULT_DOC_CAP
		},
		{
			_id: 'config:company',
			type: 'config',
			kind: 'company',
			name: 'Aprile Services Informatiques',
			address: ['12 rue de Silly', '92100 Boulogne-Billancourt'],
			phone: '01 46 05 12 34',
			email: `support@${COMPANY_DOMAIN}`,
			siret: '552 100 554 00025'
		},
		{
			_id: 'config:billing_rates',
			type: 'config',
			kind: 'billing_rates',
			rates: copy(DEMO_BILLING_RATES)
		},
		{
			_id: 'config:planning',
			type: 'config',
			kind: 'planning',
			skills: SKILL_REFERENTIAL.map((s) => ({ ...s })),
			slotMinutes: DEFAULT_SLOT_MINUTES
		}
	];
}
