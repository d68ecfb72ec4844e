/**
 * Device settings of the signed-in user, kept in Dexie (`settings` table) so they survive a
 * reload and follow changes made in another tab (Dexie's live queries see them). When
 * IndexedDB is unavailable (private mode, storage refused) they live in memory for the visit.
 */
import { liveQuery, type Subscription } from 'dexie';
import type { DeviceDb } from '../data/dexie.ts';

export interface DeviceSettings {
	/** Follow the server live (long-poll); off, the device syncs on demand and every few minutes. */
	readonly liveSync: boolean;
	/** The storage warning stays hidden until then (ISO time). */
	readonly storageSnoozedUntil: string | null;
}

export const DEFAULT_SETTINGS: DeviceSettings = { liveSync: true, storageSnoozedUntil: null };

const PREFIX = 'pref.';

function coerce(raw: ReadonlyArray<{ key: string; value: unknown }>): DeviceSettings {
	const values = new Map(raw.map((r) => [r.key.slice(PREFIX.length), r.value]));
	const liveSync = values.get('liveSync');
	const snoozed = values.get('storageSnoozedUntil');
	return {
		liveSync: typeof liveSync === 'boolean' ? liveSync : DEFAULT_SETTINGS.liveSync,
		storageSnoozedUntil: typeof snoozed === 'string' ? snoozed : null
	};
}

class Settings {
	#values = $state.raw<DeviceSettings>(DEFAULT_SETTINGS);
	#persisted = $state(false);
	#device: DeviceDb | null = null;
	#subscription: Subscription | null = null;

	get liveSync(): boolean {
		return this.#values.liveSync;
	}
	get storageSnoozedUntil(): string | null {
		return this.#values.storageSnoozedUntil;
	}
	/** False while settings only live in memory (storage unavailable). */
	get persisted(): boolean {
		return this.#persisted;
	}

	/** Follows the settings of `device` (the signed-in user's). */
	open(device: DeviceDb): void {
		if (this.#device === device) return;
		this.close();
		this.#device = device;
		this.#subscription = liveQuery(() =>
			device.settings.where('key').startsWith(PREFIX).toArray()
		).subscribe({
			next: (rows) => {
				this.#values = coerce(rows);
				this.#persisted = true;
			},
			error: (error: unknown) => {
				console.warn('settings: device storage unavailable, kept in memory', error);
				this.#persisted = false;
			}
		});
	}

	async set<K extends keyof DeviceSettings>(key: K, value: DeviceSettings[K]): Promise<void> {
		this.#values = { ...this.#values, [key]: value };
		if (!this.#device) return;
		try {
			await this.#device.settings.put({ key: `${PREFIX}${key}`, value });
		} catch {
			this.#persisted = false;
		}
	}

	close(): void {
		this.#subscription?.unsubscribe();
		this.#subscription = null;
		this.#device = null;
	}

	reset(): void {
		this.close();
		this.#values = DEFAULT_SETTINGS;
		this.#persisted = false;
	}
}

export const settings = new Settings();
