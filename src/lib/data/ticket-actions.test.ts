import { describe, expect, it } from 'vitest';
import { ITIL_PRIORITY_MATRIX } from '../domain/priority.ts';
import { DEFAULT_BUSINESS_HOURS } from '../domain/business-hours.ts';
import { DEFAULT_SLA_POLICY } from '../domain/sla.ts';
import { parseEvent, type TicketDoc } from '../domain/schemas.ts';
import { aClient, aMission, aUser, taxonomy } from '../domain/testing/factories.ts';
import { memoryDb } from '../sync/testing.ts';
import type { Referentials } from './config.ts';
import { readDoc, writeAll } from './docs.ts';
import { timelineOf } from './events.ts';
import type { Me } from './me.ts';
import { endMissionWithoutReport } from './missions.ts';
import { planMission, planningBoard } from './planning.ts';
import { applyAction } from './ticket-actions.ts';
import { createTicket, ticketView } from './ticket-desk.ts';

const refs: Referentials = {
	taxonomy,
	matrix: ITIL_PRIORITY_MATRIX,
	sla: DEFAULT_SLA_POLICY,
	hours: DEFAULT_BUSINESS_HOURS,
	groups: [],
	skills: [],
	slotMinutes: 15,
	closeAfterDays: 5
};
const dina: Me = { name: 'dina', displayName: 'Dina Martin', roles: ['dispatcher'], groups: [] };
const theo: Me = { name: 'theo', displayName: 'Théo Petit', roles: ['technician'], groups: [] };
const now = new Date('2025-03-03T09:00:00.000Z');

async function deskWithTicket(solution?: string) {
	const db = memoryDb('desk');
	await writeAll(db, [aClient(), aUser('theo', ['technician'], { displayName: 'Théo Petit' })]);
	const created = await createTicket(db, {
		me: dina,
		refs,
		now,
		ticket: {
			kind: 'incident',
			title: 'Imprimante',
			source: 'phone',
			clientId: 'client:C1',
			requester: { name: 'Marie Durand' }
		},
		category: 'network',
		subcategory: 'wifi',
		solution
	});
	if (!created.ok) throw new Error(created.error.message);
	return { db, id: created.value };
}

describe('ticket actions on the device', () => {
	it('writes exactly one coded event per change, in the order written, even within one millisecond', async () => {
		const { db, id } = await deskWithTicket('Redémarrage du spouleur');
		const timeline = await timelineOf(db, id);
		// All four in the same millisecond: the id sequence keeps them in order.
		expect(timeline.map((e) => e.data?.action)).toEqual(['open', 'qualify', 'resolve', 'close']);
		expect(new Set(timeline.map((e) => e.at)).size).toBe(1);
		expect(timeline.map((e) => e.body)).toEqual(['', '', 'Redémarrage du spouleur', '']);
		expect(timeline.at(-1)?.data).toMatchObject({ from: 'resolved', to: 'closed', how: 'level1' });
		const ticket = await readDoc(db, 'ticket', id);
		expect(ticket?.closure).toMatchObject({ how: 'level1', solution: 'Redémarrage du spouleur' });
	});

	it('records an assignment with the assignee’s name, and planning with the technician’s', async () => {
		const { db, id } = await deskWithTicket();
		const ticket = await readDoc(db, 'ticket', id);
		if (!ticket) throw new Error('no ticket');
		const assigned = await applyAction(db, ticket, { type: 'assign', assignees: ['user:theo'] }, dina, now, refs);
		if (!assigned.ok) throw new Error(assigned.error.message);
		const planned = await planMission(
			db,
			{
				ticket: assigned.value,
				client: aClient(),
				siteId: 's1',
				technicianId: 'user:theo',
				slot: { start: '2025-03-04T08:00:00.000Z', end: '2025-03-04T09:30:00.000Z' },
				instructions: '',
				toBring: []
			},
			dina,
			refs,
			now
		);
		expect(planned.ok).toBe(true);
		const view = await ticketView(db, id);
		const kinds = view?.events.map((e) => [e.kind, e.data?.action]);
		expect(kinds).toEqual([
			['status_change', 'open'],
			['status_change', 'qualify'],
			['assignment', 'assign'],
			['mission_planned', 'plan']
		]);
		expect(view?.events[2]?.data).toMatchObject({ assignees: ['user:theo'], assigneeNames: ['Théo Petit'] });
		expect(view?.events[3]?.data).toMatchObject({ technicianName: 'Théo Petit', from: 'assigned', to: 'planned' });
		for (const e of view?.events ?? []) expect(e.body).toBe('');
	});

	it('returns the domain’s refusal as a code, and writes nothing', async () => {
		const { db, id } = await deskWithTicket('Fait');
		const ticket = await readDoc(db, 'ticket', id);
		if (!ticket) throw new Error('no ticket');
		const refused = await applyAction(db, ticket, { type: 'start' }, dina, now, refs);
		expect(refused).toMatchObject({ ok: false, error: { key: 'status_from', params: { status: 'closed' } } });
		expect(await timelineOf(db, id)).toHaveLength(4);
	});
});

describe('a mission that ends without a signed report', () => {
	it('needs a reason, records it, and leaves the ticket open', async () => {
		const db = memoryDb('field');
		const { db: desk, id } = await deskWithTicket();
		const ticket = await readDoc(desk, 'ticket', id);
		if (!ticket) throw new Error('no ticket');
		const { _rev, ...fresh } = ticket;
		void _rev;
		const mission = aMission({ ticketId: id });
		await writeAll(db, [fresh, mission]);
		expect(await endMissionWithoutReport(db, mission._id, theo, 'other', '  ', now)).toMatchObject({
			ok: false,
			error: { key: 'need_end_reason' }
		});
		const ended = await endMissionWithoutReport(db, mission._id, theo, 'client_absent', 'Personne sur place', now);
		expect(ended.ok && ended.value.status).toBe('unfinished');
		expect((await readDoc(db, 'ticket', id))?.status).toBe(ticket.status);
		const [event] = await timelineOf(db, id);
		expect(event).toMatchObject({
			kind: 'mission_ended',
			body: 'Personne sur place',
			data: { missionId: mission._id, reason: 'client_absent' }
		});
		// Once over, it does not end twice.
		expect(await endMissionWithoutReport(db, mission._id, theo, 'client_absent', '', now)).toMatchObject({
			ok: false,
			error: { key: 'mission_over' }
		});
	});

	it('is refused by the schema without its codes (a device cannot forge a vague one)', () => {
		const base = {
			_id: 'event:01JQ3M7ZB4K8T2W9XQ0RN5DV6C',
			type: 'event',
			subjectId: 'mission:M1',
			ticketId: 'ticket:K1',
			kind: 'mission_ended',
			visibility: 'internal',
			author: 'user:theo',
			at: now.toISOString(),
			body: 'Fini'
		};
		expect(parseEvent(base).ok).toBe(false);
		expect(parseEvent({ ...base, data: { missionId: 'mission:M1', reason: 'bored' } }).ok).toBe(false);
		expect(parseEvent({ ...base, data: { missionId: 'mission:M1', reason: 'client_absent' } }).ok).toBe(true);
		expect(
			parseEvent({ ...base, kind: 'status_change', data: { action: 'frobnicate', to: 'closed' } }).ok
		).toBe(false);
	});
});

describe('planning a ticket again after a mission ended unfinished', () => {
	it('puts the ticket in progress back on the board and plans it, but not while a mission is active', async () => {
		const { db, id } = await deskWithTicket();
		const sheet = (ticket: TicketDoc, start: string, end: string) => ({
			ticket,
			client: aClient(),
			siteId: 's1',
			technicianId: 'user:theo',
			slot: { start, end },
			instructions: '',
			toBring: []
		});
		const fresh = await readDoc(db, 'ticket', id);
		if (!fresh) throw new Error('no ticket');
		const first = await planMission(db, sheet(fresh, '2025-03-04T08:00:00.000Z', '2025-03-04T09:30:00.000Z'), dina, refs, now);
		if (!first.ok) throw new Error(first.error.message);
		const planned = await readDoc(db, 'ticket', id);
		if (!planned) throw new Error('no ticket');
		const started = await applyAction(db, planned, { type: 'start' }, theo, now, refs);
		if (!started.ok) throw new Error(started.error.message);
		expect(started.value.status).toBe('in_progress');
		// While the mission is under way, the ticket is not planned a second time.
		const early = await planMission(db, sheet(started.value, '2025-03-05T08:00:00.000Z', '2025-03-05T09:00:00.000Z'), dina, refs, now);
		expect(early).toMatchObject({ ok: false, error: { key: 'mission_active' } });
		expect((await planningBoard(db)).toPlan.map((p) => p.ticket._id)).not.toContain(id);
		const ended = await endMissionWithoutReport(db, first.value, theo, 'client_absent', 'Personne sur place', now);
		expect(ended.ok).toBe(true);
		expect((await planningBoard(db)).toPlan.map((p) => p.ticket._id)).toContain(id);
		const current = await readDoc(db, 'ticket', id);
		if (!current) throw new Error('no ticket');
		const again = await planMission(db, sheet(current, '2025-03-05T08:00:00.000Z', '2025-03-05T09:00:00.000Z'), dina, refs, now);
		expect(again.ok).toBe(true);
		expect((await readDoc(db, 'ticket', id))?.status).toBe('planned');
	});
});
