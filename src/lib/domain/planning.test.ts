import { describe, expect, it } from 'vitest';
import { DEFAULT_BUSINESS_HOURS } from './business-hours.ts';
import {
	checkBooking,
	distanceKm,
	firstFreeSlot,
	mayReplan,
	rankTechnicians,
	snapSlot,
	snapToGrid,
	withinBusinessHours
} from './planning.ts';
import { aCalendarEntry, aMission, aUser } from './testing/factories.ts';

const hours = DEFAULT_BUSINESS_HOURS;
// Monday 2026-11-23, Paris is UTC+1: 08:30 local = 07:30Z.
const window = { start: '2026-11-23T07:30:00.000Z', end: '2026-11-25T15:30:00.000Z' };

const alice = aUser('alice', ['technician'], {
	skills: ['réseau', 'Wi-Fi'],
	base: { address: 'Boulogne', lat: 48.835, lng: 2.24 }
});
const bruno = aUser('bruno', ['technician'], {
	skills: ['réseau'],
	base: { address: 'Créteil', lat: 48.79, lng: 2.455 }
});
const chloe = aUser('chloe', ['technician'], { skills: ['imprimante'] });
const disp = aUser('dora', ['dispatcher'], { skills: ['réseau'] });

describe('finding a technician', () => {
	it('returns only technicians with every skill and a free slot', () => {
		const ranked = rankTechnicians(
			{ skills: ['réseau'], durationMinutes: 90, window, hours },
			[alice, bruno, chloe, disp],
			[],
			[]
		);
		expect(ranked.map((c) => c.technicianId).sort()).toEqual(['user:alice', 'user:bruno']);
		expect(
			rankTechnicians(
				{ skills: ['réseau', 'wi-fi'], durationMinutes: 90, window, hours },
				[alice, bruno],
				[],
				[]
			).map((c) => c.technicianId)
		).toEqual(['user:alice']);
	});

	it('leaves out a technician absent for the whole window', () => {
		const absence = aCalendarEntry({
			technicianId: 'user:bruno',
			kind: 'absence',
			start: '2026-11-22T00:00:00.000Z',
			end: '2026-11-26T00:00:00.000Z',
			label: 'congés'
		});
		const ranked = rankTechnicians(
			{ skills: ['réseau'], durationMinutes: 60, window, hours },
			[alice, bruno],
			[],
			[absence]
		);
		expect(ranked.map((c) => c.technicianId)).toEqual(['user:alice']);
	});

	it('ranks by the earliest free slot, then load and distance, and explains each rank', () => {
		const busyMorning = aMission({
			technicianId: 'user:alice',
			start: '2026-11-23T07:30:00.000Z',
			end: '2026-11-23T11:30:00.000Z',
			status: 'planned'
		});
		const ranked = rankTechnicians(
			{ skills: ['réseau'], durationMinutes: 60, window, hours, site: { lat: 48.79, lng: 2.46 } },
			[alice, bruno],
			[busyMorning],
			[]
		);
		expect(ranked[0]?.technicianId).toBe('user:bruno');
		expect(ranked[0]?.slot.start).toBe('2026-11-23T07:30:00.000Z');
		expect(ranked[1]?.slot.start).toBe('2026-11-23T11:30:00.000Z');
		expect(ranked[0]?.travelFrom).toBe('base');
		expect(ranked[0]?.distanceKm).toBeGreaterThan(0);
		expect(ranked[1]?.weekLoadMinutes).toBe(240);
	});

	it('measures travel from the previous mission’s site when it ends shortly before the slot', () => {
		// Alice's base is Boulogne, but her morning mission is in Créteil, next to the new site.
		const morning = aMission({
			technicianId: 'user:alice',
			clientId: 'client:CRETEIL',
			start: '2026-11-23T07:30:00.000Z',
			end: '2026-11-23T09:30:00.000Z',
			status: 'planned'
		});
		const places: Record<string, { lat: number; lng: number }> = {
			'client:CRETEIL': { lat: 48.79, lng: 2.455 }
		};
		const request = {
			skills: ['réseau'],
			durationMinutes: 60,
			window: { start: '2026-11-23T09:30:00.000Z', end: '2026-11-23T16:00:00.000Z' },
			hours,
			site: { lat: 48.791, lng: 2.46 }
		};
		const [fromMission] = rankTechnicians(
			request,
			[alice],
			[morning],
			[],
			(m) => places[m.clientId]
		);
		expect(fromMission?.travelFrom).toBe('previous_mission');
		expect(fromMission?.distanceKm).toBeLessThan(1);
		// Without the mission's place, or with the mission long before, the base counts.
		const [fromBase] = rankTechnicians(request, [alice], [morning], []);
		expect(fromBase?.travelFrom).toBe('base');
		expect(fromBase?.distanceKm).toBeGreaterThan(15);
		const lastWeek = {
			...morning,
			start: '2026-11-16T07:30:00.000Z',
			end: '2026-11-16T09:30:00.000Z'
		};
		const [old] = rankTechnicians(request, [alice], [lastWeek], [], (m) => places[m.clientId]);
		expect(old?.travelFrom).toBe('base');
		// A technician with neither base nor known previous place: distance unknown, said so.
		const [unknown] = rankTechnicians({ ...request, skills: [] }, [chloe], [], []);
		expect(unknown?.travelFrom).toBeNull();
		expect(unknown?.distanceKm).toBeNull();
		expect(unknown?.slot.start).toBe('2026-11-23T09:30:00.000Z');
	});

	it('finds slots inside business hours, never across closing time', () => {
		const slot = firstFreeSlot([], {
			durationMinutes: 120,
			window: { start: '2026-11-23T14:30:00.000Z', end: '2026-11-25T15:30:00.000Z' },
			hours
		});
		// 15:30 local + 2 h would cross 16:30: the next morning at 08:30 local.
		expect(slot?.start).toBe('2026-11-24T07:30:00.000Z');
		expect(firstFreeSlot([], { durationMinutes: 600, window, hours })).toBeNull();
	});

	it('refuses double booking and planning into an absence, with the reason', () => {
		const mission = aMission({
			_id: 'mission:01JAAAAAAAAAAAAAAAAAAAAAAA',
			technicianId: 'user:alice',
			start: '2026-11-23T08:00:00.000Z',
			end: '2026-11-23T09:00:00.000Z',
			status: 'planned'
		});
		const training = aCalendarEntry({
			technicianId: 'user:alice',
			kind: 'training',
			start: '2026-11-24T07:00:00.000Z',
			end: '2026-11-24T16:00:00.000Z',
			label: 'Cisco'
		});
		const onCall = aCalendarEntry({
			technicianId: 'user:alice',
			kind: 'on_call',
			start: '2026-11-25T07:00:00.000Z',
			end: '2026-11-25T16:00:00.000Z',
			label: 'astreinte'
		});
		const at = (start: string, end: string) =>
			checkBooking('user:alice', { start, end }, [mission], [training, onCall]);
		expect(at('2026-11-23T08:30:00.000Z', '2026-11-23T09:30:00.000Z')).toMatchObject({
			ok: false,
			error: { code: 'rule', key: 'booked_mission' }
		});
		expect(at('2026-11-24T08:30:00.000Z', '2026-11-24T09:30:00.000Z')).toMatchObject({
			ok: false,
			error: { key: 'booked_training', params: { label: training.label } }
		});
		expect(at('2026-11-25T08:30:00.000Z', '2026-11-25T09:30:00.000Z')).toEqual({
			ok: true,
			value: true
		});
		expect(at('2026-11-23T09:00:00.000Z', '2026-11-23T10:00:00.000Z').ok).toBe(true);
		expect(
			checkBooking(
				'user:alice',
				{ start: '2026-11-23T08:30:00.000Z', end: '2026-11-23T09:30:00.000Z' },
				[mission],
				[],
				mission._id
			).ok
		).toBe(true);
		expect(at('2026-11-23T10:00:00.000Z', '2026-11-23T10:00:00.000Z').ok).toBe(false);
	});

	it('measures distances in kilometres', () => {
		expect(
			Math.round(distanceKm({ lat: 48.8566, lng: 2.3522 }, { lat: 45.764, lng: 4.8357 }))
		).toBe(391);
	});
});

describe('the planning grid and business hours', () => {
	it('rounds a start up to the next quarter hour, dropping seconds', () => {
		const at = Date.parse('2026-12-01T09:36:06.696Z');
		expect(new Date(snapToGrid(at)).toISOString()).toBe('2026-12-01T09:45:00.000Z');
		expect(new Date(snapToGrid(Date.parse('2026-12-01T09:45:00.000Z'))).toISOString()).toBe(
			'2026-12-01T09:45:00.000Z'
		);
		expect(new Date(snapToGrid(at, 30)).toISOString()).toBe('2026-12-01T10:00:00.000Z');
		expect(new Date(snapToGrid(at, 15, 'nearest')).toISOString()).toBe('2026-12-01T09:30:00.000Z');
	});

	it('snaps a dragged slot to the nearest line, keeping its length', () => {
		expect(
			snapSlot({ start: '2026-12-01T09:08:00.000Z', end: '2026-12-01T10:38:00.000Z' })
		).toEqual({ start: '2026-12-01T09:15:00.000Z', end: '2026-12-01T10:45:00.000Z' });
	});

	it('proposes slots on the grid even when the window starts at an odd time', () => {
		const slot = firstFreeSlot([], {
			durationMinutes: 60,
			// Monday 2026-11-23 10:36:06.696 Paris
			window: { start: '2026-11-23T09:36:06.696Z', end: '2026-11-25T15:30:00.000Z' },
			hours
		});
		expect(slot).toEqual({ start: '2026-11-23T09:45:00.000Z', end: '2026-11-23T10:45:00.000Z' });
		const coarse = firstFreeSlot([], {
			durationMinutes: 60,
			window: { start: '2026-11-23T09:36:06.696Z', end: '2026-11-25T15:30:00.000Z' },
			hours,
			slotMinutes: 30
		});
		expect(coarse?.start).toBe('2026-11-23T10:00:00.000Z');
	});

	it('finds technicians by skill whatever the case and accents, through the referential', () => {
		const catalog = [{ id: 'reseau', label: 'Réseau' }];
		const julien = aUser('julien', ['technician'], { skills: ['reseau'] });
		for (const typed of ['reseau', 'Réseau', 'RESEAU', 'réseau']) {
			expect(
				rankTechnicians(
					{ skills: [typed], durationMinutes: 60, window, hours, catalog },
					[julien],
					[],
					[]
				).map((c) => c.technicianId),
				typed
			).toEqual(['user:julien']);
		}
		const [found] = rankTechnicians(
			{ skills: ['reseau'], durationMinutes: 60, window, hours, catalog },
			[julien],
			[],
			[]
		);
		expect(found?.skills).toEqual(['reseau']);
	});

	it('says when a slot falls outside business hours (17:00–18:30 on a weekday)', () => {
		// Monday 2026-11-23, Paris UTC+1; the default hours are 08:30–16:30.
		expect(
			withinBusinessHours(
				{ start: '2026-11-23T16:00:00.000Z', end: '2026-11-23T17:30:00.000Z' },
				hours
			)
		).toBe(false);
		// Starts inside, ends after closing.
		expect(
			withinBusinessHours(
				{ start: '2026-11-23T15:00:00.000Z', end: '2026-11-23T16:00:00.000Z' },
				hours
			)
		).toBe(false);
		// Ends exactly at closing.
		expect(
			withinBusinessHours(
				{ start: '2026-11-23T14:00:00.000Z', end: '2026-11-23T15:30:00.000Z' },
				hours
			)
		).toBe(true);
		// A Saturday.
		expect(
			withinBusinessHours(
				{ start: '2026-11-28T09:00:00.000Z', end: '2026-11-28T10:00:00.000Z' },
				hours
			)
		).toBe(false);
	});
});

describe('planning a ticket again', () => {
	const ticket = { _id: 'ticket:K1', status: 'in_progress' as const };
	it('allows a ticket in progress once its mission ended unfinished or was cancelled', () => {
		expect(mayReplan(ticket, [aMission({ status: 'unfinished' })]).ok).toBe(true);
		expect(mayReplan(ticket, [aMission({ status: 'cancelled' })]).ok).toBe(true);
		expect(mayReplan(ticket, [aMission({ ticketId: 'ticket:K2', status: 'in_progress' })]).ok).toBe(
			true
		);
	});
	it('refuses while a mission of the ticket is planned or under way', () => {
		for (const status of ['planned', 'in_progress'] as const) {
			const verdict = mayReplan(ticket, [aMission({ status: 'unfinished' }), aMission({ status })]);
			expect(!verdict.ok && verdict.error.key, status).toBe('mission_active');
		}
	});
	it('leaves other statuses to the ticket rules', () => {
		expect(mayReplan({ ...ticket, status: 'planned' }, [aMission({ status: 'planned' })]).ok).toBe(
			true
		);
	});
});
