// Account administration: npm run user -- <command> [options]
import { parseArgs } from 'node:util';
import webpush from 'web-push';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../config.ts';
import { connectCouch } from '../couch/connect.ts';
import { HttpError, StartupError, messageOf } from '../errors.ts';
import { ROLES, addUser, listUsers, resetPassword, setDisabled } from '../auth/users.ts';

const USAGE = `Usage: npm run user -- <command> [options]
  add --name <login> --role <role>[,<role>] --password <password> [--display-name "…"] [--email …] [--group …] [--skill …]
  list
  disable --name <login>
  enable --name <login>
  reset-password --name <login> --password <password>
  secrets            print fresh values for SESSION_SECRET and the VAPID keys
Roles: ${ROLES.join(', ')}. Uses COUCHDB_URL when set, else the embedded database in DATA_DIR (default ./data).`;

async function main(argv: string[]): Promise<void> {
	const [command, ...rest] = argv;
	const { values } = parseArgs({
		args: rest,
		options: {
			name: { type: 'string' },
			role: { type: 'string', multiple: true },
			password: { type: 'string' },
			'display-name': { type: 'string' },
			email: { type: 'string' },
			group: { type: 'string', multiple: true },
			skill: { type: 'string', multiple: true }
		},
		strict: true
	});
	if (command === 'secrets') {
		const vapid = webpush.generateVAPIDKeys();
		console.log(`SESSION_SECRET=${randomBytes(32).toString('base64url')}`);
		console.log(`VAPID_PUBLIC_KEY=${vapid.publicKey}`);
		console.log(`VAPID_PRIVATE_KEY=${vapid.privateKey}`);
		return;
	}
	if (!command || !['add', 'list', 'disable', 'enable', 'reset-password'].includes(command)) {
		throw new UsageError(command ? `unknown command "${command}"` : 'no command given');
	}
	const config = loadConfig({ ...process.env, DEMO: '0' });
	const couch = await connectCouch(config, { shareRunning: true });
	try {
		const now = new Date();
		const name = values.name?.trim().toLowerCase();
		const need = (value: string | undefined, what: string): string => {
			if (!value) throw new UsageError(`${command} needs ${what}`);
			return value;
		};
		switch (command) {
			case 'add': {
				const roles = (values.role ?? [])
					.flatMap((r) => r.split(','))
					.map((r) => r.trim())
					.filter(Boolean);
				const profile = await addUser(
					couch,
					{
						name: need(name, '--name'),
						roles,
						password: need(values.password, '--password'),
						...(values['display-name'] ? { displayName: values['display-name'] } : {}),
						...(values.email ? { email: values.email } : {}),
						groups: values.group ?? [],
						skills: values.skill ?? []
					},
					now
				);
				console.log(`User "${profile.name}" added (${profile.roles.join(', ')}).`);
				break;
			}
			case 'list': {
				const users = await listUsers(couch);
				for (const u of users) {
					console.log(
						`${u.name.padEnd(24)} ${u.roles.join(',').padEnd(24)} ${u.disabled ? 'disabled' : 'active'}  ${u.displayName}`
					);
				}
				console.log(`${users.length} user(s).`);
				break;
			}
			case 'disable':
			case 'enable':
				await setDisabled(couch, need(name, '--name'), command === 'disable');
				console.log(`User "${name}" ${command}d.`);
				break;
			case 'reset-password':
				await resetPassword(couch, need(name, '--name'), need(values.password, '--password'));
				console.log(`Password of "${name}" changed; their open sessions are ended.`);
				break;
		}
	} finally {
		await couch.close();
	}
}

class UsageError extends Error {}

try {
	await main(process.argv.slice(2));
} catch (error) {
	if (error instanceof UsageError) {
		console.error(`${error.message}\n\n${USAGE}`);
		process.exit(2);
	}
	if (error instanceof HttpError || error instanceof StartupError) {
		console.error(`Error: ${error.message}`);
		process.exit(1);
	}
	const message = messageOf(error);
	console.error(
		`Error: ${message.startsWith('Unknown option') || message.includes('argument') ? `${message}\n\n${USAGE}` : message}`
	);
	process.exit(1);
}
