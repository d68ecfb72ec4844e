import { DEMO_SIGN_INS } from '../../server/demo/generate.ts';

/** The first demo account holding the role. */
export function demoLogin(role: string): string {
	const account = DEMO_SIGN_INS.find((s) => s.roles.includes(role as never));
	if (!account) throw new Error(`no demo account with role ${role}`);
	return account.name;
}

export const DEMO_PASSWORD: string = DEMO_SIGN_INS[0]!.password;
