import { describe, expect, it } from 'vitest';
import { isLocked, verifyReport } from '../domain/report-hash.ts';
import { parseReport } from '../domain/schemas.ts';
import { aMission, at } from '../domain/testing/factories.ts';
import {
	assertChangeAllowed,
	closePeriod,
	missingForSignature,
	newDraft,
	sealDraft,
	workedMinutes,
	type ReportDraft
} from './reports.ts';

// A 1×1 PNG: the smallest real signature image.
const PNG = Uint8Array.from(
	atob(
		'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='
	),
	(c) => c.charCodeAt(0)
);
const png = () => new Blob([PNG], { type: 'image/png' });

function signedDraft(): ReportDraft {
	const draft = newDraft('mission:M1', new Date(at(0)));
	draft.times = [{ start: at(0), end: at(45) }];
	draft.finished = true;
	draft.tasks = ['Diagnostic de la panne', '  '];
	draft.parts = [{ label: 'Câble RJ45', qty: 2 }];
	draft.photos = [{ name: 'photo-01.jpg', blob: new Blob(['jpeg'], { type: 'image/jpeg' }), takenAt: at(5) }];
	draft.techfileEdits = [
		{
			section: 'equipment',
			action: 'added',
			item: { id: 'sw-1', kind: 'switch', label: 'SW-01' },
			summary: 'Matériel ajouté : SW-01'
		}
	];
	draft.signatures = {
		technician: { name: 'Julien Moreau', at: at(46), png: png() },
		client: { name: 'Aurélie Benali', at: at(47), png: png() }
	};
	return draft;
}

describe('work periods', () => {
	it('counts closed periods and the running one', () => {
		const draft = { times: [{ start: at(0), end: at(30) }], runningSince: at(40) };
		expect(workedMinutes(draft, new Date(at(55)))).toBe(45);
	});

	it('closes the running period, and drops one shorter than a second', () => {
		const draft = newDraft('mission:M1', new Date(at(0)));
		draft.runningSince = at(0);
		expect(closePeriod(draft, new Date(at(20)))).toEqual([{ start: at(0), end: at(20) }]);
		expect(closePeriod(draft, new Date(Date.parse(at(0)) + 400))).toEqual([]);
	});

	it('says what is missing before signatures', () => {
		const draft = newDraft('mission:M1', new Date(at(0)));
		draft.outcome = 'follow_up';
		expect(missingForSignature(draft)).toEqual(['times', 'tasks', 'followUp']);
		expect(missingForSignature(signedDraft())).toEqual([]);
	});
});

describe('sealing a report', () => {
	it('gives a valid, locked report whose hash verifies with both signature images', async () => {
		const { report, images } = await sealDraft(signedDraft(), aMission({ _id: 'mission:M1' }), new Date(at(48)));
		expect(parseReport(report).ok).toBe(true);
		expect(isLocked(report)).toBe(true);
		expect(report.tasks).toEqual(['Diagnostic de la panne']);
		expect(report.signedAt).toBe(at(47));
		expect(Object.keys(report._attachments ?? {}).sort()).toEqual([
			'photo-01.jpg',
			'signature-client.png',
			'signature-technician.png'
		]);
		expect(report.techfileChanges).toEqual([
			{ section: 'equipment', action: 'added', itemId: 'sw-1', summary: 'Matériel ajouté : SW-01' }
		]);
		expect(await verifyReport(report, images)).toEqual({ ok: true });
		// Stored attachments come back as stubs: the hash still verifies.
		const stubs = Object.fromEntries(
			Object.entries(report._attachments ?? {}).map(([n, a]) => [n, { content_type: a.content_type, stub: true, digest: 'md5-x' }])
		);
		expect(await verifyReport({ ...report, _rev: '2-x', _attachments: stubs }, images)).toEqual({ ok: true });
	});

	it('refuses to seal without both signatures', async () => {
		const draft = signedDraft();
		draft.signatures.client = undefined;
		await expect(sealDraft(draft, aMission(), new Date(at(48)))).rejects.toThrow(/both signatures/);
	});

	it('refuses any change to a sealed report on the device', async () => {
		const { report } = await sealDraft(signedDraft(), aMission({ _id: 'mission:M1' }), new Date(at(48)));
		expect(() => assertChangeAllowed(report, { ...report, remarks: 'ajouté après coup' })).toThrow(
			/can no longer be changed/
		);
		expect(() => assertChangeAllowed(report, { ...report, access: ['role:admin'] })).not.toThrow();
	});
});
