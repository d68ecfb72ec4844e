import { redirect } from '@sveltejs/kit';
import { localDb } from '../data/local-db.ts';
import { session, type SessionUser } from './session.svelte.ts';
import { sync } from '../sync/sync.svelte.ts';

/** Layout guard for both faces: the signed-in user and their local database, sync started. */
export async function signedIn(): Promise<{ user: SessionUser }> {
	const user = session.restored ? session.user : await session.restore();
	if (!user) redirect(307, '/login');
	const db = localDb(user.name);
	if (sync.phase === 'idle' && !sync.lastSuccess) sync.start(db);
	return { user };
}

export async function signOut(): Promise<void> {
	sync.reset();
	await session.signOut();
}
