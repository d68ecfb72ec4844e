/**
 * A loopback TCP proxy between devices and the server that cuts connections: for a share of
 * the connections it picks, with seeded randomness, a direction (the request or the response
 * side) and a byte offset, lets that many bytes through, then destroys both sides — so a
 * request is cut while the server reads it, or an answer while the device reads it (the server
 * may have done the work). The upstream can change (the server restarts on a new port) or be
 * absent (the server is down): new connections are then refused by closing them at once.
 */
import {
	createConnection,
	createServer,
	type AddressInfo,
	type Server,
	type Socket
} from 'node:net';
import { mulberry32 } from '../../server/demo/rng.ts';

/** Seeded uniform numbers in [0, 1) (mulberry32). */
export const seeded = mulberry32;

export interface ChaosOptions {
	readonly seed: number;
	/** Share of connections that get cut somewhere (0 to 1). */
	readonly cutRate: number;
	/** Cut offsets are drawn in [0, maxOffset) bytes, skewed towards the start. */
	readonly maxOffset: number;
}

export class ChaosProxy {
	readonly #random: () => number;
	readonly #options: ChaosOptions;
	readonly #open = new Set<Socket>();
	#server: Server | null = null;
	#upstream: number | null = null;
	/** Cutting on or off (off: a plain proxy). */
	chaos = true;
	readonly stats = { connections: 0, refused: 0, requestCuts: 0, responseCuts: 0 };
	/** Cuts by the request they fell in (`POST /api/sync/db/_bulk_docs request`). */
	readonly cutsByRequest = new Map<string, number>();
	/** Called with each request line that goes through (`POST /api/sync/db/_bulk_docs`). */
	onRequest: (line: string) => void = () => undefined;

	constructor(options: ChaosOptions) {
		this.#options = options;
		this.#random = seeded(options.seed);
	}

	get url(): string {
		const address = this.#server?.address() as AddressInfo | null;
		if (!address) throw new Error('the proxy is not listening');
		return `http://127.0.0.1:${address.port}`;
	}

	/** The server's port, or null while it is down. */
	target(port: number | null): void {
		this.#upstream = port;
	}

	async start(): Promise<void> {
		const server = createServer((socket) => this.#connect(socket));
		await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
		this.#server = server;
	}

	/** Destroys every connection under way (as a network drop would). */
	dropAll(): void {
		for (const socket of this.#open) socket.destroy();
	}

	async stop(): Promise<void> {
		this.dropAll();
		const server = this.#server;
		this.#server = null;
		if (server) await new Promise<void>((done) => server.close(() => done()));
	}

	#connect(client: Socket): void {
		this.stats.connections++;
		const port = this.#upstream;
		if (port === null) {
			this.stats.refused++;
			client.destroy();
			return;
		}
		const upstream = createConnection({ host: '127.0.0.1', port });
		this.#open.add(client);
		this.#open.add(upstream);
		const both = () => {
			client.destroy();
			upstream.destroy();
			this.#open.delete(client);
			this.#open.delete(upstream);
		};
		client.on('error', both);
		upstream.on('error', both);
		client.on('close', both);
		upstream.on('close', both);
		// One cut per cut connection, in one direction, after `offset` bytes of that direction.
		let cut: { side: 'request' | 'response'; offset: number } | null = null;
		if (this.chaos && this.#random() < this.#options.cutRate) {
			const side = this.#random() < 0.5 ? 'request' : 'response';
			const offset = Math.floor(this.#random() ** 2 * this.#options.maxOffset);
			cut = { side, offset };
		}
		// The request line last seen on this connection (keep-alive carries many).
		let current = '?';
		const relay = (from: Socket, to: Socket, side: 'request' | 'response') => {
			let passed = 0;
			from.on('data', (chunk: Uint8Array) => {
				if (side === 'request') {
					const text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString(
						'latin1'
					);
					for (const m of text.matchAll(/(?:^|\r\n)(GET|POST|PUT|DELETE) (\S+) HTTP\/1\.1/g)) {
						current = `${m[1]} ${(m[2] ?? '').split('?')[0]}`;
						this.onRequest(current);
					}
				}
				if (cut?.side === side && passed + chunk.length > cut.offset) {
					const where = `${current} ${side}`;
					this.cutsByRequest.set(where, (this.cutsByRequest.get(where) ?? 0) + 1);
					const keep = Math.max(0, cut.offset - passed);
					if (keep > 0) to.write(chunk.subarray(0, keep));
					if (side === 'request') this.stats.requestCuts++;
					else this.stats.responseCuts++;
					cut = null;
					// Let the partial bytes leave before both ends go.
					setImmediate(both);
					from.pause();
					return;
				}
				passed += chunk.length;
				if (!to.write(chunk)) {
					from.pause();
					to.once('drain', () => from.resume());
				}
			});
			from.on('end', () => to.end());
		};
		relay(client, upstream, 'request');
		relay(upstream, client, 'response');
	}
}
