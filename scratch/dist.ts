import { generateDemo } from '/work/main/server/demo/generate.ts';
const scale = Number(process.argv[2] ?? 1);
const now = new Date();
const d = generateDemo({ seed: 1, scale, now }) as any;
const docs: any[] = d.docs ?? d.all ?? Object.values(d).flat();
const byType: Record<string, number> = {};
for (const x of docs) byType[x.type] = (byType[x.type] ?? 0) + 1;
console.log('total', docs.length, byType);
const tickets = docs.filter((x) => x.type === 'ticket');
const ended = (t: any) => t.closure?.at ?? t.cancellation?.at;
const open = tickets.filter((t) => !ended(t));
const events = docs.filter((x) => x.type === 'event');
const evBy = new Map<string, number>();
for (const e of events) evBy.set(e.subjectId, (evBy.get(e.subjectId) ?? 0) + 1);
const DAY = 86400000;
const within = (n: number) => tickets.filter((t) => ended(t) && now.getTime() - Date.parse(ended(t)) < n * DAY);
const evOf = (ts: any[]) => ts.reduce((s, t) => s + (evBy.get(t._id) ?? 0), 0);
console.log('open', open.length, 'events of open', evOf(open));
for (const n of [3, 7, 14, 30]) { const w = within(n); console.log('closed <', n, 'd', w.length, 'events', evOf(w)); }
const status: Record<string, number> = {};
for (const t of tickets) status[t.status] = (status[t.status] ?? 0) + 1;
console.log(status);
const evSubj: Record<string, number> = {};
for (const e of events) { const k = e.subjectId.split(':')[0]; evSubj[k] = (evSubj[k] ?? 0) + 1; }
console.log('event subjects', evSubj);
const openIds = new Set(open.map((t) => t._id));
const kinds: Record<string, number> = {};
for (const e of events) if (openIds.has(e.subjectId)) { const k = e.kind + (e._id.startsWith('event:sla') ? '(sla)' : '') + (e._id.startsWith('event:number') ? '(num)' : ''); kinds[k] = (kinds[k] ?? 0) + 1; }
console.log(kinds);
const users = docs.filter((x) => x.type === 'user');
console.log(users.map((u) => u._id + ' ' + u.roles.join(',') + ' ' + u.groups.join(',')).join('\n'));
const g: Record<string, number> = {}; for (const t of open) g[t.group ?? '-'] = (g[t.group ?? '-'] ?? 0) + 1; console.log(g);
