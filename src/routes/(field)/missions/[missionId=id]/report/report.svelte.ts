// Dates here are instants passed as values and never mutated, not reactive state.
/* eslint-disable svelte/prefer-svelte-reactivity */
// The report being written on site: the draft in memory, saved to the device on every
// change, and the writes to the local PouchDB at the start and at the signatures.
import type { DeviceDb } from '#lib/data/dexie.ts';
import { newEvent } from '#lib/data/events.ts';
import type { LocalDb } from '#lib/data/local-db.ts';
import {
	assertChangeAllowed,
	closePeriod,
	newDraft,
	reportOfMission,
	sealDraft,
	type Outcome,
	type ReportDraft,
	type SignatureDraft
} from '#lib/data/reports.ts';
import { editedTechfile, techfileOf, type TechfileEdit } from '#lib/data/techfiles.ts';
import { readDoc, writeAll } from '#lib/data/docs.ts';
import { missionWithStatus } from '#lib/data/missions.ts';
import { actorOf, authorOf, userId, type Me } from '#lib/data/me.ts';
import { applyAction } from '#lib/data/ticket-actions.ts';
import type { Part } from '#lib/domain/schemas.ts';
import { mayPerform } from '#lib/domain/ticket.ts';
import { pwa } from '#lib/pwa/pwa.svelte.ts';
import {
	addPhotoRow,
	dropReportDraft,
	readReportDraft,
	removePhotoRow,
	writeReportDraft
} from './draft-store.ts';

/** Typing is saved this long after the last key; everything else at once. */
const TYPING_SAVE_MS = 150;

export class ReportState {
	#draft = $state<ReportDraft | null>(null);
	#loaded = $state(false);
	#saveError = $state<string | null>(null);
	#timer: ReturnType<typeof setTimeout> | null = null;
	#release: (() => void) | null = null;
	readonly #device: DeviceDb;
	readonly #db: LocalDb;
	readonly #user: Me;
	readonly #missionId: string;

	constructor(device: DeviceDb, db: LocalDb, user: Me, missionId: string) {
		this.#device = device;
		this.#db = db;
		this.#user = user;
		this.#missionId = missionId;
	}

	get draft(): ReportDraft | null {
		return this.#draft;
	}
	get loaded(): boolean {
		return this.#loaded;
	}
	get saveError(): string | null {
		return this.#saveError;
	}
	/** Content is frozen once the technician has signed: a change means signing again. */
	get editable(): boolean {
		return this.#draft !== null && this.#draft.signatures.technician === undefined;
	}

	async load(): Promise<void> {
		const draft = await readReportDraft(this.#device, this.#missionId);
		this.#setDraft(draft);
		this.#loaded = true;
	}

	#setDraft(draft: ReportDraft | null): void {
		this.#draft = draft;
		// An open draft holds app updates: a reload must never happen under the technician.
		if (draft && !this.#release) this.#release = pwa.hold();
		if (!draft) this.dispose();
	}

	dispose(): void {
		this.#release?.();
		this.#release = null;
	}

	/** Writes the draft now. Called on every change; typing goes through `later`. */
	async save(): Promise<void> {
		if (this.#timer) clearTimeout(this.#timer);
		this.#timer = null;
		const draft = this.#draft;
		if (!draft) return;
		try {
			draft.updatedAt = new Date().toISOString();
			await writeReportDraft(this.#device, $state.snapshot(draft) as ReportDraft);
			this.#saveError = null;
		} catch (error) {
			this.#saveError = error instanceof Error ? error.message : String(error);
		}
	}

	later(): void {
		if (this.#timer) clearTimeout(this.#timer);
		this.#timer = setTimeout(() => void this.save(), TYPING_SAVE_MS);
	}

	/** Starts work: a draft, the first period, the mission and ticket in progress. */
	async begin(now = new Date()): Promise<void> {
		if (this.#draft) return;
		const draft = newDraft(this.#missionId, now);
		draft.runningSince = draft.createdAt;
		this.#setDraft(draft);
		await this.save();
		await this.#markStarted(now);
	}

	async #markStarted(now: Date): Promise<void> {
		const mission = await readDoc(this.#db, 'mission', this.#missionId);
		if (mission && mission.status === 'planned') {
			await writeAll(this.#db, [missionWithStatus(mission, 'in_progress', now, this.#user)]);
		}
		const ticket = mission ? await readDoc(this.#db, 'ticket', mission.ticketId) : null;
		if (ticket && mayPerform(ticket, 'start', actorOf(this.#user)).ok) {
			await applyAction(this.#db, ticket, { type: 'start' }, this.#user, now);
		}
	}

	pause(now = new Date()): Promise<void> {
		return this.#edit((d) => {
			d.times = closePeriod(d, now);
			d.runningSince = null;
		});
	}
	resume(now = new Date()): Promise<void> {
		return this.#edit((d) => {
			d.runningSince = now.toISOString();
			d.finished = false;
		});
	}
	finish(now = new Date()): Promise<void> {
		return this.#edit((d) => {
			d.times = closePeriod(d, now);
			d.runningSince = null;
			d.finished = true;
		});
	}

	toggleTask(task: string): Promise<void> {
		return this.#edit((d) => {
			d.tasks = d.tasks.includes(task) ? d.tasks.filter((x) => x !== task) : [...d.tasks, task];
		});
	}
	addPart(part: Part): Promise<void> {
		return this.#edit((d) => void d.parts.push(part));
	}
	removePart(index: number): Promise<void> {
		return this.#edit((d) => void d.parts.splice(index, 1));
	}
	setOutcome(outcome: Outcome): Promise<void> {
		return this.#edit((d) => void (d.outcome = outcome));
	}
	addTechfileEdit(edit: TechfileEdit): Promise<void> {
		return this.#edit((d) => void d.techfileEdits.push(edit));
	}
	removeTechfileEdit(index: number): Promise<void> {
		return this.#edit((d) => void d.techfileEdits.splice(index, 1));
	}

	async addPhoto(blob: Blob, now = new Date()): Promise<void> {
		const draft = this.#draft;
		if (!draft || !this.editable) return;
		const taken = draft.photos.map((p) => Number(/photo-(\d+)/.exec(p.name)?.[1] ?? 0));
		const name = `photo-${String(Math.max(0, ...taken) + 1).padStart(2, '0')}.jpg`;
		const photo = { name, blob, takenAt: now.toISOString() };
		await addPhotoRow(this.#device, draft, photo);
		draft.photos.push(photo);
		await this.save();
	}

	async removePhoto(name: string): Promise<void> {
		const draft = this.#draft;
		if (!draft || !this.editable) return;
		draft.photos = draft.photos.filter((p) => p.name !== name);
		await this.save();
		await removePhotoRow(this.#device, draft, name);
	}

	/** The technician signs (or, with null, takes the signature back to edit again). */
	signAsTechnician(signature: SignatureDraft | null): Promise<void> {
		const draft = this.#draft;
		if (!draft) return Promise.resolve();
		draft.signatures.technician = signature ?? undefined;
		return this.save();
	}

	/**
	 * The client signs: the report is sealed and written with the technical-file changes, the
	 * mission done and the timeline events, all to the device's database.
	 * @throws {Error} when the report cannot be sealed or saved (the draft is kept).
	 */
	async sealWithClient(signature: SignatureDraft, now = new Date()): Promise<void> {
		const draft = this.#draft;
		if (!draft?.signatures.technician) throw new Error('the technician signs first');
		draft.signatures.client = signature;
		await this.save();
		const mission = await readDoc(this.#db, 'mission', this.#missionId);
		if (!mission) throw new Error('mission not on this device');
		const snapshot = $state.snapshot(draft) as ReportDraft;
		const { report } = await sealDraft(snapshot, mission, now);
		assertChangeAllowed(await reportOfMission(this.#db, mission._id), report);
		const by = userId(this.#user);
		const techfile = editedTechfile(
			await techfileOf(this.#db, mission.clientId),
			mission.clientId,
			snapshot.techfileEdits,
			now,
			by
		);
		const author = authorOf(this.#user);
		const events = [
			newEvent({
				subjectId: report._id,
				ticketId: mission.ticketId,
				kind: 'report_signed',
				author,
				at: now,
				data: {
					reportId: report._id,
					missionId: mission._id,
					hash: report.hash,
					technician: report.signatures.technician?.name ?? '',
					client: signature.name
				}
			})
		];
		if (snapshot.outcome === 'follow_up') {
			events.push(
				newEvent({
					subjectId: mission.ticketId,
					ticketId: mission.ticketId,
					kind: 'follow_up',
					author,
					at: now,
					body: snapshot.followUp.trim(),
					data: { reportId: report._id }
				})
			);
		}
		const done =
			mission.status === 'done' ? [] : [missionWithStatus(mission, 'done', now, this.#user)];
		await writeAll(this.#db, [report, ...(techfile ? [techfile] : []), ...done, ...events]);
		await dropReportDraft(this.#device, snapshot);
		this.#setDraft(null);
	}

	async #edit(change: (draft: ReportDraft) => void): Promise<void> {
		const draft = this.#draft;
		if (!draft || !this.editable) return;
		change(draft);
		await this.save();
	}
}
