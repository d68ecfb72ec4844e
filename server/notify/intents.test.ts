import { describe, expect, it } from 'vitest';
import {
	missionDeliveries,
	noticeFor,
	revGeneration,
	ticketDeliveries,
	type MissionFields
} from './intents.ts';

const planned: MissionFields = {
	technicianId: 'user:paul',
	start: '2026-12-01T08:00:00Z',
	status: 'planned'
};
const notice = { channel: 'notice', key: 'mission_planned' };

describe('mission deliveries', () => {
	it('a new planned mission: assigned to its technician, the visit date to the requester', () => {
		expect(missionDeliveries(null, planned)).toEqual([
			{ channel: 'push', to: 'user:paul', event: 'assigned' },
			notice
		]);
	});

	it('a mission first seen done or cancelled tells nobody', () => {
		expect(missionDeliveries(null, { ...planned, status: 'done' })).toEqual([]);
		expect(missionDeliveries(null, { ...planned, status: 'cancelled' })).toEqual([]);
	});

	it('moved: rescheduled, and the requester hears the new date', () => {
		expect(missionDeliveries(planned, { ...planned, start: '2026-12-02T08:00:00Z' })).toEqual([
			{ channel: 'push', to: 'user:paul', event: 'rescheduled' },
			notice
		]);
	});

	it('given to someone else: assigned to the new one, withdrawn from the old one', () => {
		expect(missionDeliveries(planned, { ...planned, technicianId: 'user:zoe' })).toEqual([
			{ channel: 'push', to: 'user:zoe', event: 'assigned' },
			{ channel: 'push', to: 'user:paul', event: 'cancelled', withdrawn: true }
		]);
	});

	it('cancelled: the technician it was planned for', () => {
		expect(missionDeliveries(planned, { ...planned, status: 'cancelled' })).toEqual([
			{ channel: 'push', to: 'user:paul', event: 'cancelled' }
		]);
	});

	it('started or finished: nothing', () => {
		expect(missionDeliveries(planned, { ...planned, status: 'in_progress' })).toEqual([]);
		expect(
			missionDeliveries({ ...planned, status: 'in_progress' }, { ...planned, status: 'done' })
		).toEqual([]);
	});
});

describe('ticket deliveries', () => {
	const open = { status: 'assigned', level: 1, assignees: ['user:paul'] };

	it('a raised level is pushed to each assignee', () => {
		expect(ticketDeliveries(open, { ...open, level: 2 })).toEqual([
			{ channel: 'push', to: 'user:paul', event: 'escalated' }
		]);
	});

	it('the requester gets the annex C notice of each state change', () => {
		expect(noticeFor(null, 'new')).toBe('ticket_created');
		expect(noticeFor('new', 'qualified')).toBe('ticket_acknowledged');
		expect(noticeFor('assigned', 'planned')).toBeNull();
		expect(noticeFor('planned', 'in_progress')).toBe('ticket_updated');
		expect(noticeFor('in_progress', 'pending')).toBe('ticket_pending');
		expect(noticeFor('in_progress', 'resolved')).toBe('ticket_resolved');
		expect(noticeFor('resolved', 'closed')).toBe('ticket_closed');
		expect(noticeFor('resolved', 'in_progress')).toBe('ticket_reopened');
		expect(noticeFor('assigned', 'assigned')).toBeNull();
	});
});

it('orders revisions by generation', () => {
	expect(revGeneration('12-abc')).toBe(12);
	expect(revGeneration(undefined)).toBe(0);
});
