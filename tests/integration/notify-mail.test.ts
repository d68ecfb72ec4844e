import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../server/auth/users.ts';
import { aMission, aTicket } from '../../src/lib/domain/testing/factories.ts';
import { startTestServer } from '../support/test-server.ts';
import { freePort, TestSmtp, testId } from './notify-support.ts';

let server: Awaited<ReturnType<typeof startTestServer>>;
const smtp = new TestSmtp();
let smtpPort = 0;

/** Quoted-printable and folded headers aside, the text of a raw mail. */
function plain(raw: string): string {
	const soft = raw.replace(/=\r?\n/g, '');
	const bytes: number[] = [];
	for (let i = 0; i < soft.length; i++) {
		const hex = soft[i] === '=' ? /^[0-9A-F]{2}/.exec(soft.slice(i + 1, i + 3)) : null;
		if (hex) {
			bytes.push(Number.parseInt(hex[0], 16));
			i += 2;
		} else bytes.push(...Buffer.from(soft[i]!, 'utf8'));
	}
	return Buffer.from(bytes).toString('utf8').replace(/\r\n/g, '\n');
}

async function ticketSteps(
	number: number,
	email: string,
	steps: Array<Record<string, unknown>>
): Promise<string> {
	const ticket: Record<string, unknown> = {
		...aTicket({ title: 'Messagerie bloquée', number, requester: { name: 'Marie Durand', email } }),
		_id: `ticket:${testId()}`
	};
	ticket._rev = (await server.couch.db.insert(ticket)).rev;
	for (const step of steps) {
		// Each state is seen by the notifier before the next (a burst would only notify the last).
		await new Promise((done) => setTimeout(done, 400));
		Object.assign(ticket, step);
		ticket._rev = (await server.couch.db.insert(ticket)).rev;
	}
	return String(ticket._id);
}

beforeAll(async () => {
	// The SMTP server starts later: first the outbox must cope with it being down.
	smtpPort = await freePort();
	server = await startTestServer({
		SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
		MAIL_FROM: 'Terrain <support@terrain.example.fr>',
		MAIL_RETRY_BASE_MS: '200',
		MAIL_POLL_MS: '100',
		PUBLIC_URL: 'https://terrain.example.fr'
	});
});

afterAll(async () => {
	await server?.stop();
	await smtp.stop();
});

describe('requester notices by e-mail', () => {
	it('retries while the SMTP server is down and delivers once it is back', async () => {
		await ticketSteps(20001, 'marie@client.fr', []);
		// Several attempts fail while nothing listens; the mail waits in the outbox.
		await expect
			.poll(
				async () => {
					const rows = await server.couch.privateDb.list({
						startkey: 'mail:',
						endkey: 'mail:\ufff0',
						include_docs: true
					});
					const doc = rows.rows[0]?.doc as unknown as
						{ attempts: number; state: string; lastError?: string } | undefined;
					return doc && doc.attempts >= 2 ? doc : null;
				},
				{ timeout: 15_000 }
			)
			.toMatchObject({
				state: 'queued',
				lastError: expect.stringMatching(/ECONNREFUSED/) as string
			});
		await smtp.start(smtpPort);
		const [mail] = await smtp.waitFor(1);
		expect(mail!.to).toEqual(['marie@client.fr']);
		// Every attempt carries the Message-ID of its mail document, so a copy sent again after
		// a crash is recognisable as the same mail.
		const mailId = (await server.couch.privateDb.list({ startkey: 'mail:', endkey: 'mail:\ufff0' }))
			.rows[0]!.id;
		const header = /^Message-ID:\s*(<[^>]+>)/im.exec(mail!.raw)?.[1];
		expect(header).toMatch(new RegExp(`^<${mailId.replace(/[^A-Za-z0-9._-]/g, '.')}@`));
		const text = plain(mail!.raw);
		expect(text).toContain('Votre demande n° 20001 a bien été enregistrée.');
		expect(text).toContain('https://terrain.example.fr/api/notices/unsubscribe?token=');
		await new Promise((done) => setTimeout(done, 1000));
		expect(smtp.received).toHaveLength(1);
	});

	it('sends one notice per state change, from the admin’s templates, with the ticket number', async () => {
		await server.couch.db.insert({
			_id: 'config:notice_templates',
			type: 'config',
			kind: 'notice_templates',
			templates: {
				ticket_resolved: {
					subject: 'Ticket {{number}} résolu',
					body: 'Bonjour {{requester}}, la demande {{number}} ({{title}}) est résolue : {{solution}}'
				}
			}
		});
		const before = smtp.received.length;
		await ticketSteps(20002, 'paul@client.fr', [
			{
				status: 'resolved',
				category: 'network',
				group: 'network',
				resolution: { by: 'user:dina', at: new Date().toISOString(), solution: 'Boîte purgée' }
			}
		]);
		const mails = (await smtp.waitFor(before + 2)).slice(before).map((m) => plain(m.raw));
		expect(mails[0]).toContain('Votre demande n° 20002 a bien été enregistrée.');
		expect(mails[1]).toContain(
			'Bonjour Marie Durand, la demande 20002 (Messagerie bloquée) est résolue : Boîte purgée'
		);
	});

	it('stops sending to a requester who followed the unsubscribe link', async () => {
		const before = smtp.received.length;
		await ticketSteps(20003, 'leo@client.fr', []);
		const [mail] = (await smtp.waitFor(before + 1)).slice(before);
		const link = /https:\/\/terrain\.example\.fr(\/api\/notices\/unsubscribe\?token=[\w.-]+)/.exec(
			plain(mail!.raw)
		)![1]!;
		const forged = await fetch(
			`${server.url}${link.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))}`
		);
		expect(forged.status).toBe(400);
		const page = await fetch(server.url + link);
		expect(page.status).toBe(200);
		expect(await page.text()).toContain('Désabonnement enregistré');
		await ticketSteps(20004, 'leo@client.fr', []);
		await ticketSteps(20005, 'other@client.fr', []);
		await smtp.waitFor(before + 2);
		await new Promise((done) => setTimeout(done, 800));
		expect(smtp.received.slice(before + 1).map((m) => m.to[0])).toEqual(['other@client.fr']);
	});

	it('tells the requester when the on-site visit is planned, with the date and the technician', async () => {
		await addUser(
			server.couch,
			{
				name: 'tech.lou',
				displayName: 'Lou Martin',
				roles: ['technician'],
				password: 'long-enough-1'
			},
			new Date()
		);
		const ticketId = await ticketSteps(20006, 'nina@client.fr', []);
		const before = smtp.received.length + 1;
		await smtp.waitFor(before);
		const start = new Date('2030-01-15T09:30:00Z');
		await server.couch.db.insert({
			...aMission({
				_id: `mission:${testId()}`,
				ticketId,
				technicianId: 'user:tech.lou',
				start: start.toISOString(),
				end: new Date(start.getTime() + 3_600_000).toISOString()
			})
		});
		const [mail] = (await smtp.waitFor(before + 1)).slice(before);
		const text = plain(mail!.raw);
		expect(mail!.to).toEqual(['nina@client.fr']);
		expect(text).toContain(
			'Une intervention sur site est prévue le mar. 15 janv. à 10:30 pour votre demande n° 20006.'
		);
		expect(text).toContain('Intervenant : Lou Martin');
	});

	it('tells the requester of a visit whose mission was seen before its ticket could be read', async () => {
		// A ticket and its mission written together (a push, a seed) reach the feed in either
		// order; here the mission comes first and its ticket a moment later.
		const ticketId = `ticket:${testId()}`;
		const start = new Date('2030-01-16T13:00:00Z');
		const before = smtp.received.length;
		await server.couch.db.insert({
			...aMission({
				_id: `mission:${testId()}`,
				ticketId,
				technicianId: 'user:tech.lou',
				start: start.toISOString(),
				end: new Date(start.getTime() + 3_600_000).toISOString()
			})
		});
		await new Promise((done) => setTimeout(done, 1500));
		await server.couch.db.insert({
			...aTicket({
				title: 'Imprimante en panne',
				number: 20007,
				requester: { name: 'Inès Petit', email: 'ines@client.fr' }
			}),
			_id: ticketId
		});
		await expect
			.poll(
				() =>
					smtp.received
						.slice(before)
						.filter((m) => m.to[0] === 'ines@client.fr')
						.map((m) => plain(m.raw))
						.find((text) => text.includes('Une intervention sur site est prévue')),
				{ timeout: 20_000 }
			)
			.toContain('le mer. 16 janv. à 14:00 pour votre demande n° 20007.');
	});
});
