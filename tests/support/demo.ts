import { DEMO_PASSWORD, DEMO_SIGN_INS } from '../../server/demo/generate.ts';

/** The login of the first demo account holding the role. */
export function demoLogin(role: string): string {
	const account = DEMO_SIGN_INS.find((s) => s.role === role);
	if (!account) throw new Error(`no demo account with role ${role}`);
	return account.login;
}

export { DEMO_PASSWORD, DEMO_SIGN_INS };
