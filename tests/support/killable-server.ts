/**
 * A Terrain server in a child process on a data folder that outlives it: the embedded
 * database on LevelDB in DATA_DIR, or a real CouchDB (COUCHDB_URL, COUCHDB_DB) when the test
 * gives one. It can be killed (SIGKILL: no shutdown code runs, as in a power cut of the
 * process) and started again on the same data; each start listens on a new free port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const ENTRY = join(import.meta.dirname, 'server-entry.ts');

export class KillableServer {
	readonly env: Record<string, string>;
	#child: ChildProcess | null = null;
	#output = '';
	url: string | null = null;
	/** Process starts, kills (SIGKILL) so far. */
	starts = 0;
	kills = 0;

	/** @param env the server's environment (DATA_DIR at least); PORT and HOST are set here. */
	constructor(env: Record<string, string>) {
		this.env = env;
	}

	/** What the server printed, for failure messages (the last 20,000 characters). */
	output(): string {
		return this.#output.slice(-20_000);
	}

	get port(): number | null {
		return this.url ? Number(new URL(this.url).port) : null;
	}

	/**
	 * Starts the server; resolves with its URL once it listens (fails after `timeoutMs`: a
	 * first start that writes a seed and waits for its numbering needs more on a busy machine).
	 */
	async start(extraEnv: Record<string, string> = {}, timeoutMs = 60_000): Promise<string> {
		if (this.#child) throw new Error('the server is already running');
		const child = spawn(process.execPath, [ENTRY], {
			cwd: ROOT,
			env: {
				...process.env,
				DEMO: '0',
				TERRAIN_MEMORY_DB: '0',
				...this.env,
				...extraEnv,
				PORT: '0',
				HOST: '127.0.0.1'
			},
			stdio: ['ignore', 'pipe', 'pipe']
		});
		this.#child = child;
		this.starts++;
		const mark = `\n--- start ${this.starts} (pid ${child.pid}) ---\n`;
		this.#output += mark;
		child.stdout?.on('data', (chunk: Buffer) => (this.#output += chunk.toString()));
		child.stderr?.on('data', (chunk: Buffer) => (this.#output += chunk.toString()));
		const from = this.#output.length;
		const url = await new Promise<string>((done, fail) => {
			const timer = setTimeout(
				() => fail(new Error(`server did not start in ${timeoutMs} ms:\n${this.output()}`)),
				timeoutMs
			);
			const check = () => {
				const match = /running at (http:\/\/\S+)/.exec(this.#output.slice(from));
				if (match?.[1]) {
					clearTimeout(timer);
					child.off('exit', exited);
					done(match[1]);
				}
			};
			const exited = (code: number | null) => {
				clearTimeout(timer);
				fail(new Error(`server exited with ${code} while starting:\n${this.output()}`));
			};
			child.stdout?.on('data', check);
			child.once('exit', exited);
		});
		child.once('exit', () => {
			if (this.#child === child) {
				this.#child = null;
				this.url = null;
			}
		});
		this.url = url;
		return url;
	}

	/** SIGKILL, and waits until the process is gone. */
	async kill(): Promise<void> {
		const child = this.#child;
		if (!child) return;
		this.kills++;
		this.url = null;
		await new Promise<void>((done) => {
			if (child.exitCode !== null || child.signalCode !== null) return done();
			child.once('exit', () => done());
			child.kill('SIGKILL');
		});
		this.#child = null;
	}

	/** A clean stop (SIGTERM, then SIGKILL after 10 s). */
	async stop(): Promise<void> {
		const child = this.#child;
		if (!child) return;
		this.url = null;
		await new Promise<void>((done) => {
			if (child.exitCode !== null || child.signalCode !== null) return done();
			child.once('exit', () => done());
			child.kill('SIGTERM');
			setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
		});
		this.#child = null;
	}
}
