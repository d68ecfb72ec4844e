/**
 * The people a ticket can be given to, from the user documents on this device (the desk
 * holds the directory: access.ts gives users to dispatchers and experts).
 */
import type { Role, UserDoc } from '../domain/schemas.ts';
import { readAll } from './docs.ts';
import type { LocalDb } from './local-db.ts';

export interface Person {
	readonly id: string;
	readonly displayName: string;
	readonly roles: readonly Role[];
	readonly groups: readonly string[];
}

/** Roles whose holders work on tickets (billing does not). */
const WORKERS: readonly Role[] = ['technician', 'expert', 'dispatcher', 'admin'];

/** Whether this account may be given a ticket: active, and one who works on tickets. */
export function isAssignable(user: Pick<UserDoc, 'roles' | 'disabled'>): boolean {
	return user.disabled !== true && user.roles.some((r) => WORKERS.includes(r));
}

/** Active people who work on tickets, by name (French order). */
export async function assignablePeople(db: LocalDb): Promise<Person[]> {
	const users = await readAll(db, 'user');
	return users
		.filter(isAssignable)
		.map((u) => ({ id: u._id, displayName: u.displayName, roles: u.roles, groups: u.groups }))
		.sort((a, b) => a.displayName.localeCompare(b.displayName, 'fr'));
}
