import { startServer } from './start.ts';
import { StartupError, messageOf } from './errors.ts';
import { ensureBuilt } from './build-if-needed.ts';

try {
	await ensureBuilt();
	const running = await startServer();
	const mode = running.couch.embedded
		? `embedded CouchDB-compatible server, data in ${running.config.dataDir}`
		: `CouchDB at ${running.couch.url.origin}`;
	console.log(`Terrain is running at ${running.url}  (${mode})`);
	if (running.config.demo) {
		const { DEMO_SIGN_INS } = await import('./demo/generate.ts');
		console.log(
			running.demoLoaded
				? 'Demo data loaded. Demo sign-ins:'
				: 'Demo sign-ins (if you kept the demo data):'
		);
		for (const s of DEMO_SIGN_INS)
			console.log(
				`  ${s.login.padEnd(18)} ${s.password.padEnd(14)} ${s.role.padEnd(11)} ${s.displayName}`
			);
	}
	const stop = () => {
		console.log('Stopping…');
		running.stop().then(
			() => process.exit(0),
			() => process.exit(1)
		);
	};
	process.once('SIGINT', stop);
	process.once('SIGTERM', stop);
} catch (error) {
	if (error instanceof StartupError) {
		console.error(`Terrain cannot start: ${error.message}`);
	} else {
		console.error(`Terrain cannot start: ${messageOf(error)}`);
		if (process.env.DEBUG) console.error(error);
	}
	process.exit(1);
}
