import { redirect } from '@sveltejs/kit';
import { destroyDeviceDb, deviceDb } from '../data/dexie.ts';
import { disablePush } from '../notify/push.svelte.ts';
import { destroyLocalDb } from '../data/local-db.ts';
import { storage } from '../sync/storage.svelte.ts';
import { sync } from '../sync/sync.svelte.ts';
import { session, type SessionUser } from './session.svelte.ts';
import { settings } from './settings.svelte.ts';

/** Layout guard for both faces: the signed-in user, with sync and device settings started. */
export async function signedIn(): Promise<{ user: SessionUser }> {
	const user = session.restored ? session.user : await session.restore();
	if (!user) redirect(307, '/login');
	settings.open(deviceDb(user.name));
	sync.start(user);
	return { user };
}

/**
 * Signs out and erases this user's data from the device (PouchDB and Dexie): the device may
 * be shared. What was not synced is lost; the sign-out dialog says what before.
 */
export async function signOut(): Promise<void> {
	const user = session.user;
	// While still signed in: the server forgets this device's push subscription.
	await disablePush().catch(() => undefined);
	await sync.stop();
	settings.reset();
	storage.reset();
	if (user) {
		const results = await Promise.allSettled([
			destroyLocalDb(user.name),
			destroyDeviceDb(user.name)
		]);
		for (const r of results) if (r.status === 'rejected') console.warn('erase failed', r.reason);
	}
	sync.reset();
	await session.signOut();
}
