// The sync status's words for what went wrong: which document the server refused and why, in
// French by default and in English; never an id, a code or the server's English.
import { describe, expect, it } from 'vitest';
import { refusal, type Refusal } from '#lib/domain/refusals.ts';
import type { SyncProblem } from '#lib/sync/problem.ts';
import { memoryDb } from '#lib/sync/testing.ts';
import { refusalProblem } from '#lib/sync/refused.ts';
import { en } from './messages.en.ts';
import { fr, type MessageKey } from './messages.ts';
import { describeSyncProblem } from './sync-problem.ts';

const translator =
	(dict: Record<MessageKey, string>) =>
	(key: MessageKey, params: Record<string, string | number> = {}) =>
		dict[key].replace(/\{(\w+)\}/g, (_, name: string) => {
			if (!(name in params)) throw new Error(`${key}: no value for {${name}}`);
			return String(params[name]);
		});
const t = translator(fr);
const tEn = translator(en);
const paris = (iso: string) =>
	new Intl.DateTimeFormat('fr-FR', {
		timeZone: 'Europe/Paris',
		dateStyle: 'short',
		timeStyle: 'short'
	}).format(new Date(iso));

const assigneeTitle = refusal(
	'role',
	'fields_assignee',
	'a person assigned to the ticket may not change title',
	{ fields: ['title'] }
);
const mayNot = (id: string, why: Refusal | null) => ({ id, reason: why?.message ?? 'x', why });

async function device() {
	const db = memoryDb('device');
	await db.bulkDocs([
		{ _id: 'ticket:K1', type: 'ticket', number: 10302, title: 'Imprimante HS' },
		{ _id: 'ticket:K2', type: 'ticket', title: 'Poste lent' },
		{
			_id: 'mission:M1',
			type: 'mission',
			ticketId: 'ticket:K1',
			start: '2025-03-14T08:30:00.000Z'
		},
		{ _id: 'report:R1', type: 'report', missionId: 'mission:M1', ticketId: 'ticket:K1' },
		{ _id: 'client:C1', type: 'client', name: 'Mairie de Lens' },
		{ _id: 'techfile:C1', type: 'techfile', clientId: 'client:C1' }
	]);
	return db;
}

describe('the sync status names the refused document and says why', () => {
	it('one refusal: the ticket’s number and title, and the reason in French', async () => {
		const db = await device();
		const problem = await refusalProblem(db, [mayNot('ticket:K1', assigneeTitle)]);
		expect(problem && describeSyncProblem(t, problem)).toBe(
			'Le ticket n° 10302 « Imprimante HS » : modification refusée par le serveur. ' +
				'Vous ne pouvez pas modifier le titre d’un ticket qui vous est assigné.'
		);
		expect(problem && describeSyncProblem(tEn, problem)).toBe(
			'Ticket no. 10302 “Imprimante HS”: change refused by the server. ' +
				'You may not change the title of a ticket assigned to you.'
		);
	});

	it('several: reports, missions (Paris time), clients and files by what they belong to', async () => {
		const db = await device();
		const sealed = refusal('rule', 'report_sealed', 'x', { fields: ['remarks'] });
		const problem = await refusalProblem(db, [
			mayNot('report:R1', sealed),
			mayNot('mission:M1', refusal('role', 'mission_cancel', 'x')),
			mayNot('techfile:C1', refusal('role', 'techfile_who', 'x')),
			mayNot('ticket:K2', refusal('rule', 'ticket_number', 'x')),
			mayNot('client:C1', refusal('role', 'client_who', 'x'))
		]);
		expect(problem && describeSyncProblem(t, problem, paris)).toBe(
			'Le serveur a refusé 5 modifications. ' +
				'Le rapport d’intervention du ticket n° 10302 « Imprimante HS » : modification refusée. ' +
				'Ce rapport d’intervention est signé par le technicien et le client : il ne peut plus être modifié ni supprimé. ' +
				'La mission du 14/03/2025 09:30 pour le ticket n° 10302 « Imprimante HS » : modification refusée. ' +
				'Seule la hotline peut annuler une mission. ' +
				'Le dossier technique du client Mairie de Lens : modification refusée. ' +
				'Seule l’équipe support modifie un dossier technique. ' +
				'Et 2 autres.'
		);
	});

	it('a document gone from the device, an unknown reason, a ticket not yet numbered', async () => {
		const db = await device();
		const problem = await refusalProblem(db, [
			mayNot('event:E9', refusal('rule', 'event_never_deleted', 'x')),
			mayNot('ticket:K2', null)
		]);
		const text = problem ? describeSyncProblem(t, problem) : '';
		expect(text).toBe(
			'Le serveur a refusé 2 modifications. ' +
				'Une entrée du suivi : modification refusée. ' +
				'Une entrée du suivi ne s’efface pas : ajoutez plutôt une nouvelle entrée. ' +
				'Le ticket « Poste lent » (pas encore numéroté) : modification refusée. ' +
				'Le serveur a donné une raison que cette version de l’application ne connaît pas : mettez-la à jour.'
		);
		expect(text).not.toMatch(/event:|ticket:|E9|K2/);
	});

	it('a device past its limit: how many documents, the limit, the role, and what to do', () => {
		const frCount = (n: number) => new Intl.NumberFormat('fr-FR').format(n);
		expect(
			describeSyncProblem(
				t,
				{ kind: 'cap', count: 12034, cap: 10000, role: 'dispatcher' },
				undefined,
				frCount
			).replace(/\u202f/g, ' ')
		).toBe(
			'Trop de documents pour cet appareil : 12 034 pour une limite de 10 000, celle du rôle « Hotline (niveau 1) ». La synchronisation est arrêtée ; vos saisies restent sur l’appareil sans être envoyées. Demandez à l’administrateur de relever la limite de ce rôle (Administration, « Limites des appareils ») ou de réduire vos accès.'
		);
		expect(describeSyncProblem(tEn, { kind: 'cap', count: 6, cap: 5 })).toBe(
			'Too many documents for this device: 6 for a limit of 5. Sync has stopped; what you entered stays on the device, not sent. Ask the administrator to raise the devices’ ceiling (“Access” referential) or to reduce your access.'
		);
	});

	it('every other problem in words, without the server’s or the browser’s message', () => {
		const problems: SyncProblem[] = [
			{ kind: 'unreachable' },
			{ kind: 'session' },
			{ kind: 'cap' },
			{ kind: 'server', status: 503, code: 'sync_busy' },
			{ kind: 'server', status: 500, code: 'internal' },
			{ kind: 'storage' },
			{ kind: 'unknown' }
		];
		const words = problems.map((p) => describeSyncProblem(t, p));
		expect(words[3]).toBe(
			'Le serveur a répondu une erreur (503) : le serveur prépare vos données, la synchronisation reprendra dans un instant'
		);
		expect(words[4]).toBe('Le serveur a répondu une erreur (500) : nouvel essai automatique');
		for (const [lang, tr] of [
			['fr', t],
			['en', tEn]
		] as const)
			for (const p of problems) {
				const text = describeSyncProblem(tr, p);
				expect(text, `${lang} ${p.kind}`).not.toBe('');
				expect(text, `${lang} ${p.kind}`).not.toMatch(/\{\w+\}|sync_busy|internal|_/);
			}
	});
});
