/**
 * The device's storage as the browser grants it: persistent or not, used and quota. The app
 * asks for persistent storage once signed in (so the browser does not evict offline work
 * under pressure) and warns before the quota runs out.
 */

/** Warn past this share of the quota. */
export const STORAGE_WARN_RATIO = 0.8;
/** How often the estimate is read while the app is open (also after every sync). */
export const STORAGE_CHECK_MS = 5 * 60_000;

class StorageWatch {
	#usage = $state(0);
	#quota = $state(0);
	#persisted = $state<boolean | null>(null);
	#timer: ReturnType<typeof setInterval> | null = null;

	get usage(): number {
		return this.#usage;
	}
	get quota(): number {
		return this.#quota;
	}
	/** True when the browser promised not to evict the data; null when unknown. */
	get persisted(): boolean | null {
		return this.#persisted;
	}
	get ratio(): number {
		return this.#quota > 0 ? this.#usage / this.#quota : 0;
	}
	get low(): boolean {
		return this.ratio > STORAGE_WARN_RATIO;
	}

	start(): void {
		if (this.#timer !== null || typeof navigator === 'undefined' || !navigator.storage) return;
		void this.#askPersist();
		void this.refresh();
		this.#timer = setInterval(() => void this.refresh(), STORAGE_CHECK_MS);
	}

	async refresh(): Promise<void> {
		try {
			const estimate = await navigator.storage?.estimate();
			this.#usage = estimate?.usage ?? 0;
			this.#quota = estimate?.quota ?? 0;
		} catch {
			// Not offered (some private modes): nothing to watch.
		}
	}

	stop(): void {
		if (this.#timer !== null) clearInterval(this.#timer);
		this.#timer = null;
	}

	reset(): void {
		this.stop();
		this.#usage = 0;
		this.#quota = 0;
		this.#persisted = null;
	}

	async #askPersist(): Promise<void> {
		try {
			const storage = navigator.storage;
			this.#persisted = (await storage.persisted()) || (await storage.persist());
		} catch {
			this.#persisted = null;
		}
	}
}

export const storage = new StorageWatch();
