import type { ReportDoc } from '#lib/domain/schemas.ts';
import type { MessageKey } from '#lib/i18n/messages.ts';

const COMMON: MessageKey[] = [
	'task.diagnosis',
	'task.replace',
	'task.configure',
	'task.update',
	'task.cabling',
	'task.test'
];

/** Tasks to tick: the usual ones, then those of earlier reports at this client. */
export function taskSuggestions(
	t: (key: MessageKey) => string,
	past: readonly { report: ReportDoc | null }[]
): string[] {
	const earlier = past.flatMap((p) => p.report?.tasks ?? []);
	return [...new Set([...COMMON.map((k) => t(k)), ...earlier])].slice(0, 12);
}
