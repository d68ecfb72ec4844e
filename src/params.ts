import { defineParams } from '@sveltejs/kit/params';

// SvelteKit 3 takes every param matcher from this one file (Kit 2 had src/params/<name>.ts).
export const params = defineParams({
	/** The generated part of a document id (after `<type>:`): 26 Crockford base-32 characters. */
	id: (param: string) => (/^[0-9A-HJKMNP-TV-Z]{26}$/.test(param) ? param : undefined),
	/** A requester's link (server/requester/links.ts): 128 random bits in base64url. */
	token: (param: string) => (/^[A-Za-z0-9_-]{22}$/.test(param) ? param : undefined)
});
