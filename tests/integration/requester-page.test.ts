// The requester's page (issue #13, point 4): the link in the notices, what the page answers,
// and what the requester may write through it — each write checked, limited, and the survey
// unforgeable through sync.
import { PDFDocument, PDFName, PDFRawStream } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ticketOfToken, tokenFor } from '../../server/requester/links.ts';
import { REQUESTER_LIMITS } from '../../server/requester/routes.ts';
import { numberEventId } from '../../src/lib/domain/numbering.ts';
import {
	atRiskFactId,
	escalationFactId,
	SLA_FACT_PREFIX,
	timeoutFactId
} from '../../src/lib/domain/sla-facts.ts';
import type { TicketDoc } from '../../src/lib/domain/schemas.ts';
import type { Actor, TicketAction } from '../../src/lib/domain/ticket.ts';
import {
	aClient,
	aConfig,
	aMission,
	anEvent,
	aSignedReport,
	aSurvey,
	actor,
	aTicket,
	people,
	qualify,
	ticketThrough
} from '../../src/lib/domain/testing/factories.ts';
import { startTestServer } from '../support/test-server.ts';
import { addAccounts, nextRevision, Session, stored, type Json } from '../support/sync-device.ts';
import { testId } from './notify-support.ts';

let server: Awaited<ReturnType<typeof startTestServer>>;
const dina = people.dispatcher();
const ada = people.admin();
const theo = people.technician('theo');
const DAY = 24 * 3600_000;
const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
let address = 0;

beforeAll(async () => {
	server = await startTestServer({ TRUST_PROXY: '1', NOTIFY_SWEEP_MS: '200' });
	await addAccounts(server.couch, [dina, ada, theo]);
	await server.couch.db.insert(aClient() as unknown as Json);
});

afterAll(async () => {
	await server?.stop();
});

/** A fresh client address per test, so the per-address limits only bite where tested. */
function newAddress(): string {
	address++;
	return `198.51.100.${address}`;
}

async function call(
	path: string,
	init: { method?: string; body?: unknown; from: string }
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
	const res = await fetch(server.url + path, {
		method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
		headers: {
			'x-forwarded-for': init.from,
			...(init.body === undefined ? {} : { 'content-type': 'application/json' })
		},
		body: init.body === undefined ? null : JSON.stringify(init.body)
	});
	const text = await res.text();
	let body: Record<string, unknown>;
	try {
		body = JSON.parse(text) as Record<string, unknown>;
	} catch {
		body = { text };
	}
	return { status: res.status, body, headers: res.headers };
}

const recent = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY).toISOString();

/** A ticket with a fresh id, in a state reached through real transitions. */
async function aStoredTicket(
	state: 'qualified' | 'resolved' | 'closed' | 'pending',
	daysAgo = 1,
	extra: Partial<TicketDoc> = {}
): Promise<TicketDoc> {
	const id = `ticket:${testId()}`;
	const steps: Array<[TicketAction, Actor]> = [[qualify, actor(dina)]];
	if (state === 'pending') steps.push([{ type: 'wait', reason: 'requester' }, actor(dina)]);
	if (state === 'resolved' || state === 'closed')
		steps.push([{ type: 'resolve', solution: 'Pilote réinstallé' }, actor(dina)]);
	if (state === 'closed') steps.push([{ type: 'close' }, actor(dina)]);
	let ticket = ticketThrough(steps, { ...aTicket(), _id: id, number: 30000 + address });
	const at = recent(daysAgo);
	if (ticket.resolution) ticket = { ...ticket, resolution: { ...ticket.resolution, at } };
	if (ticket.closure) ticket = { ...ticket, closure: { ...ticket.closure, at } };
	ticket = { ...ticket, ...extra };
	await server.couch.db.insert(ticket as unknown as Json);
	return ticket;
}

async function linkOf(ticket: TicketDoc): Promise<string> {
	return `/api/public/track/${await tokenFor(server.couch.privateDb, ticket._id, new Date())}`;
}

async function eventsOf(ticketId: string): Promise<Json[]> {
	const rows = await server.couch.db.list({
		startkey: 'event:',
		endkey: 'event:\ufff0',
		include_docs: true
	});
	return rows.rows
		.map((r) => r.doc as unknown as Json)
		.filter((d) => d.ticketId === ticketId && String(d._id).startsWith('event:0'));
}

async function keptMails(ticketId: string): Promise<Array<{ subject: string; text: string }>> {
	const rows = await server.couch.privateDb.list({
		startkey: 'mail:',
		endkey: 'mail:\ufff0',
		include_docs: true
	});
	return rows.rows
		.map((r) => r.doc as unknown as { about?: string; subject: string; text: string })
		.filter((m) => m.about === ticketId);
}

describe('the link in the notices', () => {
	it('names the real number the server gave, never a provisional id, and opens the page', async () => {
		// A ticket as a desk device pushes it: no number of its own.
		const ticket = { ...aTicket({ title: 'Messagerie bloquée' }), _id: `ticket:${testId()}` };
		await server.couch.db.insert(ticket as unknown as Json);
		const mail = await expect
			.poll(async () => (await keptMails(ticket._id))[0] ?? null, { timeout: 20_000 })
			.not.toBeNull()
			.then(async () => (await keptMails(ticket._id))[0]!);
		const numbered = (await stored(server.couch, numberEventId(ticket._id))) as {
			data: { number: number };
		};
		const number = numbered.data.number;
		expect(mail.subject).toBe(`Demande n° ${number} enregistrée`);
		expect(mail.text).toContain(`Votre demande n° ${number} a bien été enregistrée.`);
		expect(mail.text).not.toMatch(/provisoire/);
		expect(mail.text).not.toContain(ticket._id.slice(-6));
		expect(mail.text).not.toMatch(ISO);
		const link = /\/suivi\/([A-Za-z0-9_-]{22})\b/.exec(mail.text);
		expect(link).not.toBeNull();
		const token = link![1]!;
		// Random, not made from the ticket: nothing of its id is in it.
		expect(token).not.toContain(ticket._id.slice(7, 17));
		expect(await ticketOfToken(server.couch.privateDb, token)).toBe(ticket._id);
		// Every later notice carries the same link.
		expect(await tokenFor(server.couch.privateDb, ticket._id, new Date())).toBe(token);
		const page = await call(`/api/public/track/${token}`, { from: newAddress() });
		expect(page.status).toBe(200);
		expect(page.body).toMatchObject({ number, status: 'new', title: 'Messagerie bloquée' });
		expect(JSON.stringify(page.body)).not.toContain('marie@client.fr');
	});

	it('gives every ticket its own token', async () => {
		const a = await aStoredTicket('qualified');
		const b = await aStoredTicket('qualified');
		expect(await linkOf(a)).not.toBe(await linkOf(b));
	});

	it('answers an unknown or malformed link with a 404 in words', async () => {
		const from = newAddress();
		for (const token of ['AAAAAAAAAAAAAAAAAAAAAA', 'short', 'x'.repeat(200)]) {
			const res = await call(`/api/public/track/${token}`, { from });
			expect(res.status).toBe(404);
			expect(res.body.message).toMatch(/^Lien de suivi inconnu/);
		}
		const post = await call('/api/public/track/AAAAAAAAAAAAAAAAAAAAAA/messages', {
			from,
			body: { text: 'Bonjour' }
		});
		expect(post.status).toBe(404);
	});
});

describe('what the page shows', () => {
	it('shows the public timeline, the planned visit and the signed report as a PDF', async () => {
		const ticket = await aStoredTicket('qualified');
		const mission = aMission({
			_id: `mission:${testId()}`,
			ticketId: ticket._id,
			start: new Date(Date.now() + DAY).toISOString(),
			end: new Date(Date.now() + DAY + 2 * 3600_000).toISOString()
		});
		const report = aSignedReport({
			_id: `report:${testId()}`,
			missionId: mission._id,
			ticketId: ticket._id
		});
		const png =
			'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
		await server.couch.db.bulk({
			docs: [
				mission,
				{
					...report,
					_attachments: {
						'signature-technician.png': { content_type: 'image/png', data: png },
						'signature-client.png': { content_type: 'image/png', data: png },
						'photo-01.png': { content_type: 'image/png', data: png }
					}
				},
				aConfig('company') as unknown as Json,
				anEvent({
					_id: `event:${testId()}`,
					subjectId: ticket._id,
					ticketId: ticket._id,
					body: 'Note interne : client difficile'
				}),
				anEvent({
					_id: `event:${testId()}`,
					subjectId: ticket._id,
					ticketId: ticket._id,
					kind: 'mission_planned',
					visibility: 'requester',
					body: 'Intervention planifiée le 2026-12-01T09:36:06.696Z avec tech.theo.',
					data: { missionId: mission._id, technicianId: theo._id }
				})
			] as object[]
		});
		const link = await linkOf(ticket);
		const from = newAddress();
		const page = await call(link, { from });
		expect(page.status).toBe(200);
		const text = JSON.stringify(page.body);
		expect(text).not.toContain('client difficile');
		expect(page.body.visits).toEqual([
			{ start: mission.start, end: mission.end, status: 'planned', technician: 'Theo' }
		]);
		expect(page.body.timeline).toContainEqual(
			expect.objectContaining({
				kind: 'mission_planned',
				data: { start: mission.start, technician: 'Theo' }
			})
		);
		const reports = page.body.reports as Array<{ id: string }>;
		expect(reports).toHaveLength(1);
		const pdf = await fetch(`${server.url}${link}/reports/${reports[0]!.id}`, {
			headers: { 'x-forwarded-for': from }
		});
		expect(pdf.status).toBe(200);
		expect(pdf.headers.get('content-type')).toBe('application/pdf');
		const bytes = new Uint8Array(await pdf.arrayBuffer());
		expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe('%PDF-');
		// The same company details as on the phone (config:company), and the photo.
		const doc = await PDFDocument.load(bytes);
		expect(doc.getCreator()).toBe('Maintenance Informatique Ouest');
		const images = [...doc.context.enumerateIndirectObjects()].filter(
			([, o]) =>
				o instanceof PDFRawStream && o.dict.get(PDFName.of('Subtype')) === PDFName.of('Image')
		);
		// Two signatures and one photo, each a colour image with its alpha (SMask).
		expect(images).toHaveLength(6);
		const other = await call(`${link}/reports/${testId()}`, { from });
		expect(other.status).toBe(404);
	});
});

describe('what the server’s jobs did', () => {
	it('shows a ticket the timeout job closed as closed, offers the survey, and no SLA internals', async () => {
		// Resolved three weeks ago, never confirmed: past the default five business days.
		const ticket = await aStoredTicket('resolved', 21);
		const resolvedAt = ticket.resolution!.at;
		// What the escalation job would have written earlier: internal facts of the team's.
		const internal = {
			type: 'event',
			subjectId: ticket._id,
			ticketId: ticket._id,
			visibility: 'internal',
			author: 'system',
			authorName: 'Terrain',
			at: recent(22),
			body: ''
		};
		await server.couch.db.bulk({
			docs: [
				{
					...internal,
					_id: escalationFactId(ticket._id, 'resolution'),
					kind: 'escalated',
					data: {
						deadline: 'resolution',
						dueAt: recent(22),
						from: 1,
						to: 3,
						group: 'securite-reseau',
						told: [dina._id]
					}
				},
				{
					...internal,
					_id: atRiskFactId(ticket._id, 'resolution'),
					kind: 'sla_warning',
					data: { clock: 'resolution', state: 'at_risk', dueAt: recent(22) }
				}
			] as unknown as Json[]
		});
		const link = await linkOf(ticket);
		const before = await call(link, { from: newAddress() });
		expect(before.body).toMatchObject({ status: 'resolved', choices: { confirm: true } });

		await server.jobs.runAll();
		const fact = await stored(server.couch, timeoutFactId(ticket._id, resolvedAt));
		expect(fact).toMatchObject({ author: 'system', data: { how: 'timeout' } });
		// The job wrote a fact; the ticket as stored is untouched.
		expect(((await stored(server.couch, ticket._id)) as unknown as TicketDoc).status).toBe(
			'resolved'
		);

		const page = await call(link, { from: newAddress() });
		expect(page.status).toBe(200);
		expect(page.body).toMatchObject({
			status: 'closed',
			closure: { how: 'timeout', at: fact!.at },
			solution: 'Pilote réinstallé',
			choices: { confirm: false, survey: true, reopen: true }
		});
		const timeline = page.body.timeline as Array<{ kind: string; author: string; data: Json }>;
		expect(timeline).toContainEqual(
			expect.objectContaining({
				kind: 'status_change',
				author: 'system',
				data: { action: 'close', how: 'timeout', from: 'resolved', to: 'closed' }
			})
		);
		// Nothing of the escalation, the warning, the groups or the fact ids leaves.
		const json = JSON.stringify(page.body);
		for (const leak of [
			'escalated',
			'sla_warning',
			'at_risk',
			'securite-reseau',
			'"level"',
			'"told"',
			'resolvedAt',
			SLA_FACT_PREFIX.slice('event:'.length),
			ticket._id.slice('ticket:'.length),
			dina._id
		])
			expect(json, leak).not.toContain(leak);
		expect(timeline.map((e) => e.kind)).not.toContain('escalated');

		// Nothing left to confirm; the survey is taken as for any closure.
		const from = newAddress();
		const confirm = await call(`${link}/confirm`, { from, body: {} });
		expect(confirm.status).toBe(409);
		const survey = await call(`${link}/survey`, { from, body: { rating: 3 } });
		expect(survey.status).toBe(201);
		expect(survey.body).toMatchObject({ status: 'closed', choices: { survey: false } });
	});
});

describe('what the requester writes', () => {
	it('adds a message to the public timeline, and refuses an empty one with words', async () => {
		const ticket = await aStoredTicket('qualified');
		const link = await linkOf(ticket);
		const from = newAddress();
		const empty = await call(`${link}/messages`, { from, body: { text: '   ' } });
		expect(empty.status).toBe(400);
		expect(empty.body.message).toBe('Message : écrivez quelques mots');
		const wrong = await call(`${link}/messages`, { from, body: { text: 42 } });
		expect(wrong.status).toBe(400);
		expect(await eventsOf(ticket._id)).toEqual([]);
		const sent = await call(`${link}/messages`, {
			from,
			body: { text: 'L’imprimante refait le bruit.' }
		});
		expect(sent.status).toBe(201);
		const events = await eventsOf(ticket._id);
		expect(events).toHaveLength(1);
		expect(events[0]).toMatchObject({
			kind: 'follow_up',
			visibility: 'requester',
			author: 'requester',
			authorName: 'Marie Durand',
			body: 'L’imprimante refait le bruit.'
		});
		expect(sent.body.timeline).toContainEqual(
			expect.objectContaining({ author: 'you', body: 'L’imprimante refait le bruit.' })
		);
	});

	it('sends a ticket waiting on the requester back to the team when they answer', async () => {
		const ticket = await aStoredTicket('pending');
		const res = await call(`${await linkOf(ticket)}/messages`, {
			from: newAddress(),
			body: { text: 'Voici le numéro de série : AB-12.' }
		});
		expect(res.status).toBe(201);
		expect(res.body.status).toBe('qualified');
		expect((await eventsOf(ticket._id)).map((e) => e.data ?? null)).toContainEqual({
			action: 'resume',
			from: 'pending',
			to: 'qualified'
		});
	});

	it('confirms a resolved ticket: closed, by the requester, with one status_change', async () => {
		const open = await aStoredTicket('qualified');
		const early = await call(`${await linkOf(open)}/confirm`, { from: newAddress(), body: {} });
		expect(early.status).toBe(409);
		expect(early.body.message).toMatch(/n’attend pas votre confirmation/);

		const ticket = await aStoredTicket('resolved');
		const res = await call(`${await linkOf(ticket)}/confirm`, { from: newAddress(), body: {} });
		expect(res.status).toBe(200);
		expect(res.body.status).toBe('closed');
		const saved = (await stored(server.couch, ticket._id)) as unknown as TicketDoc;
		expect(saved.closure).toMatchObject({
			by: 'requester',
			how: 'requester',
			solution: 'Pilote réinstallé'
		});
		const events = await eventsOf(ticket._id);
		expect(events).toHaveLength(1);
		expect(events[0]).toMatchObject({
			kind: 'status_change',
			visibility: 'requester',
			author: 'requester',
			data: { action: 'confirm', from: 'resolved', to: 'closed' }
		});
		expect(res.body.choices).toMatchObject({ confirm: false, survey: true });
	});

	it('reopens only within the configured days of the closure', async () => {
		const from = newAddress();
		const late = await aStoredTicket('closed', 20);
		const refused = await call(`${await linkOf(late)}/reopen`, { from, body: {} });
		expect(refused.status).toBe(409);
		expect(refused.body.message).toMatch(/Le délai pour rouvrir cette demande \(14 jours/);
		expect(((await stored(server.couch, late._id)) as unknown as TicketDoc).status).toBe('closed');
		expect(await eventsOf(late._id)).toEqual([]);

		const soon = await aStoredTicket('closed', 3);
		const res = await call(`${await linkOf(soon)}/reopen`, {
			from,
			body: { text: 'Le problème est revenu ce matin.' }
		});
		expect(res.status).toBe(200);
		expect(res.body.status).toBe('qualified');
		const events = await eventsOf(soon._id);
		expect(events.map((e) => e.data ?? e.body)).toEqual([
			{ action: 'reopen', from: 'closed', to: 'qualified' },
			'Le problème est revenu ce matin.'
		]);

		// The referential sets the days: 30 lets the 20-day-old closure reopen.
		await server.couch.db.insert({
			_id: 'config:requester',
			type: 'config',
			kind: 'requester',
			reopenDays: 30
		});
		const later = await call(`${await linkOf(late)}/reopen`, { from, body: {} });
		expect(later.status).toBe(200);
		expect(later.body.reopenDays).toBe(30);
		await server.couch.db.destroy(
			'config:requester',
			String((await stored(server.couch, 'config:requester'))!._rev)
		);
	});

	it('takes one survey answer per closed ticket, and refuses a wrong rating with words', async () => {
		const from = newAddress();
		const open = await aStoredTicket('resolved');
		const early = await call(`${await linkOf(open)}/survey`, { from, body: { rating: 4 } });
		expect(early.status).toBe(409);

		const ticket = await aStoredTicket('closed');
		const link = await linkOf(ticket);
		const surveyId = `survey:${ticket._id.slice('ticket:'.length)}`;
		for (const rating of [0, 6, 3.5, '4', null]) {
			const bad = await call(`${link}/survey`, { from, body: { rating, comment: 'x' } });
			expect(bad.status).toBe(400);
			expect(bad.body.message).toBe('Note : choisissez une note de 1 à 5');
		}
		expect(await stored(server.couch, surveyId)).toBeNull();
		const res = await call(`${link}/survey`, {
			from,
			body: { rating: 4, comment: 'Rapide, merci.' }
		});
		expect(res.status).toBe(201);
		expect(res.body.survey).toMatchObject({ rating: 4, comment: 'Rapide, merci.' });
		expect(res.body.choices).toMatchObject({ survey: false });
		expect(await stored(server.couch, surveyId)).toMatchObject({
			type: 'survey',
			ticketId: ticket._id,
			rating: 4
		});
		const again = await call(`${link}/survey`, { from, body: { rating: 1, comment: 'Non' } });
		expect(again.status).toBe(409);
		expect(again.body.message).toMatch(/déjà donné votre avis/);
		expect(await stored(server.couch, surveyId)).toMatchObject({ rating: 4 });
	});

	it('limits writes per ticket and per address', async () => {
		const ticket = await aStoredTicket('qualified');
		const link = await linkOf(ticket);
		const from = newAddress();
		for (let i = 0; i < REQUESTER_LIMITS.ticket.max; i++) {
			const ok = await call(`${link}/messages`, { from, body: { text: `Message ${i}` } });
			expect(ok.status).toBe(201);
		}
		const tooMany = await call(`${link}/messages`, { from, body: { text: 'Encore' } });
		expect(tooMany.status).toBe(429);
		expect(tooMany.body.message).toMatch(/Trop de messages sur cette demande/);
		expect(Number(tooMany.headers.get('retry-after'))).toBeGreaterThan(0);
		expect(await eventsOf(ticket._id)).toHaveLength(REQUESTER_LIMITS.ticket.max);

		// The same address on another ticket runs into the address's own limit.
		const other = await linkOf(await aStoredTicket('qualified'));
		const left = REQUESTER_LIMITS.write.max - REQUESTER_LIMITS.ticket.max - 1;
		for (let i = 0; i < left; i++)
			expect((await call(`${other}/messages`, { from, body: { text: 'Oui' } })).status).toBe(201);
		const blocked = await call(`${other}/messages`, { from, body: { text: 'Oui' } });
		expect(blocked.status).toBe(429);
		expect(blocked.body.message).toMatch(/depuis cette adresse/);
		// Another address is not held up.
		expect(
			(await call(`${other}/messages`, { from: newAddress(), body: { text: 'Oui' } })).status
		).toBe(201);
	});
});

describe('the survey through sync', () => {
	it('reaches the desk, and no device may create, change or delete one', async () => {
		const ticket = await aStoredTicket('closed');
		const res = await call(`${await linkOf(ticket)}/survey`, {
			from: newAddress(),
			body: { rating: 2, comment: 'Trop long.' }
		});
		expect(res.status).toBe(201);
		const surveyId = `survey:${ticket._id.slice('ticket:'.length)}`;
		const desk = await new Session(server.url, dina.name).issued(server, Date.now());
		await expect
			.poll(async () => (await desk.manifest()).docs.map(([id]) => id))
			.toContain(surveyId);
		const tech = await new Session(server.url, theo.name).issued(server, Date.now());
		expect((await tech.manifest()).docs.map(([id]) => id)).not.toContain(surveyId);

		const admin = await new Session(server.url, ada.name).issued(server, Date.now());
		const other = await aStoredTicket('closed');
		const forgedId = `survey:${other._id.slice('ticket:'.length)}`;
		const forged = aSurvey({ _id: forgedId, ticketId: other._id, rating: 5 });
		const current = await stored(server.couch, surveyId);
		const attempts = [
			nextRevision(forged as unknown as Json),
			nextRevision({ ...current!, rating: 5, comment: 'Parfait' }, current),
			nextRevision({ _id: surveyId, _deleted: true }, current)
		];
		for (const [who, session] of [
			['admin', admin],
			['dispatcher', desk]
		] as const) {
			for (const doc of attempts) {
				const push = await session.pushRaw([doc]);
				expect(push.status, who).toBeLessThan(300);
				const [answer] = push.body as Array<{ error?: string; reason?: string }>;
				expect(answer?.error, `${who} ${String(doc._id)}`).toBe('forbidden');
			}
		}
		expect(await stored(server.couch, forgedId)).toBeNull();
		expect(await stored(server.couch, surveyId)).toMatchObject({
			rating: 2,
			comment: 'Trop long.'
		});
	});
});
