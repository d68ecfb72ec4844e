import { signedIn } from '#lib/state/signed-in.ts';

export const load = () => signedIn();
