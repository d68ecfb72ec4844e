/**
 * Why a technician is offered for a mission, in the reader's words: the skills asked for (by
 * their labels), when they are free, their week's load and how far they come from.
 */
import type { Candidate } from '#lib/domain/planning.ts';
import { skillLabel, type SkillEntry } from '#lib/domain/skills.ts';
import type { Locale } from './i18n.svelte.ts';
import type { Translate } from './labels.ts';
import type { DateTime } from './timeline.ts';

export function candidateReasons(
	c: Pick<Candidate, 'skills' | 'slot' | 'weekLoadMinutes' | 'distanceKm' | 'travelFrom'>,
	words: {
		readonly t: Translate;
		readonly dateTime: DateTime;
		readonly locale: Locale;
		readonly catalog: readonly SkillEntry[];
	}
): string[] {
	const { t, dateTime, locale, catalog } = words;
	const km =
		c.distanceKm === null
			? ''
			: new Intl.NumberFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', {
					maximumFractionDigits: 1
				}).format(c.distanceKm);
	return [
		c.skills.length === 0
			? t('plan.whyNoSkills')
			: t('plan.whySkills', {
					list: c.skills.map((s) => skillLabel(catalog, s, locale)).join(', ')
				}),
		t('plan.whyFree', {
			date: dateTime(c.slot.start, {
				weekday: 'short',
				day: 'numeric',
				month: 'short',
				hour: '2-digit',
				minute: '2-digit'
			})
		}),
		t('plan.whyLoad', { hours: Math.round(c.weekLoadMinutes / 60) }),
		c.distanceKm === null
			? t('plan.whyDistanceUnknown')
			: c.travelFrom === 'previous_mission'
				? t('plan.whyFromMission', { km })
				: t('plan.whyFromBase', { km })
	];
}
