/**
 * A technician's device in Node running the app's own code: its data functions for the work
 * offline (src/lib/data: ticket actions with their events, the sealed report, the mission
 * done) and its sync (src/lib/sync: pull with the ledger, local conflict merge, push with
 * PouchDB's replicator filtered as the app does), in the order SyncService runs them. Only
 * what needs a browser is replaced: the local database is PouchDB's memory adapter, the
 * ledger has no Dexie behind it, requests carry the session cookie explicitly.
 */
import { randomBytes } from 'node:crypto';
import { toIso } from '../../src/lib/domain/ids.ts';
import type { MissionDoc, TicketDoc } from '../../src/lib/domain/schemas.ts';
import { touch } from '../../src/lib/domain/stamps.ts';
import { newEvent } from '../../src/lib/data/events.ts';
import type { LocalDb } from '../../src/lib/data/local-db.ts';
import { newDraft, sealDraft } from '../../src/lib/data/reports.ts';
import { readDoc, writeAll } from '../../src/lib/data/docs.ts';
import { authorOf, type Me } from '../../src/lib/data/me.ts';
import { missionWithStatus } from '../../src/lib/data/missions.ts';
import { applyAction } from '../../src/lib/data/ticket-actions.ts';
import { resolveConflicts } from '../../src/lib/sync/conflicts.ts';
import { Ledger } from '../../src/lib/sync/ledger.ts';
import { pendingChanges, pendingIds } from '../../src/lib/sync/local.ts';
import type { Manifest } from '../../src/lib/sync/plan.ts';
import { pull, type BulkGetResult, type PullTransport } from '../../src/lib/sync/pull.ts';
import { push } from '../../src/lib/sync/push.ts';
import { devicePouch, PASSWORD } from './sync-device.ts';

/** One request's longest wait: a cut connection fails fast, a dead server may not. */
const REQUEST_TIMEOUT_MS = 20_000;

export class SyncError extends Error {
	readonly status: number;
	constructor(status: number, message: string) {
		super(message);
		this.status = status;
	}
}

function withTimeout(signal: AbortSignal | null | undefined): AbortSignal {
	const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
	return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

/** A small PNG-looking image, different for each signature (only its bytes are hashed). */
function signatureImage(): Blob {
	const header = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
	const body = new Uint8Array(randomBytes(200 + Math.floor(Math.random() * 800)));
	return new Blob([header, body], {
		type: 'image/png'
	});
}

export interface SyncRun {
	readonly pulled: number;
	readonly pushed: number;
	readonly refused: ReadonlyArray<{ id: string; reason: string }>;
}

export class AppDevice {
	readonly user: Me;
	readonly db: LocalDb;
	readonly ledger = new Ledger();
	/** The server (or the proxy in front of it). */
	base: string;
	cookie = '';
	#mergedOnce = false;
	readonly refusals: Array<{ id: string; reason: string }> = [];

	constructor(base: string, user: Me) {
		this.base = base;
		this.user = user;
		this.db = new (devicePouch())<Record<string, unknown>>(
			`app-${user.name}-${randomBytes(4).toString('hex')}`,
			{ adapter: 'memory' }
		) as unknown as LocalDb;
	}

	async #fetch(path: string, init: RequestInit = {}): Promise<Response> {
		const headers = new Headers(init.headers);
		if (this.cookie) headers.set('cookie', this.cookie);
		const res = await fetch(this.base + path, {
			...init,
			headers,
			signal: withTimeout(init.signal)
		});
		const setCookie = res.headers.get('set-cookie');
		if (setCookie) this.cookie = setCookie.split(';')[0] ?? '';
		return res;
	}

	async signIn(): Promise<void> {
		const res = await this.#fetch('/api/session', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ name: this.user.name, password: PASSWORD })
		});
		await res.text();
		if (res.status !== 200) throw new SyncError(res.status, `sign-in: ${res.status}`);
	}

	/** A JSON call of the pull, signing in again when the session is not there. */
	async #json<T>(path: string, body?: unknown): Promise<T> {
		const call = () =>
			this.#fetch(path, {
				method: body === undefined ? 'GET' : 'POST',
				headers: body === undefined ? {} : { 'content-type': 'application/json' },
				body: body === undefined ? null : JSON.stringify(body)
			});
		let res = await call();
		if (res.status === 401) {
			await res.text();
			await this.signIn();
			res = await call();
		}
		const text = await res.text();
		if (res.status !== 200) throw new SyncError(res.status, `${path}: ${res.status} ${text}`);
		return JSON.parse(text) as T;
	}

	readonly transport: PullTransport = {
		manifest: (written = []) =>
			this.#json<Manifest>('/api/sync/manifest', written.length > 0 ? { written } : undefined),
		bulkGet: (docs) => this.#json<BulkGetResult>('/api/sync/bulk_get', { docs })
	};

	/** The server's push endpoint as the replicator sees it (remote-db.ts, with the cookie). */
	remote(): LocalDb {
		return new (devicePouch())<Record<string, unknown>>(`${this.base}/api/sync/db`, {
			adapter: 'http',
			skip_setup: true,
			fetch: (url, opts) =>
				this.#fetch(String(url).slice(this.base.length), {
					...opts,
					signal: withTimeout(opts?.signal)
				})
		}) as unknown as LocalDb;
	}

	/** One full run as SyncService.#run does it: pull, local merge, push, push position. */
	async sync(): Promise<SyncRun> {
		if (!this.cookie) await this.signIn();
		const pending = new Set(await pendingIds(this.db, this.ledger.pushedSeq, this.ledger));
		// As the app: after a cut pull, the next run merges every stored conflict.
		const mergeAll = !this.#mergedOnce;
		this.#mergedOnce = false;
		const pulled = await pull(this.db, this.ledger, this.transport, pending, () => undefined);
		await resolveConflicts(this.db, mergeAll ? null : pulled.fetched, `user:${this.user.name}`);
		this.#mergedOnce = true;
		const changes = await pendingChanges(this.db, this.ledger.pushedSeq, this.ledger);
		let pushed = 0;
		let refused: Array<{ id: string; reason: string }> = [];
		let lastSeq = changes.lastSeq;
		if (changes.ids.length > 0) {
			const outcome = await push(this.db, this.remote(), this.ledger);
			pushed = outcome.written;
			refused = outcome.refused;
			lastSeq = outcome.lastSeq;
		}
		await this.ledger.pushed(lastSeq);
		this.refusals.push(...refused);
		return { pulled: pulled.fetched.length, pushed, refused };
	}

	/** Ids changed here that the server does not have yet (what sign-out would warn about). */
	pending(): Promise<string[]> {
		return pendingIds(this.db, this.ledger.pushedSeq, this.ledger);
	}

	/** Every live document on the device, id → winning revision. */
	async held(): Promise<Map<string, string>> {
		const { rows } = await this.db.allDocs();
		return new Map(
			rows.filter((r) => !r.id.startsWith('_')).map((r) => [r.id, r.value.rev] as const)
		);
	}

	/**
	 * Works one mission as the app does, offline: the ticket started (with its event) and the
	 * mission in progress; the report written, signed by both and sealed, stored with the
	 * mission done and the `report_signed` event; the ticket closed (with its event).
	 */
	async workMission(missionId: string): Promise<void> {
		const user = this.user;
		const mission = await readDoc(this.db, 'mission', missionId);
		if (!mission) throw new Error(`${missionId} is not on ${user.name}'s device`);
		const ticket = await this.#ticket(mission);
		const started = await applyAction(this.db, ticket, { type: 'start' }, user, new Date());
		if (!started.ok) throw new Error(`start ${ticket._id}: ${started.error.message}`);
		await writeAll(this.db, [missionWithStatus(mission, 'in_progress', new Date(), user)]);

		const now = new Date();
		const draft = newDraft(missionId, new Date(now.getTime() - 3_600_000));
		draft.times = [{ start: toIso(now.getTime() - 3_600_000), end: toIso(now.getTime() - 60_000) }];
		draft.finished = true;
		draft.tasks = ['Diagnostic', `Intervention ${missionId}`];
		draft.remarks = 'RAS';
		draft.signatures = {
			technician: {
				name: user.displayName,
				at: toIso(now.getTime() - 30_000),
				png: signatureImage()
			},
			client: { name: 'Marie Durand', at: toIso(now), png: signatureImage() }
		};
		const current = (await readDoc(this.db, 'mission', missionId)) as MissionDoc;
		const { report } = await sealDraft(draft, current, now);
		// In the browser attachments are Blobs; Node's PouchDB takes them as base64.
		const attachments: Record<string, { content_type: string; data: string }> = {};
		for (const [name, a] of Object.entries(report._attachments ?? {})) {
			const blob = (a as { data: Blob; content_type: string }).data;
			attachments[name] = {
				content_type: (a as { content_type: string }).content_type,
				data: Buffer.from(await blob.arrayBuffer()).toString('base64')
			};
		}
		const event = newEvent({
			subjectId: report._id,
			ticketId: current.ticketId,
			kind: 'report_signed',
			author: authorOf(user),
			at: now,
			data: {
				reportId: report._id,
				missionId,
				hash: report.hash,
				technician: user.displayName,
				client: 'Marie Durand'
			}
		});
		await writeAll(this.db, [
			{ ...report, _attachments: attachments },
			missionWithStatus(current, 'done', now, user),
			event
		]);

		const closed = await applyAction(
			this.db,
			await this.#ticket(current),
			{ type: 'close', solution: 'Réparé sur place', reportId: report._id },
			user,
			new Date()
		);
		if (!closed.ok) throw new Error(`close ${ticket._id}: ${closed.error.message}`);
	}

	/** A desk edit made offline: the ticket's title, stamped as the app stamps edits. */
	async retitle(ticketId: string, title: string): Promise<void> {
		const ticket = await readDoc(this.db, 'ticket', ticketId);
		if (!ticket) throw new Error(`${ticketId} is not on ${this.user.name}'s device`);
		await writeAll(this.db, [
			touch(ticket, { ...ticket, title }, new Date(), `user:${this.user.name}`)
		]);
	}

	async #ticket(mission: MissionDoc): Promise<TicketDoc> {
		const ticket = await readDoc(this.db, 'ticket', mission.ticketId);
		if (!ticket) throw new Error(`${mission.ticketId} is not on ${this.user.name}'s device`);
		return ticket;
	}
}
