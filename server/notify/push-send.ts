/**
 * Sends one web push message: web-push encrypts it (aes128gcm) and signs the VAPID header;
 * the request itself goes through our own https agent (kept alive, and able to trust an
 * extra certificate authority: the tests' local push service).
 */
import { Agent, request } from 'node:https';
import { rootCertificates } from 'node:tls';
import webpush from 'web-push';

export interface PushSubscriptionKeys {
	readonly endpoint: string;
	readonly keys: { readonly p256dh: string; readonly auth: string };
}

export interface VapidDetails {
	readonly subject: string;
	readonly publicKey: string;
	readonly privateKey: string;
}

export type PushOutcome =
	| { readonly ok: true; readonly status: number }
	| { readonly ok: false; readonly gone: boolean; readonly status: number; readonly error: string };

const TIMEOUT_MS = 10_000;
/** A day: a mission notice is worth little later than that. */
const TTL_SECONDS = 24 * 60 * 60;

export class PushSender {
	readonly #vapid: VapidDetails;
	readonly #agent: Agent;

	constructor(vapid: VapidDetails, extraCa: string | null) {
		this.#vapid = vapid;
		this.#agent = new Agent({
			keepAlive: true,
			maxSockets: 32,
			...(extraCa ? { ca: [...rootCertificates, extraCa] } : {})
		});
	}

	/** Never throws: network failures come back as a failed outcome. */
	async send(subscription: PushSubscriptionKeys, payload: unknown): Promise<PushOutcome> {
		let details: ReturnType<typeof webpush.generateRequestDetails>;
		try {
			details = webpush.generateRequestDetails(subscription, JSON.stringify(payload), {
				vapidDetails: this.#vapid,
				TTL: TTL_SECONDS,
				urgency: 'high',
				contentEncoding: 'aes128gcm'
			});
		} catch (error) {
			return { ok: false, gone: false, status: 0, error: String(error) };
		}
		const url = new URL(details.endpoint);
		if (url.protocol !== 'https:') {
			return { ok: false, gone: true, status: 0, error: 'push endpoints must be https' };
		}
		return new Promise((done) => {
			const req = request(
				url,
				{
					method: details.method,
					headers: details.headers as Record<string, string>,
					agent: this.#agent,
					timeout: TIMEOUT_MS
				},
				(res) => {
					const status = res.statusCode ?? 0;
					let text = '';
					res.setEncoding('utf8');
					res.on('data', (chunk: string) => (text += chunk.slice(0, 500)));
					res.on('end', () =>
						done(
							status >= 200 && status < 300
								? { ok: true, status }
								: {
										ok: false,
										gone: status === 404 || status === 410,
										status,
										error: text.slice(0, 200)
									}
						)
					);
				}
			);
			req.on('timeout', () => req.destroy(new Error('push service timed out')));
			req.on('error', (error) => done({ ok: false, gone: false, status: 0, error: error.message }));
			req.end(details.body);
		});
	}

	close(): void {
		this.#agent.destroy();
	}
}
