// Test doubles for notifications: a local web push service (https, self-signed certificate)
// that decrypts what it receives with the subscription's private key (RFC 8291, aes128gcm),
// and a local SMTP server (smtp-server) that keeps what it receives.
import { execFileSync } from 'node:child_process';
import { createDecipheriv, createECDH, createHmac, randomBytes, type ECDH } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

export interface ReceivedPush {
	readonly name: string;
	readonly payload: Record<string, unknown>;
	readonly vapidKey: string;
	readonly at: number;
}

export interface TestSubscription {
	readonly endpoint: string;
	readonly keys: { readonly p256dh: string; readonly auth: string };
}

/** A push service on 127.0.0.1 with a certificate made for the test by openssl. */
export class TestPushService {
	readonly received: ReceivedPush[] = [];
	readonly gone = new Set<string>();
	readonly caFile: string;
	#dir: string;
	#server: Server;
	#keys = new Map<string, { ecdh: ECDH; auth: Uint8Array }>();
	#port = 0;
	#waiters: Array<() => void> = [];

	private constructor(dir: string, server: Server) {
		this.#dir = dir;
		this.#server = server;
		this.caFile = join(dir, 'cert.pem');
	}

	static async start(): Promise<TestPushService> {
		const dir = mkdtempSync(join(tmpdir(), 'terrain-push-'));
		execFileSync(
			'openssl',
			[
				'req',
				'-x509',
				'-newkey',
				'ec',
				'-pkeyopt',
				'ec_paramgen_curve:prime256v1',
				'-nodes',
				'-keyout',
				join(dir, 'key.pem'),
				'-out',
				join(dir, 'cert.pem'),
				'-days',
				'1',
				'-subj',
				'/CN=127.0.0.1',
				'-addext',
				'subjectAltName=IP:127.0.0.1'
			],
			{ stdio: 'ignore' }
		);
		const server = createServer({
			key: readFileSync(join(dir, 'key.pem')),
			cert: readFileSync(join(dir, 'cert.pem'))
		});
		const service = new TestPushService(dir, server);
		server.on('request', (req, res) => {
			const chunks: Uint8Array[] = [];
			req.on('data', (c: Uint8Array) => chunks.push(c));
			req.on('end', () => {
				const name = decodeURIComponent((req.url ?? '').replace(/^\/push\//, ''));
				if (service.gone.has(name)) {
					res.writeHead(410).end('gone');
					return;
				}
				try {
					const keys = service.#keys.get(name);
					if (!keys) throw new Error(`unknown subscription ${name}`);
					if (req.headers['content-encoding'] !== 'aes128gcm') throw new Error('not aes128gcm');
					const plain = decryptAes128gcm(concat(...chunks), keys.ecdh, keys.auth);
					const vapidKey = /k=([\w-]+)/.exec(String(req.headers.authorization))?.[1] ?? '';
					service.received.push({
						name,
						payload: JSON.parse(plain) as Record<string, unknown>,
						vapidKey,
						at: performance.now()
					});
					res.writeHead(201).end();
					for (const wake of service.#waiters.splice(0)) wake();
				} catch (error) {
					res.writeHead(400).end(String(error));
				}
			});
		});
		await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
		service.#port = (server.address() as AddressInfo).port;
		return service;
	}

	/** A browser-like subscription: a fresh P-256 key pair and auth secret. */
	subscription(name: string): TestSubscription {
		const ecdh = createECDH('prime256v1');
		ecdh.generateKeys();
		const secret = randomBytes(16);
		const auth = bytes(secret);
		this.#keys.set(name, { ecdh, auth });
		return {
			endpoint: `https://127.0.0.1:${this.#port}/push/${encodeURIComponent(name)}`,
			keys: {
				p256dh: ecdh.getPublicKey().toString('base64url'),
				auth: secret.toString('base64url')
			}
		};
	}

	/** Resolves once `count` pushes have arrived (or fails after `ms`). */
	async waitFor(count: number, ms = 20_000): Promise<ReceivedPush[]> {
		const until = Date.now() + ms;
		while (this.received.length < count) {
			const left = until - Date.now();
			if (left <= 0) throw new Error(`expected ${count} pushes, got ${this.received.length}`);
			await new Promise<void>((done) => {
				const timer = setTimeout(done, Math.min(left, 200));
				this.#waiters.push(() => {
					clearTimeout(timer);
					done();
				});
			});
		}
		return this.received;
	}

	async stop(): Promise<void> {
		this.#server.closeAllConnections();
		await new Promise<void>((done) => this.#server.close(() => done()));
		rmSync(this.#dir, { recursive: true, force: true });
	}
}

type Bytes = Uint8Array<ArrayBuffer>;
const bytes = (b: ArrayLike<number>): Bytes => Uint8Array.from(b);
const text = (t: string): Bytes => bytes(new TextEncoder().encode(t));

function concat(...parts: readonly Uint8Array[]): Bytes {
	const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
	let at = 0;
	for (const p of parts) {
		out.set(p, at);
		at += p.length;
	}
	return out;
}

function hmac(key: Uint8Array, ...data: readonly Uint8Array[]): Bytes {
	const h = createHmac('sha256', bytes(key));
	for (const d of data) h.update(bytes(d));
	return bytes(h.digest());
}

/** RFC 8291 + RFC 8188 with one record, as web push sends it. */
export function decryptAes128gcm(body: Uint8Array, ecdh: ECDH, authSecret: Uint8Array): string {
	const salt = body.subarray(0, 16);
	const idLength = body[20]!;
	const asPublic = bytes(body.subarray(21, 21 + idLength));
	const record = body.subarray(21 + idLength);
	const uaPublic = bytes(ecdh.getPublicKey());
	const ecdhSecret = bytes(ecdh.computeSecret(asPublic));
	const prkKey = hmac(authSecret, ecdhSecret);
	const keyInfo = concat(text('WebPush: info\0'), uaPublic, asPublic);
	const ikm = hmac(prkKey, keyInfo, bytes([1]));
	const prk = hmac(salt, ikm);
	const cek = hmac(prk, text('Content-Encoding: aes128gcm\0'), bytes([1])).subarray(0, 16);
	const nonce = hmac(prk, text('Content-Encoding: nonce\0'), bytes([1])).subarray(0, 12);
	const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
	decipher.setAuthTag(bytes(record.subarray(record.length - 16)));
	const padded = concat(
		bytes(decipher.update(bytes(record.subarray(0, record.length - 16)))),
		bytes(decipher.final())
	);
	let end = padded.length - 1;
	while (end >= 0 && padded[end] === 0) end--;
	if (padded[end] !== 2) throw new Error('missing last-record delimiter');
	return new TextDecoder().decode(padded.subarray(0, end));
}

export interface ReceivedMail {
	readonly to: string[];
	readonly raw: string;
	/** When it arrived (ms since the epoch). */
	readonly at: number;
}

/** An SMTP server on a loopback port; can be stopped and started again on the same port. */
export class TestSmtp {
	readonly received: ReceivedMail[] = [];
	port = 0;
	#server: SMTPServer | null = null;

	async start(port = 0): Promise<void> {
		const server = new SMTPServer({
			authOptional: true,
			disabledCommands: ['STARTTLS', 'AUTH'],
			logger: false,
			onData: (stream, session, callback) => {
				const chunks: Uint8Array[] = [];
				stream.on('data', (c: Uint8Array) => chunks.push(c));
				stream.on('end', () => {
					this.received.push({
						to: session.envelope.rcptTo.map((r) => r.address),
						raw: new TextDecoder().decode(concat(...chunks)),
						at: Date.now()
					});
					callback();
				});
			}
		});
		await new Promise<void>((done, fail) => {
			server.once('error', fail);
			server.listen(port, '127.0.0.1', () => done());
		});
		this.port = (server.server.address() as AddressInfo).port;
		this.#server = server;
	}

	async stop(): Promise<void> {
		const server = this.#server;
		this.#server = null;
		if (server) await new Promise<void>((done) => server.close(() => done()));
	}

	async waitFor(count: number, ms = 20_000): Promise<ReceivedMail[]> {
		const until = Date.now() + ms;
		while (this.received.length < count) {
			if (Date.now() > until)
				throw new Error(`expected ${count} mails, got ${this.received.length}`);
			await new Promise((done) => setTimeout(done, 100));
		}
		return this.received;
	}
}

/** A free loopback port, for a server that starts later. */
export async function freePort(): Promise<number> {
	const { createServer: createTcp } = await import('node:net');
	return new Promise((done) => {
		const s = createTcp().listen(0, '127.0.0.1', () => {
			const { port } = s.address() as AddressInfo;
			s.close(() => done(port));
		});
	});
}

let counter = 0;
/** A well-formed id suffix, unique in the run. */
export function testId(): string {
	counter++;
	return `01JN${Date.now().toString(36).toUpperCase().padStart(10, '0')}${String(counter).padStart(12, '0')}`.slice(
		0,
		26
	);
}
