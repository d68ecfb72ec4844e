import { describe, expect, it } from 'vitest';
import { parseRefusal } from './refusals.ts';

describe('parseRefusal: what the device keeps of a server’s push answer', () => {
	it('keeps a known code and key, with the parameters that are text, numbers or lists of text', () => {
		expect(
			parseRefusal({
				id: 'ticket:K1',
				error: 'forbidden',
				reason: 'a person assigned to the ticket may not change title',
				code: 'role',
				key: 'fields_assignee',
				params: { fields: ['title'], n: 3, bad: { nested: true }, mixed: ['a', 1] }
			})
		).toEqual({
			code: 'role',
			key: 'fields_assignee',
			message: 'a person assigned to the ticket may not change title',
			params: { fields: ['title'], n: 3 }
		});
		expect(parseRefusal({ code: 'rule', key: 'level_max' })).toEqual({
			code: 'rule',
			key: 'level_max',
			message: ''
		});
	});

	it('keeps nothing from an answer without a code this version knows', () => {
		expect(parseRefusal({ error: 'forbidden', reason: 'only admins' })).toBeNull();
		expect(parseRefusal({ code: 'role', key: 'from_a_newer_server' })).toBeNull();
		expect(parseRefusal({ code: 'nonsense', key: 'level_max' })).toBeNull();
		expect(parseRefusal({ code: 'rule', key: 'level_max', params: ['x'] })).toBeNull();
		expect(parseRefusal(null)).toBeNull();
		expect(parseRefusal('forbidden')).toBeNull();
	});
});
