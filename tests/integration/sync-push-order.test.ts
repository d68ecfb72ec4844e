/**
 * Push order (issue #12, the lost `report_signed` event of the fault test). A sealed report is
 * stored on the device after the `report_signed` event written with it (its attachments are
 * processed first), so the replicator, which sends changes in sequence order and in batches of
 * PUSH_BATCH, can send the event as the last document of one batch and its report as the first
 * of the next. The server refuses the event then (its subject does not exist yet): the push
 * must send it again once the report is there, and nothing may be left refused or unsent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvent } from '../../src/lib/data/events.ts';
import { authorOf } from '../../src/lib/data/me.ts';
import type { UserDoc } from '../../src/lib/domain/schemas.ts';
import {
	aClient,
	aConfig,
	aMission,
	actor,
	aTicket,
	aUser,
	qualify,
	ticketThrough
} from '../../src/lib/domain/testing/factories.ts';
import { pendingChanges } from '../../src/lib/sync/local.ts';
import { PUSH_BATCH } from '../../src/lib/sync/push.ts';
import { AppDevice } from '../support/app-device.ts';
import { addAccounts, putAll, Session } from '../support/sync-device.ts';
import { startTestServer } from '../support/test-server.ts';

const HOUR = 3600_000;
/** Documents a worked mission leaves to push: start event, mission, signed event, report, ticket, close event. */
const PER_MISSION = 6;
const MISSIONS = Math.floor((PUSH_BATCH - 3) / PER_MISSION) + 1;

const dina = aUser('dina', ['dispatcher']);
const tech = aUser('tech1', ['technician'], { displayName: 'Tech 1' });

let server: Awaited<ReturnType<typeof startTestServer>>;
const missionIds: string[] = [];

beforeAll(async () => {
	server = await startTestServer();
	const now = Date.now();
	const docs: object[] = [aConfig('access'), aConfig('taxonomy'), aClient({ _id: 'client:C1' })];
	for (let m = 0; m < MISSIONS; m++) {
		const key = String(m + 1).padStart(3, '0');
		const ticket = ticketThrough(
			[
				[qualify, actor(dina)],
				[{ type: 'assign', assignees: [tech._id] }, actor(dina)],
				[{ type: 'plan', technicianId: tech._id }, actor(dina)]
			],
			aTicket({ _id: `ticket:P${key}`, clientId: 'client:C1', title: `Panne ${key}` })
		);
		const mission = aMission({
			_id: `mission:P${key}`,
			ticketId: ticket._id,
			clientId: 'client:C1',
			technicianId: tech._id,
			start: new Date(now - HOUR).toISOString(),
			end: new Date(now + HOUR).toISOString()
		});
		docs.push(ticket, mission);
		missionIds.push(mission._id);
	}
	await addAccounts(server.couch, [dina, tech] as UserDoc[]);
	await putAll(server.couch, docs as never[]);
	await server.settled();
});

afterAll(async () => {
	await server?.stop();
});

describe('push order', () => {
	it('a signed event sent a batch before its report is sent again once the report is there', async () => {
		const device = new AppDevice(server.url, {
			name: tech.name,
			displayName: tech.displayName,
			roles: tech.roles,
			groups: tech.groups
		});
		await device.sync();
		const held = await device.held();
		expect(missionIds.every((id) => held.has(id))).toBe(true);
		const note = (body: string) =>
			appendEvent(device.db, {
				subjectId: 'ticket:P001',
				ticketId: 'ticket:P001',
				kind: 'follow_up',
				author: authorOf(device.user),
				at: new Date(),
				body
			});
		// One push first: every push position (the device's, the replicator's) is past the pull.
		await note('Sur la route');
		expect((await device.sync()).pushed).toBe(1);

		// Offline: every mission but the last, notes to shift the last one's documents so that
		// its `report_signed` event is the last of the first batch, then the last mission.
		for (const id of missionIds.slice(0, -1)) await device.workMission(id);
		const before = await pendingChanges(device.db, device.ledger.pushedSeq, device.ledger);
		const notes = PUSH_BATCH - 3 - before.ids.length;
		for (let i = 0; i < notes; i++) await note(`Note ${i}`);
		await device.workMission(missionIds.at(-1) as string);

		// The premise: the event closes the first batch, its report opens the second.
		const changes = await device.db.changes({ since: device.ledger.pushedSeq });
		const order = changes.results.map((c) => c.id);
		const signed = order[PUSH_BATCH - 1] ?? '';
		const report = order[PUSH_BATCH] ?? '';
		expect(signed.startsWith('event:')).toBe(true);
		expect(report.startsWith('report:')).toBe(true);
		const event = (await device.db.get(signed)) as unknown as { subjectId: string; kind: string };
		expect(event).toMatchObject({ kind: 'report_signed', subjectId: report });

		const run = await device.sync();
		expect(run.refused).toEqual([]);
		expect(await device.pending()).toEqual([]);
		const desk = await new Session(server.url, dina.name).signIn();
		const listed = new Map((await desk.manifest()).docs);
		expect(listed.has(report)).toBe(true);
		expect(listed.has(signed)).toBe(true);

		// And the device keeps it: the next pull finds it on the manifest.
		await device.sync();
		expect((await device.held()).has(signed)).toBe(true);
	});
});
