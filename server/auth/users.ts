import type { DocumentScope } from 'nano';
import { HttpError, statusOf } from '../errors.ts';
import { hashPassword, passwordProblem, verifyPassword } from './password.ts';
import { parseAs } from '#lib/domain/schemas.ts';
import { closeSessionsOf } from './sessions.ts';
import { revokeFeed } from '../ical/tokens.ts';
import { removeSubscriptionsOf } from '../notify/subscriptions.ts';

export const ROLES = ['dispatcher', 'expert', 'technician', 'billing', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Server-only: never replicated (lives in the private database). */
export type Credential = {
	_id: string;
	_rev?: string;
	type: 'credential';
	name: string;
	hash: string;
	disabled: boolean;
	version: number;
};

/** The profile part, replicated to devices as a `user:` document. */
export type Profile = {
	_id: string;
	_rev?: string;
	type: 'user';
	name: string;
	displayName: string;
	email?: string;
	roles: Role[];
	groups: string[];
	skills: string[];
	disabled?: boolean;
	access?: string[];
	createdAt?: string;
	updatedAt?: string;
};

export interface NewUser {
	name: string;
	displayName?: string;
	email?: string;
	roles: readonly string[];
	groups?: readonly string[];
	skills?: readonly string[];
	password: string;
}

export interface Accounts {
	readonly db: DocumentScope<Record<string, unknown>>;
	readonly privateDb: DocumentScope<Record<string, unknown>>;
}

const NAME = /^[a-z0-9][a-z0-9._-]{1,63}$/;

export function credentialId(name: string): string {
	return `credential:${name}`;
}

export function profileId(name: string): string {
	return `user:${name}`;
}

/** Checks a new account's fields; returns what is wrong in words, or null. */
export function newUserProblem(user: NewUser): string | null {
	if (!NAME.test(user.name)) {
		return `the name "${user.name}" must be 2–64 lowercase letters, digits, dots, dashes or underscores`;
	}
	if (user.roles.length === 0) return `give at least one role (${ROLES.join(', ')})`;
	const unknown = user.roles.filter((r) => !(ROLES as readonly string[]).includes(r));
	if (unknown.length > 0) return `unknown role "${unknown[0]}" (roles: ${ROLES.join(', ')})`;
	return passwordProblem(user.password);
}

/**
 * Creates the credential and the profile.
 * @throws {HttpError} 400 when a field is wrong, 409 when the name is taken.
 */
export async function addUser(accounts: Accounts, user: NewUser, now: Date): Promise<Profile> {
	const problem = newUserProblem(user);
	if (problem) throw new HttpError(400, 'invalid_user', problem);
	if (await getCredential(accounts, user.name)) {
		throw new HttpError(409, 'user_exists', `a user named "${user.name}" already exists`);
	}
	const credential: Credential = {
		_id: credentialId(user.name),
		type: 'credential',
		name: user.name,
		hash: await hashPassword(user.password),
		disabled: false,
		version: 1
	};
	const profile: Profile = {
		_id: profileId(user.name),
		type: 'user',
		name: user.name,
		displayName: user.displayName ?? user.name,
		...(user.email ? { email: user.email } : {}),
		roles: [...user.roles] as Role[],
		groups: [...(user.groups ?? [])],
		skills: [...(user.skills ?? [])],
		access: [`user:${user.name}`, 'role:admin', 'role:dispatcher', 'role:expert'],
		createdAt: now.toISOString(),
		updatedAt: now.toISOString()
	};
	const checked = parseAs('user', profile);
	if (!checked.ok) throw new HttpError(400, 'invalid_user', checked.error.join('; '));
	await accounts.privateDb.insert(credential);
	const existing = await getProfile(accounts, user.name);
	await accounts.db.insert(existing?._rev ? { ...profile, _rev: existing._rev } : profile);
	return profile;
}

export async function getCredential(accounts: Accounts, name: string): Promise<Credential | null> {
	return getOrNull<Credential>(accounts.privateDb, credentialId(name));
}

export async function getProfile(accounts: Accounts, name: string): Promise<Profile | null> {
	return getOrNull<Profile>(accounts.db, profileId(name));
}

export async function listUsers(
	accounts: Accounts
): Promise<Array<Profile & { disabled: boolean }>> {
	const result = await accounts.db.list({
		startkey: 'user:',
		endkey: 'user:\ufff0',
		include_docs: true
	});
	const creds = await accounts.privateDb.list({
		startkey: 'credential:',
		endkey: 'credential:\ufff0',
		include_docs: true
	});
	const disabled = new Set(
		creds.rows
			.map((r) => r.doc as unknown as Credential | undefined)
			.filter((c): c is Credential => !!c && c.disabled)
			.map((c) => c.name)
	);
	return result.rows
		.map((r) => r.doc as unknown as Profile | undefined)
		.filter((p): p is Profile => !!p)
		.map((p) => ({ ...p, disabled: disabled.has(p.name) }));
}

/**
 * Disabling ends everything the account still reaches, at once: the credential version is
 * bumped and every session record deleted (no instance accepts their cookies any more), the
 * iCalendar feed is revoked and the push subscriptions deleted. Enabling again brings none
 * of them back: the user signs in, subscribes and makes a new feed.
 */
export async function setDisabled(
	accounts: Accounts,
	name: string,
	disabled: boolean
): Promise<void> {
	const credential = await requireCredential(accounts, name);
	await accounts.privateDb.insert({ ...credential, disabled, version: credential.version + 1 });
	if (disabled) {
		await closeSessionsOf(accounts.privateDb, name);
		await revokeFeed(accounts.privateDb, name);
		await removeSubscriptionsOf(accounts.privateDb, profileId(name));
	}
	const profile = await getProfile(accounts, name);
	if (profile) await accounts.db.insert({ ...profile, disabled });
}

export async function resetPassword(
	accounts: Accounts,
	name: string,
	password: string
): Promise<void> {
	const problem = passwordProblem(password);
	if (problem) throw new HttpError(400, 'invalid_password', problem);
	const credential = await requireCredential(accounts, name);
	await accounts.privateDb.insert({
		...credential,
		hash: await hashPassword(password),
		version: credential.version + 1
	});
	await closeSessionsOf(accounts.privateDb, name);
}

/** Returns the credential when name and password match an enabled account, else null. */
export async function checkPassword(
	accounts: Accounts,
	name: string,
	password: string
): Promise<Credential | null> {
	const credential = NAME.test(name) ? await getCredential(accounts, name) : null;
	// Hash even for unknown names so timing does not tell which part was wrong.
	const ok = await verifyPassword(password, credential?.hash ?? DUMMY_HASH);
	return credential && ok && !credential.disabled ? credential : null;
}

const DUMMY_HASH =
	'scrypt$131072$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

async function requireCredential(accounts: Accounts, name: string): Promise<Credential> {
	const credential = await getCredential(accounts, name);
	if (!credential) throw new HttpError(404, 'no_user', `no user named "${name}"`);
	return credential;
}

async function getOrNull<T>(
	db: DocumentScope<Record<string, unknown>>,
	id: string
): Promise<T | null> {
	try {
		return (await db.get(id)) as T;
	} catch (error) {
		if (statusOf(error) === 404) return null;
		throw error;
	}
}
