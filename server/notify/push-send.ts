/**
 * Sends one web push message: web-push encrypts it (aes128gcm) and signs the VAPID header;
 * the request itself goes through our own https agent (kept alive, and able to trust an
 * extra certificate authority: the tests' local push service).
 *
 * A subscription's endpoint is chosen by whoever subscribes, so it is checked before anything
 * is stored and again before every connection: https only, on a host of a known push service
 * (PUSH_HOSTS), and never to a loopback, private, link-local or otherwise non-public address —
 * at send time the host's addresses are resolved and the connection goes only to an address
 * that passed (no second resolution an attacker's DNS could answer differently).
 */
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent, request } from 'node:https';
import { rootCertificates } from 'node:tls';
import webpush from 'web-push';
import { pushPolicy, type PushPolicy } from '../config.ts';

/** Addresses no push service has: this host, private networks, link-local, reserved. */
const NOT_PUBLIC = new BlockList();
for (const [net, bits] of [
	['0.0.0.0', 8],
	['10.0.0.0', 8],
	['100.64.0.0', 10],
	['127.0.0.0', 8],
	['169.254.0.0', 16],
	['172.16.0.0', 12],
	['192.0.0.0', 24],
	['192.0.2.0', 24],
	['192.88.99.0', 24],
	['192.168.0.0', 16],
	['198.18.0.0', 15],
	['198.51.100.0', 24],
	['203.0.113.0', 24],
	['224.0.0.0', 4],
	['240.0.0.0', 4]
] as const) {
	NOT_PUBLIC.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
	['::', 128],
	['::1', 128],
	['::ffff:0:0', 96],
	['64:ff9b::', 96],
	['64:ff9b:1::', 48],
	['100::', 64],
	['2001::', 23],
	['2001:db8::', 32],
	['2002::', 16],
	['fc00::', 7],
	['fe80::', 10],
	['fec0::', 10],
	['ff00::', 8]
] as const) {
	NOT_PUBLIC.addSubnet(net, bits, 'ipv6');
}
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Why an IP address may not receive pushes, or null when it may. */
export function addressProblem(address: string, policy: PushPolicy): string | null {
	const family = isIP(address);
	if (family === 0) return `"${address}" is not an IP address`;
	const type = family === 4 ? 'ipv4' : 'ipv6';
	const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
	if (mapped) return addressProblem(mapped, policy);
	if (policy.allowLoopback && LOOPBACK.check(address, type)) return null;
	if (NOT_PUBLIC.check(address, type)) {
		return `${address} is a loopback, private, link-local or reserved address`;
	}
	return null;
}

function hostAllowed(host: string, policy: PushPolicy): boolean {
	return policy.hosts.some((allowed) => {
		const entry = allowed.replace(/^\[(.*)\]$/, '$1');
		if (entry.startsWith('*.'))
			return host.endsWith(entry.slice(1)) && host.length > entry.length - 1;
		return host === entry;
	});
}

/**
 * Why an endpoint may not be stored or pushed to, in words, or null when it may (before any
 * name resolution: see `resolveProblem`).
 */
export function endpointProblem(endpoint: string, policy: PushPolicy): string | null {
	let url: URL;
	try {
		url = new URL(endpoint);
	} catch {
		return 'endpoint must be an https URL';
	}
	if (url.protocol !== 'https:') return 'endpoint must be an https URL';
	if (url.username || url.password) return 'endpoint must not carry credentials';
	const host = url.hostname
		.toLowerCase()
		.replace(/^\[(.*)\]$/, '$1')
		.replace(/\.$/, '');
	if (!hostAllowed(host, policy)) {
		return `endpoint host ${host} is not a known push service (PUSH_HOSTS)`;
	}
	if (isIP(host) !== 0) {
		const problem = addressProblem(host, policy);
		if (problem) return `endpoint ${problem}`;
	}
	if (url.port && url.port !== '443' && !(policy.allowLoopback && isLoopbackHost(host))) {
		return 'endpoint must use the https port (443)';
	}
	return null;
}

function isLoopbackHost(host: string): boolean {
	const family = isIP(host);
	return family !== 0 && LOOPBACK.check(host, family === 4 ? 'ipv4' : 'ipv6');
}

/** Resolves the host and answers why one of its addresses is refused, or null. */
export async function resolveProblem(endpoint: string, policy: PushPolicy): Promise<string | null> {
	const problem = endpointProblem(endpoint, policy);
	if (problem) return problem;
	const host = new URL(endpoint).hostname.replace(/^\[(.*)\]$/, '$1');
	if (isIP(host) !== 0) return null;
	try {
		const addresses = await new Promise<LookupAddress[]>((done, fail) =>
			dnsLookup(host, { all: true }, (error, found) => (error ? fail(error) : done(found)))
		);
		for (const { address } of addresses) {
			const refused = addressProblem(address, policy);
			if (refused) return `endpoint host ${host} resolves to ${refused}`;
		}
		return addresses.length > 0 ? null : `endpoint host ${host} has no address`;
	} catch {
		return `endpoint host ${host} cannot be resolved`;
	}
}

/**
 * A `lookup` for the push connections: resolves as usual, and fails when any address of the
 * host is not public, so the socket never opens towards one.
 */
function checkedLookup(policy: PushPolicy): LookupFunction {
	return (hostname, options, callback) => {
		dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
			if (error) return callback(error, '', 0);
			const refused = addresses
				.map((a) => addressProblem(a.address, policy))
				.find((p) => p !== null);
			if (refused || addresses.length === 0) {
				const failure = Object.assign(
					new Error(`push endpoint ${hostname} refused: ${refused ?? 'no address'}`),
					{ code: 'EPUSHADDRESS' }
				);
				return callback(failure, '', 0);
			}
			if (options.all)
				return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
			const first = addresses[0]!;
			callback(null, first.address, first.family);
		});
	};
}

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
	readonly #policy: PushPolicy;
	readonly #lookup: LookupFunction;

	/** `policy` defaults to the one of the process's environment (PUSH_HOSTS, PUSH_ALLOW_LOOPBACK). */
	constructor(vapid: VapidDetails, extraCa: string | null, policy: PushPolicy = pushPolicy()) {
		this.#vapid = vapid;
		this.#policy = policy;
		this.#lookup = checkedLookup(policy);
		this.#agent = new Agent({
			keepAlive: true,
			maxSockets: 32,
			lookup: this.#lookup,
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
		// Checked again at every send: stored before the rules, or written around the API.
		const problem = endpointProblem(details.endpoint, this.#policy);
		if (problem) return { ok: false, gone: true, status: 0, error: problem };
		const url = new URL(details.endpoint);
		return new Promise((done) => {
			const req = request(
				url,
				{
					method: details.method,
					headers: details.headers as Record<string, string>,
					agent: this.#agent,
					lookup: this.#lookup,
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
