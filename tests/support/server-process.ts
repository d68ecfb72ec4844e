import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

export interface ServerProcess {
	readonly url: string;
	readonly output: () => string;
	stop(): Promise<void>;
}

/**
 * Runs `node server/main.ts` (the real entry point) on a free loopback port with an
 * in-memory embedded database and the demo data; stops with the test.
 */
export async function startServerProcess(env: Record<string, string> = {}): Promise<ServerProcess> {
	const dataDir = mkdtempSync(join(tmpdir(), 'terrain-e2e-'));
	const child = spawn(process.execPath, [join(ROOT, 'server', 'main.ts')], {
		cwd: ROOT,
		env: {
			...process.env,
			PORT: '0',
			HOST: '127.0.0.1',
			DATA_DIR: dataDir,
			TERRAIN_MEMORY_DB: '1',
			...env
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let output = '';
	child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
	const url = await new Promise<string>((done, fail) => {
		const timer = setTimeout(
			() => fail(new Error(`server did not start in time:\n${output}`)),
			120_000
		);
		const check = () => {
			const match = /running at (http:\/\/\S+)/.exec(output);
			if (match?.[1]) {
				clearTimeout(timer);
				done(match[1]);
			}
		};
		child.stdout.on('data', check);
		child.once('exit', (code) => {
			clearTimeout(timer);
			fail(new Error(`server exited with ${code}:\n${output}`));
		});
	});
	return {
		url,
		output: () => output,
		stop: async () => {
			await stopChild(child);
			rmSync(dataDir, { recursive: true, force: true });
		}
	};
}

function stopChild(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null) return Promise.resolve();
	return new Promise((done) => {
		child.once('exit', () => done());
		child.kill('SIGTERM');
		setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
	});
}
