// Builds the app (SvelteKit, static output in build/) and the CouchDB design documents.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { writeDesignDocs } from '../couch-design/build.ts';

const root = join(import.meta.dirname, '..');
const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
for (const args of [
	[join(root, 'node_modules', '@sveltejs', 'kit', 'svelte-kit.js'), 'sync'],
	[vite, 'build', '--logLevel', 'warn']
]) {
	const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
	if (result.status !== 0) process.exit(result.status ?? 1);
}
for (const file of await writeDesignDocs()) console.log(`design document: ${file}`);
