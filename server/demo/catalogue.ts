// The shape of the demo's ticket catalogue (categories-*.ts hold the texts): for each
// category its taxonomy entry, the skill a technician needs to go on site, and ticket
// templates with the solution written at closure and the tasks a technician reports.

export interface TicketTemplate {
	/** Sub-category id in the demo taxonomy. */
	readonly sub: string;
	readonly title: string;
	readonly description: string;
	readonly solution: string;
	readonly tasks: readonly string[];
	/** A service request rather than an incident. */
	readonly request: boolean;
}

export interface CategorySpec {
	/** Category id in the demo taxonomy (`config:taxonomy`). */
	readonly id: string;
	readonly label: string;
	/** Group the taxonomy routes the category to (the "critère de redirection"). */
	readonly routingGroup: string;
	readonly subcategories: ReadonlyArray<{ readonly id: string; readonly label: string }>;
	/** Skill a technician needs to be sent on site for it. */
	readonly skill: Skill;
	/** Share of this category's tickets that need a technician on site. */
	readonly onSiteRate: number;
	/** How often the category comes up, relative to the others. */
	readonly weight: number;
	readonly templates: readonly TicketTemplate[];
}

/** The skills referential (`config:planning`): ids the profiles hold, and their words. */
export const SKILL_REFERENTIAL = [
	{ id: 'reseau', label: 'Réseau', labelEn: 'Network' },
	{ id: 'wifi', label: 'Wi-Fi', labelEn: 'Wi-Fi' },
	{ id: 'imprimante', label: 'Imprimante', labelEn: 'Printer' },
	{ id: 'serveur', label: 'Serveur', labelEn: 'Server' },
	{ id: 'telephonie', label: 'Téléphonie', labelEn: 'Telephony' },
	{ id: 'poste-de-travail', label: 'Poste de travail', labelEn: 'Workstation' },
	{ id: 'messagerie', label: 'Messagerie', labelEn: 'E-mail' },
	{ id: 'securite', label: 'Sécurité', labelEn: 'Security' },
	{ id: 'sauvegarde', label: 'Sauvegarde', labelEn: 'Backup' },
	{ id: 'logiciel', label: 'Logiciel', labelEn: 'Software' }
] as const;

export const SKILLS = SKILL_REFERENTIAL.map((s) => s.id);
export type Skill = (typeof SKILL_REFERENTIAL)[number]['id'];

/** Groups: the level-2 experts, the level-1 desk (hotliners) and the field technicians. */
export const EXPERT_GROUP = 'support-n2';
export const HOTLINE_GROUP = 'hotline';
export const FIELD_GROUP = 'terrain';
/** The groups referential (`config:groups`): the names people read for the ids above. */
/** A company this large has agencies: one team per ten scale units from scale 20 (working set). */
const AGENCY_TOWNS = [
	'Paris',
	'Lyon',
	'Marseille',
	'Toulouse',
	'Nantes',
	'Lille',
	'Bordeaux',
	'Strasbourg',
	'Rennes',
	'Montpellier',
	'Grenoble',
	'Nice'
] as const;

/**
 * The demo's teams (agencies) at this scale: none below 20 (one desk works everything), then
 * one per ten scale units, each a group of `config:groups` that clients and staff name.
 */
export function demoTeams(scale: number): Array<{ id: string; label: string }> {
	const count = scale >= 20 ? Math.floor(scale / 10) : 0;
	return Array.from({ length: count }, (_, i) => {
		const town = AGENCY_TOWNS[i % AGENCY_TOWNS.length]!;
		const n = Math.floor(i / AGENCY_TOWNS.length);
		const suffix = n === 0 ? '' : ` ${n + 1}`;
		return {
			id: `agence-${town.toLowerCase()}${n === 0 ? '' : `-${n + 1}`}`,
			label: `Agence de ${town}${suffix}`
		};
	});
}

export const DEMO_GROUPS = [
	{ id: EXPERT_GROUP, label: 'Support niveau 2 (experts)' },
	{ id: HOTLINE_GROUP, label: 'Hotline (niveau 1)' },
	{ id: FIELD_GROUP, label: 'Techniciens terrain' }
] as const;

/** A ticket template (factory, so the category files read as tables). */
export const t = (
	sub: string,
	title: string,
	description: string,
	solution: string,
	tasks: readonly string[],
	request = false
): TicketTemplate => ({ sub, title, description, solution, tasks, request });

export const subs = (...pairs: Array<[string, string]>) =>
	pairs.map(([id, label]) => ({ id, label }));
