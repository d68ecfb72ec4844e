import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scrypt = (password: string, salt: Uint8Array, keylen: number, options: ScryptOptions) =>
	new Promise<Uint8Array>((done, fail) =>
		scryptCb(password, salt, keylen, options, (error, key) =>
			error ? fail(error) : done(new Uint8Array(key))
		)
	);

/** scrypt parameters (OWASP minimum N=2^17, r=8, p=1); kept in each hash so they can grow later. */
const PARAMS = { N: 2 ** 17, r: 8, p: 1, keylen: 32 } as const;
const MAXMEM = 256 * 1024 * 1024;

/** Format: `scrypt$N$r$p$salt$key` (base64url). */
export async function hashPassword(password: string): Promise<string> {
	const salt = randomBytes(16);
	const key = await scrypt(password, new Uint8Array(salt), PARAMS.keylen, {
		N: PARAMS.N,
		r: PARAMS.r,
		p: PARAMS.p,
		maxmem: MAXMEM
	});
	return [
		'scrypt',
		PARAMS.N,
		PARAMS.r,
		PARAMS.p,
		Buffer.from(salt).toString('base64url'),
		Buffer.from(key).toString('base64url')
	].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
	const [scheme, n, r, p, salt, key] = stored.split('$');
	if (scheme !== 'scrypt' || !n || !r || !p || !salt || !key) return false;
	const expected = new Uint8Array(Buffer.from(key, 'base64url'));
	const actual = await scrypt(
		password,
		new Uint8Array(Buffer.from(salt, 'base64url')),
		expected.length,
		{
			N: Number(n),
			r: Number(r),
			p: Number(p),
			maxmem: MAXMEM
		}
	);
	return timingSafeEqual(actual, expected);
}

/** Rejects passwords people would guess first. */
export function passwordProblem(password: string): string | null {
	if (password.length < 8) return 'the password needs at least 8 characters';
	if (password.length > 256) return 'the password is longer than 256 characters';
	return null;
}
