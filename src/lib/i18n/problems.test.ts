import { describe, expect, it } from 'vitest';
import { parseAs } from '#lib/domain/schemas.ts';
import { aConfig, aTicket, aUser } from '#lib/domain/testing/factories.ts';
import { fr, type MessageKey } from './messages.ts';
import { describeIssue, describeIssues } from './problems.ts';

const t = (key: MessageKey, params: Record<string, string | number> = {}) =>
	fr[key].replace(/\{(\w+)\}/g, (_, n: string) => String(params[n]));

function issues(type: 'config' | 'ticket' | 'user', raw: unknown): string[] {
	const parsed = parseAs(type, raw);
	if (parsed.ok) throw new Error('expected a refusal');
	return [...parsed.error];
}

describe('schema issues in French', () => {
	it('names the field in words and says the rule, for what the desk forms send', () => {
		const matrix = aConfig('priority_matrix') as { matrix: string[][] };
		const bad = structuredClone(matrix);
		(bad.matrix[0] as string[])[2] = 'P9';
		const lines = describeIssues(t, issues('config', bad));
		expect(lines).toEqual(['Matrice de priorité › n° 1 › n° 3 : doit valoir P1, P2, P3, P4, P5']);
		const ticket = { ...aTicket(), title: ' ', requester: { name: 'M', email: 'pas-un-mail' } };
		const words = describeIssues(t, issues('ticket', ticket));
		expect(words).toContain('Titre : ne doit pas être vide');
		expect(words).toContain('Demandeur › E-mail : doit être une adresse e-mail');
		const user = { ...aUser('ada', ['admin']), roles: ['admin', 'admin'] };
		expect(describeIssues(t, issues('user', user))).toEqual([
			'Rôles : ne doit pas contenir de doublon'
		]);
	});

	it('never lets an English rule through: an unknown one says "is not valid"', () => {
		for (const line of [
			'config.x: must be a date and time such as 2025-03-14T09:30:00Z',
			'ticket.number: is given by the server',
			'config: must be JSON (Unexpected token)',
			'event.data: must hold the codes of the event kind',
			'mission.end: must be after start'
		]) {
			expect(describeIssue(t, line)).not.toMatch(/must|is given|Unexpected|2025/);
		}
	});
});
