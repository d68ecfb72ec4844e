import { describe, expect, it } from 'vitest';
import { classificationLabel, findCategory, routingGroup, routingGroups } from './taxonomy.ts';
import { taxonomy } from './testing/factories.ts';

describe('routing by category', () => {
	it("routes by the category's group, unless the sub-category names its own", () => {
		expect(routingGroup(taxonomy, 'network')).toEqual({ ok: true, value: 'network' });
		expect(routingGroup(taxonomy, 'network', 'wifi')).toEqual({ ok: true, value: 'network' });
		expect(routingGroup(taxonomy, 'network', 'vpn')).toEqual({ ok: true, value: 'security' });
	});

	it('says which part of the classification is unknown', () => {
		expect(routingGroup(taxonomy, 'coffee')).toEqual({
			ok: false,
			error: 'unknown category "coffee"'
		});
		expect(routingGroup(taxonomy, 'network', 'printer')).toEqual({
			ok: false,
			error: 'unknown sub-category "printer" in category "network"'
		});
	});

	it('lists groups and labels', () => {
		expect(routingGroups(taxonomy)).toEqual(['desktop', 'network', 'security']);
		expect(classificationLabel(taxonomy, 'workstation', 'printer')).toBe(
			'Poste de travail › Imprimante'
		);
		expect(classificationLabel(taxonomy, 'workstation')).toBe('Poste de travail');
		expect(classificationLabel(taxonomy, 'gone')).toBe('gone');
		expect(findCategory(taxonomy, 'network')?.label).toBe('Réseau');
	});
});
