import { Workbox } from 'workbox-window';

/**
 * The service worker's lifecycle as the page sees it: registration, and a new version
 * waiting. The page reloads into a new version only when the user asks and no draft is
 * open (a screen editing a draft holds the update with `hold()`).
 */
class Pwa {
	#updateWaiting = $state(false);
	#holds = $state(0);
	#wb: Workbox | null = null;

	get updateWaiting(): boolean {
		return this.#updateWaiting;
	}

	/** True while some screen has unsaved work open. */
	get held(): boolean {
		return this.#holds > 0;
	}

	register(): void {
		if (this.#wb || !('serviceWorker' in navigator)) return;
		const wb = new Workbox('/service-worker.js', { type: 'module' });
		wb.addEventListener('waiting', () => (this.#updateWaiting = true));
		wb.addEventListener('controlling', () => {
			if (this.#holds === 0) location.reload();
		});
		this.#wb = wb;
		void wb
			.register()
			.catch((error: unknown) => console.warn('service worker not registered', error));
	}

	/** Asks the waiting version to take over; the page reloads when it does. */
	applyUpdate(): void {
		if (this.#holds > 0 || !this.#wb) return;
		this.#wb.messageSkipWaiting();
	}

	/** Holds updates while a draft is open; returns the release function. */
	hold(): () => void {
		this.#holds++;
		let released = false;
		return () => {
			if (!released) this.#holds--;
			released = true;
		};
	}
}

export const pwa = new Pwa();
