/**
 * How many documents one user's device may hold (issue #15, point 6). A technician's phone holds
 * its missions and their clients' files; a desk device holds a working set of the desk's tickets:
 * the cap is set per role, in `config:access` (`docCaps`), with these defaults. A user with several
 * roles gets the largest of theirs (the device holds what each role reads); the referential's
 * `docCap` and the server's `DOC_CAP` are ceilings over every role.
 */
import { ROLES, type Role } from './schemas/people.ts';

export const DEFAULT_ROLE_DOC_CAPS: Readonly<Record<Role, number>> = {
	technician: 5_000,
	dispatcher: 10_000,
	expert: 10_000,
	billing: 10_000,
	admin: 10_000
};

export interface DocCap {
	/** The limit for this user's device. */
	readonly cap: number;
	/** The role it comes from, or null when a ceiling (referential or server) set it. */
	readonly role: Role | null;
}

export function docCapFor(
	roles: readonly string[],
	access: { readonly docCap?: number; readonly docCaps?: Partial<Record<Role, number>> },
	ceiling: number
): DocCap {
	let best: DocCap | null = null;
	for (const role of ROLES) {
		if (!roles.includes(role)) continue;
		const cap = access.docCaps?.[role] ?? DEFAULT_ROLE_DOC_CAPS[role];
		if (!best || cap > best.cap) best = { cap, role };
	}
	const top = Math.min(ceiling, access.docCap ?? ceiling);
	// No role (a user the admin has not given one yet): the smallest default.
	best ??= { cap: Math.min(...Object.values(DEFAULT_ROLE_DOC_CAPS)), role: null };
	return best.cap > top ? { cap: top, role: null } : best;
}
