import { parseAs, type ConfigDoc, type GrantDoc, type UserDoc } from '../domain/schemas.ts';
import { err, ok, type Result } from '../domain/result.ts';
import { typedOfType } from './docs.ts';
import type { LocalDb } from './local-db.ts';
import type { Me } from './ticket-desk.ts';

export interface AdminView {
	readonly users: UserDoc[];
	readonly configs: ConfigDoc[];
	readonly grants: GrantDoc[];
}

export async function adminView(db: LocalDb): Promise<AdminView> {
	const [users, configs, grants] = await Promise.all([typedOfType(db, 'user'), typedOfType(db, 'config'), typedOfType(db, 'grant')]);
	return {
		users: users.sort((a, b) => a.name.localeCompare(b.name)),
		configs: configs.sort((a, b) => a._id.localeCompare(b._id)),
		grants: grants.sort((a, b) => b.requestedAt.localeCompare(a.requestedAt))
	};
}

/**
 * Saves an edited referential (taxonomy, priority matrix, SLA and business hours, notice
 * templates, access, billing rates) after the domain schema accepted it.
 * @returns the schema's complaints in words, one per line, when refused.
 */
export async function saveConfig(db: LocalDb, before: ConfigDoc, json: string): Promise<Result<true, string>> {
	let raw: unknown;
	try {
		raw = JSON.parse(json);
	} catch (error) {
		return err(`JSON invalide : ${(error as Error).message}`);
	}
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return err('Un objet JSON est attendu.');
	const candidate = { ...(raw as Record<string, unknown>), _id: before._id, _rev: before._rev, type: 'config', kind: before.kind };
	const checked = parseAs('config', candidate);
	if (!checked.ok) return err(checked.error.join('\n'));
	await db.put(checked.value as never);
	return ok(true);
}

/** The parts of a user profile an admin edits on the desk (accounts and passwords: the CLI). */
export async function saveUser(db: LocalDb, user: UserDoc, changes: { roles: UserDoc['roles']; groups: string[]; skills: string[] }): Promise<Result<true, string>> {
	const checked = parseAs('user', { ...user, ...changes });
	if (!checked.ok) return err(checked.error.join('\n'));
	await db.put(checked.value as never);
	return ok(true);
}

/** Approves (with an expiry) or refuses a technician's request for access to a client's file. */
export async function decideGrant(db: LocalDb, grant: GrantDoc, decision: { approve: boolean; expiresAt?: string; comment?: string }, me: Me, now: Date): Promise<Result<true, string>> {
	const next = {
		...grant,
		status: decision.approve ? 'approved' : 'refused',
		decidedBy: me._id,
		decidedAt: now.toISOString(),
		...(decision.approve && decision.expiresAt ? { expiresAt: decision.expiresAt } : {}),
		...(decision.comment ? { comment: decision.comment } : {})
	};
	const checked = parseAs('grant', next);
	if (!checked.ok) return err(checked.error.join('\n'));
	await db.put(checked.value as never);
	return ok(true);
}

/** What the editor shows of a config document: everything but the bookkeeping fields. */
export function editableJson(config: ConfigDoc): string {
	const { _id, _rev, type, kind, access, ...rest } = config as ConfigDoc & { access?: unknown };
	void _id;
	void _rev;
	void type;
	void kind;
	void access;
	return JSON.stringify(rest, null, 2);
}
