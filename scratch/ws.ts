import { generateDemo } from '../server/demo/generate.ts';
import { AccessModel } from '../server/sync/model.ts';
import { aclFor } from '../server/sync/acl.ts';
import { userHolds, DEFAULT_WORKING_SET_DAYS } from '../src/lib/domain/working-set.ts';
const scale = Number(process.argv[2] ?? 1);
const now = new Date();
const { docs } = generateDemo({ seed: 1, scale, now }) as any;
const t0 = performance.now();
const model = new AccessModel(7);
for (const d of docs) if (['mission', 'grant', 'ticket', 'user'].includes(d.type) || d._id.startsWith('event:sla:')) model.noteFacts(d._id, d);
for (const d of [...docs.filter((d: any) => d.type !== 'event'), ...docs.filter((d: any) => d.type === 'event')]) model.set(d._id, { rev: '1-a', acl: aclFor(d, model) });
console.log('model built', Math.round(performance.now() - t0), 'ms', docs.length, 'docs');
const users = docs.filter((d: any) => d.type === 'user');
const seen = new Set<string>();
for (const u of users) {
  const key = u.roles.join(',') + '/' + u.groups.join(',');
  if (seen.has(key)) continue; seen.add(key);
  const held = model.principalsOf(u);
  const all = model.manifest(held, now.getTime()).length;
  const holds = userHolds(u);
  const ws = holds ? model.manifest(held, now.getTime(), { holds: new Set(holds), days: DEFAULT_WORKING_SET_DAYS, pinned: new Set() }).length : all;
  console.log(u._id, key, 'reads', all, 'holds', ws);
}
for (const login of ['user:claire.hotline', 'user:romain.expert']) {
  const u = users.find((x: any) => x._id === login);
  const m = model.manifest(model.principalsOf(u), now.getTime(), { holds: new Set(userHolds(u)!), days: DEFAULT_WORKING_SET_DAYS, pinned: new Set() });
  const byType: Record<string, number> = {};
  const byId = new Map(docs.map((d: any) => [d._id, d]));
  for (const [id] of m) { const d: any = byId.get(id); const k = d.type === 'event' ? 'event:' + d.kind + ':' + d.subjectId.split(':')[0] : d.type + (d.type === 'ticket' ? ':' + (d.closure || d.cancellation ? 'ended' : 'open') : ''); byType[k] = (byType[k] ?? 0) + 1; }
  console.log(login, Object.entries(byType).sort((a, b) => b[1] - a[1]));
}
