import { describe, expect, it } from 'vitest';
import {
	aClient,
	aMission,
	aReport,
	aSignedReport,
	aTechfile,
	T0
} from '../domain/testing/factories.ts';
import type { EventDoc } from '../domain/schemas.ts';
import { clientRows, filterClients, folded, interventionsOf, techfileHistory } from './clients.ts';

const oree = aClient({
	_id: 'client:OREE',
	name: 'Orée & Associés',
	contacts: [{ id: 'k1', name: 'Élodie Marchand', phone: '02 40 12 34 56', email: 'e.m@oree.fr' }],
	sites: [{ id: 's1', address: '3 quai de la Fosse', city: 'Nantes', postcode: '44000' }]
});
const bio = aClient({
	_id: 'client:BIO',
	name: 'Biocoop Rezé',
	contract: { kind: 'none' },
	contacts: [],
	sites: [{ id: 's1', address: '1 rue Jean Jaurès', city: 'Rezé', postcode: '44400' }]
});

describe('the client directory', () => {
	const rows = clientRows(
		[oree, bio],
		[
			{ clientId: 'client:OREE', status: 'in_progress' },
			{ clientId: 'client:OREE', status: 'closed' },
			{ clientId: 'client:BIO', status: 'cancelled' }
		]
	);

	it('lists clients by name, with contract, cities and open tickets', () => {
		expect(rows.map((r) => [r.name, r.contract, r.cities, r.openTickets])).toEqual([
			['Biocoop Rezé', 'none', ['Rezé'], 0],
			['Orée & Associés', 'managed', ['Nantes'], 1]
		]);
	});

	it('finds a client by name, contact, phone (with or without spaces), e-mail or city, accents aside', () => {
		const ids = (q: string, contract: '' | 'managed' | 'none' = '') =>
			filterClients(rows, q, contract).map((r) => r.id);
		expect(ids('oree')).toEqual(['client:OREE']);
		expect(ids('elodie')).toEqual(['client:OREE']);
		expect(ids('0240123456')).toEqual(['client:OREE']);
		expect(ids('oree.fr')).toEqual(['client:OREE']);
		expect(ids('reze')).toEqual(['client:BIO']);
		expect(ids('44')).toEqual(['client:BIO', 'client:OREE']);
		expect(ids('44', 'none')).toEqual(['client:BIO']);
		expect(ids('nantes biocoop')).toEqual([]);
		expect(ids('')).toEqual(['client:BIO', 'client:OREE']);
		expect(folded('Élodie ÉTÉ')).toBe('elodie ete');
	});
});

describe('the technical file’s history', () => {
	it('lists what reports changed, the reveals and the last edit, newest first', () => {
		const file = aTechfile({ updatedAt: '2026-03-10T09:00:00.000Z', updatedBy: 'user:dina' });
		const reveal = {
			_id: 'event:E1',
			type: 'event',
			subjectId: file._id,
			kind: 'credential_reveal',
			author: 'user:claire',
			at: '2026-03-12T10:00:00.000Z',
			data: { credentialId: 'c1', label: 'Admin SRV-01' }
		} as unknown as EventDoc;
		const other = { ...reveal, _id: 'event:E2', subjectId: 'techfile:OTHER' } as EventDoc;
		const history = techfileHistory(
			file,
			[aSignedReport({ signedAt: '2026-03-11T15:00:00.000Z' }), aReport({ _id: 'report:R2', techfileChanges: [] })],
			[reveal, other]
		);
		expect(history).toEqual([
			{ at: '2026-03-12T10:00:00.000Z', by: 'user:claire', kind: 'reveal', summary: 'Admin SRV-01' },
			{
				at: '2026-03-11T15:00:00.000Z',
				by: 'user:theo',
				kind: 'report',
				summary: 'Nouveau switch GS724',
				section: 'equipment',
				action: 'added',
				reportId: 'report:R1'
			},
			{ at: '2026-03-10T09:00:00.000Z', by: 'user:dina', kind: 'edit', summary: '' }
		]);
	});

	it('lists a desk edit by its lines, under its author, instead of a bare "last edit"', () => {
		const at = '2026-03-13T08:00:00.000Z';
		const file = aTechfile({ updatedAt: at, updatedBy: 'user:dina' });
		const change = {
			_id: 'event:E3',
			type: 'event',
			subjectId: file._id,
			kind: 'techfile_change',
			author: 'user:dina',
			at,
			data: {
				changes: [
					{ section: 'equipment', action: 'added', summary: 'Switch GS724 ajouté' },
					{ section: 'network', action: 'changed', summary: 'VLAN 20 modifié' }
				]
			}
		} as unknown as EventDoc;
		expect(techfileHistory(file, [], [change])).toEqual([
			{
				at,
				by: 'user:dina',
				kind: 'desk',
				summary: 'Switch GS724 ajouté',
				section: 'equipment',
				action: 'added'
			},
			{
				at,
				by: 'user:dina',
				kind: 'desk',
				summary: 'VLAN 20 modifié',
				section: 'network',
				action: 'changed'
			}
		]);
	});

	it('says nothing of a file never changed since it was made, when something else happened', () => {
		const file = aTechfile({ createdAt: T0, updatedAt: T0 });
		expect(techfileHistory(file, [aSignedReport()], []).map((e) => e.kind)).toEqual(['report']);
		expect(techfileHistory(null, [], [])).toEqual([]);
	});
});

describe('a client’s interventions', () => {
	it('past ones newest first with their report; planned ones still to come apart, soonest first', () => {
		const now = new Date('2025-03-10T12:00:00.000Z');
		const done = aMission({ _id: 'mission:DONE', start: '2025-03-04T08:00:00.000Z', status: 'done' });
		const ended = aMission({ _id: 'mission:OLD', start: '2025-03-01T08:00:00.000Z', status: 'unfinished' });
		const late = aMission({ _id: 'mission:LATE', start: '2025-03-09T08:00:00.000Z', status: 'planned' });
		const next = aMission({ _id: 'mission:NEXT', start: '2025-03-12T08:00:00.000Z', status: 'planned' });
		const soon = aMission({ _id: 'mission:SOON', start: '2025-03-11T08:00:00.000Z', status: 'planned' });
		const report = aReport({ _id: 'report:R1', missionId: 'mission:DONE' });
		const split = interventionsOf([ended, next, done, soon, late], [report], now);
		expect(split.interventions.map((i) => [i.mission._id, i.report?._id ?? null])).toEqual([
			['mission:LATE', null],
			['mission:DONE', 'report:R1'],
			['mission:OLD', null]
		]);
		expect(split.upcoming.map((m) => m._id)).toEqual(['mission:SOON', 'mission:NEXT']);
	});
});
