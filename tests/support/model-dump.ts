import type { AccessModel } from '../../server/sync/model.ts';

const byKey = <T>(rows: T[], key: (row: T) => string) =>
	[...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

/**
 * Everything an access model holds and answers, in a canonical order: two models that
 * compare equal here serve the same manifests, dependents and deadlines.
 */
export function dumpModel(model: AccessModel) {
	const snap = model.snapshot();
	const docs = byKey([...snap.docs], ([id]) => id);
	const principals = [...new Set(docs.flatMap(([, s]) => s.acl.entries.map((e) => e[0])))].sort();
	const now = Date.now();
	const sources = [...new Set(docs.flatMap(([, s]) => s.acl.sources))].sort();
	return {
		windowDays: snap.windowDays,
		docs,
		missions: byKey([...snap.missions], (m) => m.id),
		grants: byKey([...snap.grants], (g) => g.id),
		tickets: byKey([...snap.tickets], ([id]) => id),
		users: byKey([...snap.users], (u) => u._id),
		escalations: byKey([...snap.escalations], ([id]) => id),
		manifests: principals.map((p) => [p, model.manifest([p], now)]),
		dependents: sources.map((id) => [id, model.dependentsOf(id).sort()]),
		deadlines: [...model.deadlinesBetween(-8.64e15, 8.64e15)].sort()
	};
}
