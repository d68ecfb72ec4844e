import { api, ApiError } from '../api/http.ts';

export interface SessionUser {
	readonly name: string;
	readonly displayName: string;
	readonly roles: readonly string[];
	readonly groups: readonly string[];
	readonly skills: readonly string[];
}

const CACHE_KEY = 'terrain.session-user';

const DESK_ROLES = ['dispatcher', 'admin', 'expert'];

/** The commercial service without a desk role: the billing face is all it uses. */
export function billingOnly(roles: readonly string[]): boolean {
	return roles.includes('billing') && !roles.some((r) => DESK_ROLES.includes(r));
}

export function homeOf(
	roles: readonly string[]
): '/(field)/missions' | '/(desk)/tickets' | '/(desk)/billing' {
	if (roles.includes('technician') && !roles.some((r) => r === 'dispatcher' || r === 'admin'))
		return '/(field)/missions';
	if (billingOnly(roles)) return '/(desk)/billing';
	return '/(desk)/tickets';
}

/**
 * Who is signed in on this device. The profile is remembered locally so a technician
 * can open the app with no network; the server's cookie stays the authority.
 */
class Session {
	#user = $state.raw<SessionUser | null>(null);
	#restored = $state(false);

	get user(): SessionUser | null {
		return this.#user;
	}

	get restored(): boolean {
		return this.#restored;
	}

	/**
	 * Where the user lands after sign-in: the field face for technicians, the billing face for
	 * the commercial service, the desk for the others.
	 */
	get home(): '/(field)/missions' | '/(desk)/tickets' | '/(desk)/billing' {
		return homeOf(this.#user?.roles ?? []);
	}

	async restore(): Promise<SessionUser | null> {
		try {
			const { user } = await api<{ user: SessionUser }>('/api/session');
			this.#set(user);
		} catch (error) {
			// Offline: trust the remembered profile; signed out on the server: forget it.
			if (error instanceof ApiError && error.status === 0) this.#user = readCached();
			else this.#set(null);
		}
		this.#restored = true;
		return this.#user;
	}

	/** @throws {ApiError} with the server's message (wrong credentials, too many attempts, offline). */
	async signIn(name: string, password: string): Promise<SessionUser> {
		const { user } = await api<{ user: SessionUser }>('/api/session', {
			method: 'POST',
			body: { name, password }
		});
		this.#set(user);
		this.#restored = true;
		return user;
	}

	async signOut(): Promise<void> {
		await api('/api/session', { method: 'DELETE' }).catch(() => undefined);
		this.#set(null);
	}

	reset(): void {
		this.#user = null;
		this.#restored = false;
	}

	#set(user: SessionUser | null): void {
		this.#user = user;
		try {
			if (user) localStorage.setItem(CACHE_KEY, JSON.stringify(user));
			else localStorage.removeItem(CACHE_KEY);
		} catch {
			// No storage: the session still works while the page is open.
		}
	}
}

function readCached(): SessionUser | null {
	try {
		const raw = localStorage.getItem(CACHE_KEY);
		return raw ? (JSON.parse(raw) as SessionUser) : null;
	} catch {
		return null;
	}
}

export const session = new Session();
