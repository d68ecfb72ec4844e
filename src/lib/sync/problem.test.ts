import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/http.ts';
import { problemOf } from './problem.ts';

describe('problemOf keeps codes, never the message', () => {
	it('API errors: offline, session, the document cap, other codes', () => {
		expect(problemOf(new ApiError(0, 'offline', 'Serveur injoignable'))).toEqual({
			kind: 'unreachable'
		});
		expect(problemOf(new ApiError(401, 'unauthorized', 'x'))).toEqual({ kind: 'session' });
		expect(problemOf(new ApiError(507, 'doc_cap', 'Trop de documents : 9000 pour 8000'))).toEqual({
			kind: 'cap'
		});
		// With the server's figures and role (plain values only; anything else is left out).
		expect(
			problemOf(new ApiError(507, 'doc_cap', 'x', { count: 9000, cap: 8000, role: 'technician' }))
		).toEqual({ kind: 'cap', count: 9000, cap: 8000, role: 'technician' });
		expect(problemOf(new ApiError(507, 'doc_cap', 'x', { count: '9000', cap: 8000 }))).toEqual({
			kind: 'cap'
		});
		expect(problemOf(new ApiError(503, 'sync_busy', 'Le serveur prépare vos données'))).toEqual({
			kind: 'server',
			status: 503,
			code: 'sync_busy'
		});
	});

	it('PouchDB errors: named after the server’s code; quota and network failures', () => {
		const busy = Object.assign(new Error('Le serveur prépare vos données'), {
			status: 503,
			name: 'sync_busy',
			error: 'sync_busy'
		});
		expect(problemOf(busy)).toEqual({ kind: 'server', status: 503, code: 'sync_busy' });
		expect(problemOf(Object.assign(new Error('x'), { name: 'QuotaExceededError' }))).toEqual({
			kind: 'storage'
		});
		expect(problemOf(new TypeError('Failed to fetch'))).toEqual({ kind: 'unreachable' });
		expect(problemOf(new Error('something odd'))).toEqual({ kind: 'unknown' });
	});
});
