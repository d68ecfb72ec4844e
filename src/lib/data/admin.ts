import { parseAs, type ClientDoc, type ConfigDoc, type GrantDoc, type Role, type UserDoc } from '../domain/schemas.ts';
import { err, ok, type Result } from '../domain/result.ts';
import { invalid, type Refusal } from '../domain/refusals.ts';
import { readAll, writeAll } from './docs.ts';
import type { LocalDb } from './local-db.ts';
import { userId, type Me } from './me.ts';

export interface AdminView {
	readonly users: UserDoc[];
	readonly configs: ConfigDoc[];
	readonly grants: GrantDoc[];
	/** To name the client of an access request. */
	readonly clients: ClientDoc[];
}

export async function adminView(db: LocalDb): Promise<AdminView> {
	const [users, configs, grants, clients] = await Promise.all([readAll(db, 'user'), readAll(db, 'config'), readAll(db, 'grant'), readAll(db, 'client')]);
	return {
		users: users.sort((a, b) => a.name.localeCompare(b.name)),
		configs: configs.sort((a, b) => a._id.localeCompare(b._id)),
		grants: grants.sort((a, b) => b.requestedAt.localeCompare(a.requestedAt)),
		clients
	};
}

/**
 * Saves an edited referential (taxonomy, priority matrix, SLA and business hours, notice
 * templates, access, billing rates) after the domain schema accepted it.
 * @returns the schema's refusal (its issues, for the screen to put into words).
 * @throws {WriteError} when the database refuses the document.
 */
export async function saveConfig(db: LocalDb, before: ConfigDoc, json: string): Promise<Result<true, Refusal>> {
	let raw: unknown;
	try {
		raw = JSON.parse(json);
	} catch (error) {
		return err(invalid([`config: must be JSON (${(error as Error).message})`]));
	}
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return err(invalid(['config: must be an object with fields']));
	const candidate = { ...(raw as Record<string, unknown>), _id: before._id, _rev: before._rev, type: 'config', kind: before.kind };
	const checked = parseAs('config', candidate);
	if (!checked.ok) return err(invalid(checked.error));
	await writeAll(db, [checked.value]);
	return ok(true);
}

/**
 * Saves the device limits per role (`config:access` `docCaps`, issue #15) after the domain schema
 * accepted them; the server applies them at each device's next manifest.
 */
export async function saveDocCaps(db: LocalDb, access: ConfigDoc, caps: Partial<Record<Role, number>>): Promise<Result<true, Refusal>> {
	const checked = parseAs('config', { ...access, docCaps: caps });
	if (!checked.ok) return err(invalid(checked.error));
	await writeAll(db, [checked.value]);
	return ok(true);
}

/** The parts of a user profile an admin edits on the desk (accounts and passwords: the CLI). */
export async function saveUser(db: LocalDb, user: UserDoc, changes: { roles: UserDoc['roles']; groups: string[]; skills: string[]; team?: string | undefined }): Promise<Result<true, Refusal>> {
	// No team: the field goes (the person then works for every team's desk).
	const { team: _team, ...rest } = user;
	void _team;
	const { team, ...others } = changes;
	const checked = parseAs('user', { ...rest, ...others, ...(team ? { team } : {}) });
	if (!checked.ok) return err(invalid(checked.error));
	await writeAll(db, [checked.value]);
	return ok(true);
}

/** Approves (with an expiry) or refuses a technician's request for access to a client's file. */
export async function decideGrant(db: LocalDb, grant: GrantDoc, decision: { approve: boolean; expiresAt?: string; comment?: string }, me: Me, now: Date): Promise<Result<true, Refusal>> {
	const next = {
		...grant,
		status: decision.approve ? 'approved' : 'refused',
		decidedBy: userId(me),
		decidedAt: now.toISOString(),
		...(decision.approve && decision.expiresAt ? { expiresAt: decision.expiresAt } : {}),
		...(decision.comment ? { comment: decision.comment } : {})
	};
	const checked = parseAs('grant', next);
	if (!checked.ok) return err(invalid(checked.error));
	await writeAll(db, [checked.value]);
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
