import { defineConfig } from 'playwright/test';

export default defineConfig({
	testDir: 'tests/e2e',
	// Flows sign in, sync a few thousand documents and drive two devices: room for a loaded machine.
	timeout: 180_000,
	expect: { timeout: 15_000 },
	fullyParallel: false,
	workers: 1,
	reporter: [['list']],
	use: {
		launchOptions: {
			executablePath: '/usr/bin/chromium',
			args: [
				'--no-sandbox',
				'--headless',
				'--disable-gpu',
				'--disable-quic',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync',
				'--no-first-run'
			]
		},
		locale: 'fr-FR',
		timezoneId: 'Europe/Paris',
		trace: 'off'
	}
});
