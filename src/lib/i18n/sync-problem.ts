/**
 * The sync status's problem in words, in the reader's language: which documents the server
 * refused ("le ticket n° 10302 « Imprimante HS »") and why (the refusal's code, through
 * problems.ts), and the server's error codes. Nothing the server or the browser wrote as text
 * reaches the screen.
 */
import type { SyncProblem } from '#lib/sync/problem.ts';
import { describeDocName } from '#lib/sync/describe.ts';
import { label, type Translate } from './labels.ts';
import type { MessageKey } from './messages.ts';
import { describeRefusal } from './problems.ts';

/** Refused documents named in full; the others are counted. */
export const REFUSED_SHOWN = 3;

/** The server's error codes with words (`sync.why.<code>`); any other reads "nouvel essai". */
const SERVER_CODES: ReadonlySet<string> = new Set([
	'sync_busy',
	'sync_unavailable',
	'too_large',
	'forbidden',
	'bad_request',
	'conflict'
]);

const capitalized = (text: string): string => text.charAt(0).toLocaleUpperCase() + text.slice(1);

export function describeSyncProblem(
	t: Translate,
	problem: SyncProblem,
	dateTime?: (iso: string) => string,
	count: (n: number) => string = String
): string {
	switch (problem.kind) {
		case 'unreachable':
			return t('sync.unreachable');
		case 'session':
			return t('sync.session');
		case 'cap':
			if (problem.count === undefined || problem.cap === undefined) return t('sync.cap');
			return t(problem.role ? 'sync.capRole' : 'sync.capCount', {
				count: count(problem.count),
				cap: count(problem.cap),
				role: problem.role ? label(t, 'role', problem.role) : ''
			});
		case 'server':
			return t('sync.server', {
				status: problem.status,
				message: t(
					SERVER_CODES.has(problem.code)
						? (`sync.why.${problem.code}` as MessageKey)
						: 'sync.why.other'
				)
			});
		case 'storage':
			return t('sync.storageFull');
		case 'unknown':
			return t('sync.error');
		case 'refused': {
			const item = (i: (typeof problem.items)[number], key: MessageKey) =>
				t(key, {
					what: capitalized(describeDocName(t, i.doc, dateTime)),
					why: i.why ? describeRefusal(t, i.why) : t('refusal.unknown')
				});
			const [only] = problem.items;
			if (problem.count === 1 && only) return item(only, 'sync.refusedOne');
			const shown = problem.items.slice(0, REFUSED_SHOWN).map((i) => item(i, 'sync.refusedItem'));
			const more = problem.count - shown.length;
			if (more > 0) shown.push(t('sync.refusedMore', { count: more }));
			return t('sync.refused', { count: problem.count, list: shown.join(' ') });
		}
	}
}
