/**
 * What a failed fault run (fault-run.ts) prints about what went wrong: for each ticket whose
 * branches were not merged, its revision tree on every CouchDB node, the devices' copies, the
 * records of what a merge set aside and what the servers logged about it; for each notice
 * mailed more than once, each copy (Message-ID, arrival) beside the kills and the outbox's and
 * notifier's documents. Written to a file whose name the failure gives; the first lines are
 * printed too.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReceivedMail } from '../integration/notify-support.ts';
import type { AppDevice } from './app-device.ts';
import type { KillableServer } from './killable-server.ts';
import type { Json } from './sync-device.ts';

export interface DiagnosisInput {
	readonly tag: string;
	/** The CouchDB URLs to ask directly (every node of a cluster), and the database. */
	readonly couches: readonly string[];
	readonly dbName: string | null;
	readonly servers: readonly KillableServer[];
	readonly devices: readonly AppDevice[];
	/** What the run did, in order, with times (kills, restarts, node stops). */
	readonly timeline: readonly string[];
	readonly t0: number;
	/** Ticket ids whose branches the servers did not merge. */
	readonly unmerged: readonly string[];
	/** Mails of the notices that arrived more than once. */
	readonly repeated: ReadonlyArray<{ key: string; mails: readonly ReceivedMail[] }>;
	/** Documents read through the servers at the checks (id → body). */
	readonly all: ReadonlyMap<string, Json>;
}

function authOf(url: string): { base: string; headers: Record<string, string> } {
	const u = new URL(url);
	const headers: Record<string, string> = { accept: 'application/json' };
	if (u.username)
		headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
	u.username = '';
	u.password = '';
	return { base: u.toString().replace(/\/$/, ''), headers };
}

async function ask(couch: string, path: string): Promise<unknown> {
	const { base, headers } = authOf(couch);
	try {
		const res = await fetch(`${base}/${path}`, { headers, signal: AbortSignal.timeout(10_000) });
		const text = await res.text();
		try {
			return { status: res.status, body: JSON.parse(text) as unknown };
		} catch {
			return { status: res.status, text: text.slice(0, 2000) };
		}
	} catch (error) {
		return { error: String(error) };
	}
}

const headerOf = (raw: string, name: string) => {
	const head = (raw.split(/\r?\n\r?\n/, 1)[0] ?? '').replace(/\r?\n[ \t]+/g, ' ');
	return new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim() ?? '';
};

/** The server lines that name `needle`, with the server and the start they fall in. */
function logLines(servers: readonly KillableServer[], needles: readonly string[]): string[] {
	const out: string[] = [];
	servers.forEach((server, i) => {
		let start = '';
		for (const line of server.output().split('\n')) {
			if (line.startsWith('--- start')) start = line;
			if (needles.some((n) => line.includes(n))) out.push(`server ${i + 1} ${start}: ${line}`);
		}
	});
	return out;
}

/** Gathers the diagnosis, writes it to a file and returns the file's name and its first lines. */
export async function diagnose(input: DiagnosisInput): Promise<string> {
	const lines: string[] = [];
	const put = (title: string, value: unknown) =>
		lines.push(`## ${title}`, typeof value === 'string' ? value : JSON.stringify(value, null, 1));
	const at = (ms: number) => `${((ms - input.t0) / 1000).toFixed(2)} s`;
	put('timeline', input.timeline.join('\n'));
	const db = input.dbName === null ? null : encodeURIComponent(input.dbName);
	const priv = input.dbName === null ? null : encodeURIComponent(`${input.dbName}_private`);

	for (const id of input.unmerged) {
		put(`unmerged ${id}: as read through the servers`, input.all.get(id) ?? null);
		const doc = encodeURIComponent(id);
		if (db !== null)
			for (const couch of input.couches) {
				const node = new URL(couch).port;
				put(
					`${id} on node ${node}: revs_info, conflicts`,
					await ask(couch, `${db}/${doc}?revs_info=true&conflicts=true&deleted_conflicts=true`)
				);
				put(
					`${id} on node ${node}: every leaf`,
					await ask(couch, `${db}/${doc}?open_revs=all&revs=true`)
				);
			}
		if (priv !== null && input.couches[0])
			put(
				`${id}: tombstones`,
				await ask(input.couches[0], `${priv}/${encodeURIComponent(`tomb:${id}`)}`)
			);
		for (const device of input.devices) {
			const local = await device.db
				.get(id, { conflicts: true, revs: true } as PouchDB.Core.GetOptions)
				.catch((e: unknown) => String(e));
			if (typeof local !== 'string') put(`${id} on ${device.user.name}'s device`, local);
			const refused = device.refusals.filter((r) => r.id === id);
			if (refused.length > 0) put(`${id} refused to ${device.user.name}`, refused);
		}
		const events = [...input.all.values()].filter(
			(d) => d.type === 'event' && (d.ticketId === id || d.subjectId === id)
		);
		put(
			`${id}: its events`,
			events.map(
				(e) =>
					`${String(e.at)} ${String(e.kind)} ${String(e.author)} ${JSON.stringify(e.data ?? null)}`
			)
		);
		put(`${id}: server lines`, logLines(input.servers, [id]).join('\n'));
	}

	for (const { key, mails } of input.repeated) {
		put(
			`mailed ${mails.length} times: ${key}`,
			mails.map(
				(m) =>
					`${at(m.at)} to ${m.to.join(',')} Message-ID ${headerOf(m.raw, 'message-id')} Subject ${headerOf(m.raw, 'subject')}`
			)
		);
		const to = mails[0]?.to[0] ?? '';
		if (priv !== null && input.couches[0]) {
			const found = (await ask(
				input.couches[0],
				`${priv}/_all_docs?include_docs=true&conflicts=true&startkey=${encodeURIComponent('"mail:"')}&endkey=${encodeURIComponent('"mail:\ufff0"')}`
			)) as { body?: { rows?: Array<{ id: string; doc?: Json }> } };
			const ours = (found.body?.rows ?? []).filter((r) => r.doc?.to === to);
			for (const row of ours) {
				put(`mail document ${row.id}`, row.doc);
				put(
					`mail document ${row.id}: every leaf`,
					await ask(
						input.couches[0],
						`${priv}/${encodeURIComponent(row.id)}?open_revs=all&revs=true`
					)
				);
				const claimId = row.id.replace(/^mail:/, '').replace(/:[^:]*$/, '');
				put(
					`claim ${claimId}`,
					await ask(
						input.couches[0],
						`${priv}/${encodeURIComponent(claimId)}?conflicts=true&deleted_conflicts=true&revs_info=true`
					)
				);
				const subject = /^notif:(.*):\d+$/.exec(claimId)?.[1];
				if (subject) {
					put(
						`claims of ${subject}`,
						await ask(
							input.couches[0],
							`${priv}/_all_docs?include_docs=true&conflicts=true&startkey=${encodeURIComponent(JSON.stringify(`notif:${subject}:`))}&endkey=${encodeURIComponent(JSON.stringify(`notif:${subject}:\ufff0`))}`
						)
					);
				}
			}
		}
	}
	if (input.repeated.length > 0)
		put(
			'servers: outbox and notifier lines',
			logLines(input.servers, ['outbox', 'notifier']).join('\n')
		);

	const file = join(
		tmpdir(),
		`terrain-faults-${input.tag}-${Date.now().toString(36)}.diagnosis.txt`
	);
	const text = lines.join('\n');
	writeFileSync(file, text);
	return `diagnosis in ${file}:\n${text.slice(0, 6000)}`;
}
