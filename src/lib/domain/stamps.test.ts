import { describe, expect, it } from 'vitest';
import { canonical, checkStamps, registerKeys, registerValue, stampOf, touch } from './stamps.ts';
import { aMission, aTechfile, aTicket, at } from './testing/factories.ts';

describe('canonical', () => {
	it('sorts keys and drops undefined members, so equal values give equal text', () => {
		expect(canonical({ b: 1, a: [1, { d: undefined, c: 'x' }] })).toBe('{"a":[1,{"c":"x"}],"b":1}');
		expect(canonical([undefined])).toBe('[null]');
		expect(canonical(undefined)).toBe('');
		expect(canonical(null)).toBe('null');
	});
});

describe('registers', () => {
	it('cuts a ticket into groups, fields and list entities', () => {
		const t = aTicket({ links: [{ kind: 'related', ticketId: 'ticket:K2' }] });
		expect(registerKeys(t)).toEqual(
			expect.arrayContaining([
				'state',
				'classification',
				'priority',
				'created',
				'title',
				'links/related ticket:K2'
			])
		);
		expect(registerKeys(t)).not.toContain('updatedAt');
		expect(registerValue(t, 'state')).toEqual({ status: 'new', assignees: [], preTicket: false });
		expect(registerValue(t, 'links/related ticket:K2')).toEqual({
			kind: 'related',
			ticketId: 'ticket:K2'
		});
		expect(registerValue(t, 'links/related ticket:K3')).toBeUndefined();
	});

	it('a register without a stamp dates from creation; an unknown entity has no stamp', () => {
		const f = aTechfile();
		expect(stampOf(f, 'notes')).toEqual({ at: f.createdAt, by: f.createdBy });
		expect(stampOf(f, 'equipment/e1')).toEqual({ at: f.createdAt, by: f.createdBy });
		expect(stampOf(f, 'equipment/zz')).toBeNull();
	});
});

describe('touch', () => {
	it('fills the creation fields of a new document', () => {
		const m = touch(
			null,
			aMission({ stamps: { slot: { at: at(1), by: 'x' } } }),
			at(3),
			'user:dina'
		);
		expect(m).toMatchObject({
			createdAt: at(3),
			createdBy: 'user:dina',
			updatedAt: at(3),
			updatedBy: 'user:dina'
		});
		expect(m.stamps).toBeUndefined();
	});

	it('stamps only what changed, remembering what it replaced', () => {
		const before = aTechfile();
		const after = touch(
			before,
			{ ...before, notes: 'Baie au sous-sol', equipment: [] },
			at(10),
			'user:theo'
		);
		expect(after.stamps).toEqual({
			notes: { at: at(10), by: 'user:theo', prev: { at: before.createdAt, by: before.createdBy } },
			'equipment/e1': {
				at: at(10),
				by: 'user:theo',
				prev: { at: before.createdAt, by: before.createdBy }
			}
		});
		const again = touch(
			after,
			{ ...after, equipment: [{ id: 'e9', kind: 'nas', label: 'NAS' }] },
			at(20),
			'user:eric'
		);
		expect(again.stamps?.notes).toEqual(after.stamps?.notes);
		expect(again.stamps?.['equipment/e9']).toEqual({ at: at(20), by: 'user:eric' });
	});

	it('never stamps backwards when the device clock lags', () => {
		const before = aTechfile({ updatedAt: at(100) });
		const after = touch(before, { ...before, notes: 'x' }, at(50), 'user:theo');
		expect(Date.parse(after.updatedAt)).toBe(Date.parse(at(100)) + 1);
		expect(after.stamps?.notes?.at).toBe(after.updatedAt);
	});
});

describe('checkStamps', () => {
	it('accepts saves made through touch and refuses changes without a newer stamp', () => {
		const before = aTechfile();
		const good = touch(before, { ...before, notes: 'x' }, at(10), 'user:theo');
		expect(checkStamps(before, good)).toEqual({ ok: true, value: true });
		expect(checkStamps(before, { ...before, notes: 'x', updatedAt: at(10) })).toEqual({
			ok: false,
			error: 'techfile.notes: changed without a newer stamp (save through touch())'
		});
		expect(
			checkStamps(good, {
				...good,
				equipment: [...good.equipment, { id: 'e2', kind: 'nas', label: 'NAS' }]
			})
		).toMatchObject({ ok: true });
		const removedSilently = { ...good, equipment: [] };
		expect(checkStamps(good, removedSilently).ok).toBe(false);
	});
});
