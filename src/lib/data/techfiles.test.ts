import { describe, expect, it } from 'vitest';
import { parseTechfile } from '../domain/schemas.ts';
import { aTechfile, at } from '../domain/testing/factories.ts';
import { applyEdits, changesOf, editedTechfile, type TechfileEdit } from './techfiles.ts';

const added: TechfileEdit = {
	section: 'equipment',
	action: 'added',
	item: { id: 'sw-1', kind: 'switch', label: 'SW-01' },
	summary: 'Matériel ajouté : SW-01'
};
const renamed: TechfileEdit = {
	...added,
	action: 'changed',
	item: { ...added.item, label: 'SW-01-bis' },
	summary: 'Matériel modifié : SW-01-bis'
};
const lan: TechfileEdit = {
	section: 'network',
	action: 'changed',
	item: { id: 'n1', label: 'LAN', cidr: '192.168.2.0/24' },
	summary: 'Réseau modifié : LAN'
};

describe('technical-file edits from a report', () => {
	it('adds and replaces items by id, in order', () => {
		const file = applyEdits(aTechfile(), [added, renamed, lan]);
		expect(file.equipment.map((e) => e.label)).toEqual(['SRV-01', 'SW-01-bis']);
		expect(file.network.ranges).toEqual([{ id: 'n1', label: 'LAN', cidr: '192.168.2.0/24' }]);
	});

	it('records one change per item, added when it was new in this visit', () => {
		expect(changesOf([added, renamed, lan])).toEqual([
			{ section: 'equipment', action: 'added', itemId: 'sw-1', summary: 'Matériel modifié : SW-01-bis' },
			{ section: 'network', action: 'changed', itemId: 'n1', summary: 'Réseau modifié : LAN' }
		]);
	});

	it('stamps the saved file so a merge keeps the technician’s change', () => {
		const before = aTechfile();
		const after = editedTechfile(before, before.clientId, [added], new Date(at(60)), 'user:theo');
		expect(after && parseTechfile(after).ok).toBe(true);
		expect(after?.updatedBy).toBe('user:theo');
		expect(after?.stamps?.['equipment/sw-1']?.by).toBe('user:theo');
	});

	it('creates the file of a client that had none, and saves nothing without edits', () => {
		const created = editedTechfile(null, 'client:C9', [lan], new Date(at(0)), 'user:theo');
		expect(created?._id).toBe('techfile:C9');
		expect(created?.createdBy).toBe('user:theo');
		expect(editedTechfile(aTechfile(), 'client:C1', [], new Date(at(0)), 'user:theo')).toBeNull();
	});
});
