import adapter from '@sveltejs/adapter-static';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

// SvelteKit 3 takes its configuration here: a svelte.config.js at the root is refused
// (config_file_unsupported), so this file holds what svelte.config.js used to.
export default defineConfig({
	plugins: [
		sveltekit({
			// The app renders on the device (PouchDB lives there); server/ serves these
			// files and falls back to the shell for every app route.
			adapter: adapter({ pages: 'build', assets: 'build', fallback: 'shell.html', strict: false }),
			serviceWorker: { register: false },
			// Written as a <meta http-equiv> in shell.html with the hashes of Kit's inline scripts;
			// the server sends the same policy as a header, with frame-ancestors (issue #11).
			csp: {
				mode: 'hash',
				directives: {
					'default-src': ['self'],
					'script-src': ['self'],
					// Components set style attributes; scripts are what the policy guards.
					'style-src': ['self', 'unsafe-inline'],
					// Photos and signatures are shown from blobs and data URLs.
					'img-src': ['self', 'data:', 'blob:'],
					'media-src': ['self', 'blob:'],
					'font-src': ['self', 'data:'],
					'connect-src': ['self'],
					'worker-src': ['self'],
					'manifest-src': ['self'],
					'frame-src': ['none'],
					'object-src': ['none'],
					'base-uri': ['self'],
					'form-action': ['self']
				}
			}
		})
	],
	test: {
		projects: [
			{
				extends: true,
				test: {
					name: 'unit',
					include: ['src/**/*.test.ts', 'server/**/*.test.ts', 'couch-design/**/*.test.ts'],
					environment: 'node',
					benchmark: { include: ['src/**/*.bench.ts'] }
				}
			},
			{
				extends: true,
				test: {
					name: 'integration',
					include: [
						'tests/integration/**/*.test.ts',
						'tests/security/**/*.test.ts',
						'tests/faults/**/*.test.ts'
					],
					environment: 'node',
					testTimeout: 60_000,
					hookTimeout: 60_000,
					fileParallelism: false
				}
			}
		],
		coverage: {
			provider: 'v8',
			include: ['src/lib/domain/**/*.ts'],
			exclude: ['src/lib/domain/**/*.test.ts'],
			reporter: ['text-summary', 'json-summary'],
			// Issue #3: the domain is the one copy of every business rule; keep it tested.
			thresholds: { lines: 90 }
		}
	}
});
