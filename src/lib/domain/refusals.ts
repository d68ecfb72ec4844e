/**
 * Why the domain says no, as data: a category (`code`), a precise `key` with its parameters
 * for the screens to put into words (i18n `refusal.<key>`), and an English `message` kept for
 * logs and for the server's per-document answers. Words are made by the UI only.
 */
export type RefusalCode = 'status' | 'role' | 'rule' | 'params' | 'invalid';

export const REFUSAL_KEYS = [
	// who may do what, from which status (ticket-rules.ts)
	'status_from',
	'who_only',
	'requester_other',
	'level_max',
	'waits_third_party',
	'status_path',
	// the action's parameters (ticket.ts)
	'need_category',
	'need_levels',
	'need_taxonomy',
	'unknown_category',
	'unknown_subcategory',
	'need_client',
	'need_group',
	'need_assignee',
	'assignee_ids',
	'technician_id',
	'need_wait_reason',
	'nothing_to_wait',
	'need_solution',
	'invalid_report',
	'need_report',
	'reopen_nobody',
	'need_reason',
	'duplicate_target',
	'link_target',
	'link_exists',
	'link_missing',
	// planning (planning.ts)
	'slot_order',
	'booked_mission',
	'booked_absence',
	'booked_training',
	'mission_missing',
	'mission_over',
	'mission_active',
	// forms on the device (data/)
	'need_title',
	'need_requester',
	'need_end_reason',
	// a document the schema refuses: `issues` lists them (see i18n/validation.ts)
	'invalid'
] as const;
export type RefusalKey = (typeof REFUSAL_KEYS)[number];

export type RefusalParams = Readonly<Record<string, string | number | readonly string[]>>;

export interface Refusal {
	readonly code: RefusalCode;
	readonly key: RefusalKey;
	readonly params?: RefusalParams;
	/** English, for logs and server answers; never shown on a screen. */
	readonly message: string;
}

export function refusal(
	code: RefusalCode,
	key: RefusalKey,
	message: string,
	params?: RefusalParams
): Refusal {
	return params === undefined ? { code, key, message } : { code, key, message, params };
}

/** A document the schema refused, its issues kept for the screen (i18n/validation.ts). */
export function invalid(issues: readonly string[]): Refusal {
	return refusal('invalid', 'invalid', issues.join('; '), { issues });
}
