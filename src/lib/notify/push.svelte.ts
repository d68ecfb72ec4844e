import { api } from '../api/http.ts';
import { sync } from '../sync/sync.svelte.ts';

export const PUSH_EVENTS = [
	'assigned',
	'rescheduled',
	'cancelled',
	'escalated',
	'reminder'
] as const;
export type PushEventName = (typeof PUSH_EVENTS)[number];
export type PushPreferences = Record<PushEventName, boolean>;

type Permission = NotificationPermission | 'unsupported';

const DISMISS_KEY = 'terrain.push-prompt-later';
/** "Later" hides the prompt this long. */
const SNOOZE_MS = 3 * 24 * 60 * 60_000;

function supported(): boolean {
	return (
		typeof window !== 'undefined' &&
		'serviceWorker' in navigator &&
		'PushManager' in window &&
		'Notification' in window
	);
}

function base64UrlToBytes(text: string): Uint8Array<ArrayBuffer> {
	const padded = (text + '='.repeat((4 - (text.length % 4)) % 4))
		.replace(/-/g, '+')
		.replace(/_/g, '/');
	const raw = atob(padded);
	const bytes = new Uint8Array(new ArrayBuffer(raw.length));
	for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
	return bytes;
}

/**
 * Web push on this device: the permission, the subscription the server holds, and the
 * technician's choice of events. The service worker tells open pages `{ type: 'sync' }` on
 * each push (a sync run starts) and `{ type: 'open', url }` when a tapped notification could
 * not navigate the page itself.
 */
class Push {
	#permission = $state<Permission>('default');
	#subscribed = $state(false);
	#busy = $state(false);
	#error = $state<string | null>(null);
	#later = $state(false);
	#preferences = $state.raw<PushPreferences | null>(null);
	#listening = false;

	get permission(): Permission {
		return this.#permission;
	}
	get subscribed(): boolean {
		return this.#subscribed;
	}
	get busy(): boolean {
		return this.#busy;
	}
	get error(): string | null {
		return this.#error;
	}
	get preferences(): PushPreferences | null {
		return this.#preferences;
	}
	/** Ask now: supported, never answered, and not put off. */
	get shouldPrompt(): boolean {
		return this.#permission === 'default' && !this.#later;
	}

	/** Reads the current state; with permission already given, makes sure the server has the subscription. */
	async init(): Promise<void> {
		this.#listen();
		if (!supported()) {
			this.#permission = 'unsupported';
			return;
		}
		this.#permission = Notification.permission;
		try {
			const until = Number(localStorage.getItem(DISMISS_KEY) ?? 0);
			this.#later = until > Date.now();
		} catch {
			this.#later = false;
		}
		if (this.#permission === 'granted') await this.enablePush();
	}

	later(): void {
		this.#later = true;
		try {
			localStorage.setItem(DISMISS_KEY, String(Date.now() + SNOOZE_MS));
		} catch {
			// No storage: hidden until the next load.
		}
	}

	/** Asks the permission if needed, subscribes and gives the subscription to the server. */
	async enablePush(): Promise<boolean> {
		if (!supported()) return false;
		this.#busy = true;
		this.#error = null;
		try {
			const permission =
				Notification.permission === 'default'
					? await Notification.requestPermission()
					: Notification.permission;
			this.#permission = permission;
			if (permission !== 'granted') return false;
			const registration = await navigator.serviceWorker.ready;
			const { publicKey } = await api<{ publicKey: string }>('/api/push/key');
			const existing = await registration.pushManager.getSubscription();
			const subscription =
				existing ??
				(await registration.pushManager.subscribe({
					userVisibleOnly: true,
					applicationServerKey: base64UrlToBytes(publicKey)
				}));
			await api('/api/push/subscription', { method: 'POST', body: subscription.toJSON() });
			this.#subscribed = true;
			await this.loadPreferences();
			return true;
		} catch (error) {
			this.#error = error instanceof Error ? error.message : String(error);
			return false;
		} finally {
			this.#busy = false;
		}
	}

	/** At sign-out: the server forgets this device, and the browser drops the subscription. */
	async disablePush(): Promise<void> {
		if (!supported()) return;
		const registration = await navigator.serviceWorker.getRegistration();
		const subscription = await registration?.pushManager.getSubscription();
		if (subscription) {
			await api('/api/push/subscription', {
				method: 'DELETE',
				body: { endpoint: subscription.endpoint }
			}).catch(() => undefined);
			await subscription.unsubscribe().catch(() => false);
		}
		this.reset();
	}

	async loadPreferences(): Promise<void> {
		const { events } = await api<{ events: PushPreferences }>('/api/push/preferences');
		this.#preferences = events;
	}

	async setPreference(event: PushEventName, on: boolean): Promise<void> {
		const previous = this.#preferences;
		if (previous) this.#preferences = { ...previous, [event]: on };
		try {
			const { events } = await api<{ events: PushPreferences }>('/api/push/preferences', {
				method: 'PUT',
				body: { events: { [event]: on } }
			});
			this.#preferences = events;
		} catch (error) {
			this.#preferences = previous;
			this.#error = error instanceof Error ? error.message : String(error);
		}
	}

	reset(): void {
		this.#subscribed = false;
		this.#preferences = null;
		this.#error = null;
	}

	#listen(): void {
		if (this.#listening || typeof navigator === 'undefined' || !('serviceWorker' in navigator))
			return;
		this.#listening = true;
		navigator.serviceWorker.addEventListener('message', (event: MessageEvent) => {
			const data = event.data as { type?: string; url?: string } | null;
			if (data?.type === 'sync') void sync.syncNow().catch(() => undefined);
			else if (data?.type === 'open' && data.url?.startsWith('/')) location.assign(data.url);
		});
	}
}

export const push = new Push();

/** Subscribes this device (asking the permission first when needed). */
export const enablePush = (): Promise<boolean> => push.enablePush();
/** Unsubscribes this device, on the server and in the browser. */
export const disablePush = (): Promise<void> => push.disablePush();
