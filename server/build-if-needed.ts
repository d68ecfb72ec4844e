import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { StartupError } from './errors.ts';

const ROOT = join(import.meta.dirname, '..');
const WATCHED = ['src', 'static', 'couch-design', 'vite.config.ts', 'package.json'];

/** Builds the app and design documents when the build is missing or older than the sources. */
export async function ensureBuilt(): Promise<void> {
	const marker = join(ROOT, 'build', 'shell.html');
	const design = join(ROOT, 'couch-design', 'dist', 'terrain.json');
	const builtAt = Math.min(mtime(marker), mtime(design));
	if (builtAt > 0 && newest(WATCHED.map((p) => join(ROOT, p))) <= builtAt) return;
	console.log('Building the app (first start or sources changed)…');
	const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.ts')], {
		cwd: ROOT,
		stdio: 'inherit'
	});
	if (result.status !== 0)
		throw new StartupError('the build failed (see above); fix it and start again.');
}

function mtime(path: string): number {
	return existsSync(path) ? statSync(path).mtimeMs : 0;
}

function newest(paths: string[]): number {
	let latest = 0;
	for (const path of paths) {
		if (!existsSync(path)) continue;
		const stat = statSync(path);
		if (stat.isDirectory()) {
			if (path.endsWith('dist') || path.endsWith('node_modules')) continue;
			latest = Math.max(latest, newest(readdirSync(path).map((f) => join(path, f))));
		} else {
			latest = Math.max(latest, stat.mtimeMs);
		}
	}
	return latest;
}
