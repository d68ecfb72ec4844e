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
	'unknown_user',
	'unknown_group',
	// who the ticket is for (parties.ts)
	'parties_who',
	'parties_over',
	'client_after_planning',
	'unknown_client',
	'unknown_site',
	'unknown_contact',
	'party_unchanged',
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
	// what the server refuses on push (may-write.ts, server/sync/push.ts)
	'account_disabled',
	'type_fixed',
	'id_fixed',
	'access_server',
	'not_you',
	'fields_assignee',
	'fields_mission',
	'fields_billing',
	'fields_staff',
	'fields_profile',
	'stale_stamp',
	'nothing_to_delete',
	'ticket_never_deleted',
	'event_never_deleted',
	'event_never_edited',
	'billing_server',
	'hourbank_server',
	'invoice_server',
	'survey_server',
	'event_server',
	'confirm_requester',
	'author_name',
	'report_sealed',
	'report_unsealed',
	'report_delete',
	'calendar_delete',
	'mission_delete',
	'admin_delete',
	'ticket_open_who',
	'ticket_number',
	'ticket_created',
	'ticket_open_new',
	'not_working_on',
	'escalate_unassigned',
	'closure_report',
	'closure_no_report',
	'closure_other_ticket',
	'closure_unsigned',
	'client_missing',
	'mission_no_ticket',
	'mission_client',
	'plan_who',
	'replan_who',
	'plan_group',
	'mission_not_yours',
	'mission_cancel',
	'report_who',
	'report_no_mission',
	'report_mission',
	'report_technician',
	'client_add_who',
	'client_who',
	'techfile_who',
	'event_no_subject',
	'event_subject_kind',
	'event_ticket',
	'event_no_ticket',
	'accounts_admin',
	'grant_admin',
	'grant_self',
	'calendar_own',
	'config_admin',
	'push_malformed',
	'too_large',
	'unreadable_after',
	'stored_invalid',
	'not_checked',
	'not_merged',
	'not_stored',
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

const REFUSAL_CODES: readonly RefusalCode[] = ['status', 'role', 'rule', 'params', 'invalid'];

const isParam = (v: unknown): v is string | number | readonly string[] =>
	typeof v === 'string' ||
	(typeof v === 'number' && Number.isFinite(v)) ||
	(Array.isArray(v) && v.every((x) => typeof x === 'string'));

/**
 * The refusal in a server's per-document push answer (`{code, key, params, reason}`), or null
 * when it carries none this version knows: the screen then says so rather than show `reason`.
 */
export function parseRefusal(answer: unknown): Refusal | null {
	if (typeof answer !== 'object' || answer === null) return null;
	const a = answer as { code?: unknown; key?: unknown; params?: unknown; reason?: unknown };
	const code = REFUSAL_CODES.find((c) => c === a.code);
	const key = REFUSAL_KEYS.find((k) => k === a.key);
	if (code === undefined || key === undefined) return null;
	const message = typeof a.reason === 'string' ? a.reason : '';
	if (a.params === undefined) return refusal(code, key, message);
	if (typeof a.params !== 'object' || a.params === null || Array.isArray(a.params)) return null;
	const params: Record<string, string | number | readonly string[]> = {};
	for (const [name, value] of Object.entries(a.params as Record<string, unknown>)) {
		if (isParam(value)) params[name] = value;
	}
	return refusal(code, key, message, params);
}
