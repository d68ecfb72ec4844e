/**
 * The requester's link to their ticket: a random 128-bit token, made by the server the first
 * time it writes to the requester about the ticket and kept in the private database (never
 * replicated, never derived from the ticket id). Two documents: `reqlink:<ticket id>` holds
 * the token (so every later notice carries the same link) and `reqtoken:<hash of the token>`
 * finds the ticket from a token. The first is created once across instances (201 wins; the
 * others read the winner's); the second is put again whenever it is missing, so a process that
 * died between the two leaves nothing broken.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createOnce, getOrNull, type Db } from '../notify/store.ts';

/** 16 random bytes, base64url: 22 characters. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{22}$/;

interface LinkDoc {
	readonly type: 'reqlink';
	readonly ticketId: string;
	readonly token: string;
	readonly createdAt: string;
}

interface TokenDoc {
	readonly type: 'reqtoken';
	readonly ticketId: string;
}

const linkId = (ticketId: string) => `reqlink:${ticketId}`;
const tokenId = (token: string) =>
	`reqtoken:${createHash('sha256').update(token).digest('hex').slice(0, 40)}`;

/** The ticket's token, made now if it has none. */
export async function tokenFor(db: Db, ticketId: string, now: Date): Promise<string> {
	for (let attempt = 0; attempt < 5; attempt++) {
		const known = await getOrNull<LinkDoc>(db, linkId(ticketId));
		const token = known?.token ?? randomBytes(16).toString('base64url');
		if (!known) {
			const doc: LinkDoc & { _id: string } = {
				_id: linkId(ticketId),
				type: 'reqlink',
				ticketId,
				token,
				createdAt: now.toISOString()
			};
			// Another instance made it first: take theirs.
			if (!(await createOnce(db, doc))) continue;
		}
		if (!(await getOrNull<TokenDoc>(db, tokenId(token)))) {
			await createOnce(db, {
				_id: tokenId(token),
				type: 'reqtoken',
				ticketId
			} satisfies TokenDoc & {
				_id: string;
			});
		}
		return token;
	}
	throw new Error(`requester link of ${ticketId}: too many concurrent writers`);
}

/** The ticket a token opens, or null for a malformed or unknown one. */
export async function ticketOfToken(db: Db, token: string): Promise<string | null> {
	if (!TOKEN_PATTERN.test(token)) return null;
	const found = await getOrNull<TokenDoc>(db, tokenId(token));
	if (found?.type !== 'reqtoken') return null;
	// The link document is the authority: a token document without it is not a link.
	const link = await getOrNull<LinkDoc>(db, linkId(found.ticketId));
	return link?.token === token ? found.ticketId : null;
}
