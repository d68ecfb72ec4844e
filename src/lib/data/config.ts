import { DEFAULT_BUSINESS_HOURS, type BusinessHours } from '../domain/business-hours.ts';
import { ITIL_PRIORITY_MATRIX } from '../domain/priority.ts';
import {
	DEFAULT_SLOT_MINUTES,
	type CompanyConfig,
	type Group,
	type PriorityMatrix,
	type SkillEntry,
	type Taxonomy
} from '../domain/schemas.ts';
import { routingGroups } from '../domain/taxonomy.ts';
import { DEFAULT_SLA_POLICY, type SlaPolicy } from '../domain/sla.ts';
import { DEFAULT_CLOSE_AFTER_DAYS } from '../domain/sla-facts.ts';
import { readDoc } from './docs.ts';
import type { LocalDb } from './local-db.ts';

export interface Referentials {
	readonly taxonomy: Taxonomy;
	readonly matrix: PriorityMatrix;
	readonly sla: SlaPolicy;
	readonly hours: BusinessHours;
	/** The skills referential (`config:planning`). */
	readonly skills: readonly SkillEntry[];
	/** Slots start on this grid, in minutes. */
	readonly slotMinutes: number;
	/** Where tickets may be routed, with their names (`config:groups`, else the taxonomy's). */
	readonly groups: readonly Group[];
	/** Business days a resolved ticket waits for the requester before closing by timeout. */
	readonly closeAfterDays: number;
}

/** A group's name for people; the id itself only when no referential names it. */
export function groupLabel(groups: readonly Group[], id: string): string {
	return groups.find((g) => g.id === id)?.label ?? id;
}

/** The referentials from the synced `config:` documents, with the domain defaults when absent. */
export async function referentials(db: LocalDb): Promise<Referentials> {
	// A referential the device cannot read must not hide the screen: the defaults then.
	const read = (id: string) => readDoc(db, 'config', id).catch(() => null);
	const [taxonomy, matrix, sla, groups, planning, requester] = await Promise.all([
		read('config:taxonomy'),
		read('config:priority_matrix'),
		read('config:sla'),
		read('config:groups'),
		read('config:planning'),
		read('config:requester')
	]);
	const categories = taxonomy?.kind === 'taxonomy' ? taxonomy.categories : [];
	return {
		taxonomy: categories,
		groups:
			groups?.kind === 'groups'
				? groups.groups
				: routingGroups(categories).map((id) => ({ id, label: id })),
		matrix: matrix?.kind === 'priority_matrix' ? matrix.matrix : ITIL_PRIORITY_MATRIX,
		sla: sla?.kind === 'sla' ? sla.policy : DEFAULT_SLA_POLICY,
		hours: sla?.kind === 'sla' ? sla.businessHours : DEFAULT_BUSINESS_HOURS,
		skills: planning?.kind === 'planning' ? planning.skills : [],
		slotMinutes: planning?.kind === 'planning' ? planning.slotMinutes : DEFAULT_SLOT_MINUTES,
		closeAfterDays:
			requester?.kind === 'requester'
				? (requester.closeAfterDays ?? DEFAULT_CLOSE_AFTER_DAYS)
				: DEFAULT_CLOSE_AFTER_DAYS
	};
}

/** The company's name and details for the report PDFs; null when the referential is absent. */
export async function companyOf(db: LocalDb): Promise<CompanyConfig | null> {
	const doc = await readDoc(db, 'config', 'config:company').catch(() => null);
	return doc?.kind === 'company' ? doc : null;
}
