/**
 * The signed-in user, as the data layer and the domain rules see them: one model for the desk
 * and the field (the session's user, see state/session.svelte.ts).
 */
import { actorFromUser, type Actor } from '../domain/ticket.ts';
import type { Role } from '../domain/schemas.ts';
import type { Author } from './events.ts';

export interface Me {
	readonly name: string;
	readonly displayName: string;
	readonly roles: readonly string[];
	readonly groups: readonly string[];
}

export const userId = (me: Pick<Me, 'name'>): string => `user:${me.name}`;

/** Only the fields the rules need, whatever else the session carries (skills…). */
export function meOf(user: Me): Me {
	return {
		name: user.name,
		displayName: user.displayName,
		roles: [...user.roles],
		groups: [...user.groups]
	};
}

export function actorOf(me: Me): Actor {
	return actorFromUser({ _id: userId(me), roles: me.roles as Role[], groups: [...me.groups] });
}

export function authorOf(me: Me): Author {
	return { id: userId(me), name: me.displayName };
}

export function hasAnyRole(me: Me, ...roles: Role[]): boolean {
	return me.roles.some((r) => (roles as readonly string[]).includes(r));
}
