// The technician's PIN, kept on the device (Dexie settings) as a salted PBKDF2 hash: it lets
// the technician leave the client signing mode with no network.
import type { DeviceDb } from '#lib/data/dexie.ts';

const KEY = 'technician-pin';
const ITERATIONS = 100_000;

interface StoredPin {
	salt: string;
	hash: string;
}

const hex = (bytes: ArrayBuffer | Uint8Array) =>
	[...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');

async function derive(pin: string, saltHex: string): Promise<string> {
	const salt = new Uint8Array(saltHex.match(/../g)?.map((h) => parseInt(h, 16)) ?? []);
	const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(pin), 'PBKDF2', false, [
		'deriveBits'
	]);
	const bits = await crypto.subtle.deriveBits(
		{ name: 'PBKDF2', hash: 'SHA-256', salt, iterations: ITERATIONS },
		key,
		256
	);
	return hex(bits);
}

export const isPinFormat = (pin: string): boolean => /^\d{4,8}$/.test(pin);

function stored(value: unknown): StoredPin | null {
	const v = value as Partial<StoredPin> | null | undefined;
	return typeof v?.salt === 'string' && typeof v.hash === 'string'
		? { salt: v.salt, hash: v.hash }
		: null;
}

export async function hasPin(db: DeviceDb): Promise<boolean> {
	return stored((await db.settings.get(KEY))?.value) !== null;
}

/** @throws {RangeError} when the PIN is not 4 to 8 digits. */
export async function setPin(db: DeviceDb, pin: string): Promise<void> {
	if (!isPinFormat(pin)) throw new RangeError('a PIN is 4 to 8 digits');
	const salt = hex(crypto.getRandomValues(new Uint8Array(16)));
	await db.settings.put({ key: KEY, value: { salt, hash: await derive(pin, salt) } });
}

export async function checkPin(db: DeviceDb, pin: string): Promise<boolean> {
	const pinHash = stored((await db.settings.get(KEY))?.value);
	return pinHash !== null && (await derive(pin, pinHash.salt)) === pinHash.hash;
}
