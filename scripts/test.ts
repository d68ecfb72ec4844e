// The one test command (`npm test`): static checks, unit tests with domain coverage,
// integration tests, the build, then end-to-end tests in Debian's Chromium.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const bin = (pkg: string, file: string) => join(root, 'node_modules', pkg, file);
const node = process.execPath;
const only = process.argv[2];

const steps: Array<[name: string, command: string, args: string[]]> = [
	['svelte-kit sync', node, [bin('@sveltejs/kit', 'svelte-kit.js'), 'sync']],
	[
		'svelte-check',
		node,
		[bin('svelte-check', 'bin/svelte-check'), '--tsconfig', './tsconfig.json', '--fail-on-warnings']
	],
	[
		'service worker types',
		node,
		[bin('typescript', 'bin/tsc'), '-p', 'src/service-worker/tsconfig.json', '--noEmit']
	],
	['eslint', node, [bin('eslint', 'bin/eslint.js'), '.', '--max-warnings', '0']],
	['prettier', node, [bin('prettier', 'bin/prettier.cjs'), '--check', '.']],
	[
		'unit tests (coverage of src/lib/domain)',
		node,
		[bin('vitest', 'vitest.mjs'), 'run', '--project', 'unit', '--coverage']
	],
	['build', node, [join(root, 'scripts', 'build.ts')]],
	['integration tests', node, [bin('vitest', 'vitest.mjs'), 'run', '--project', 'integration']],
	['end-to-end tests (Chromium)', node, [bin('playwright', 'cli.js'), 'test']]
];

ensureChromium();
const started = Date.now();
for (const [name, command, args] of steps) {
	if (only && !name.startsWith(only)) continue;
	console.log(`\n=== ${name} ===`);
	const t0 = Date.now();
	const result = spawnSync(command, args, {
		cwd: root,
		stdio: 'inherit',
		env: { ...process.env, FORCE_COLOR: '0' }
	});
	if (result.status !== 0) {
		console.error(`\n✗ ${name} failed (exit ${result.status ?? result.signal}).`);
		process.exit(1);
	}
	console.log(`✓ ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}
console.log(`\nAll tests passed in ${((Date.now() - started) / 1000).toFixed(0)} s.`);

/** Browser tests use Debian's Chromium; never a downloaded browser. */
function ensureChromium(): void {
	if (existsSync('/usr/bin/chromium')) return;
	console.log('Installing Debian’s chromium package for the browser tests…');
	const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
	const run = (args: string[]) =>
		spawnSync(sudo[0] ?? args[0]!, sudo.length ? args : args.slice(1), {
			stdio: 'inherit',
			env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
		});
	run(['apt-get', 'update']);
	const install = run(['apt-get', 'install', '-y', '--no-install-recommends', 'chromium']);
	if (install.status !== 0 || !existsSync('/usr/bin/chromium')) {
		console.error(
			'Could not install chromium (apt-get install chromium): the browser tests need /usr/bin/chromium.'
		);
		process.exit(1);
	}
}
