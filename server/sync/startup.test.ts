import { afterEach, describe, expect, it, vi } from 'vitest';
import { StartupClock, formatReport } from './startup.ts';

afterEach(() => {
	vi.useRealTimers();
});

describe('the start-up report of the sync service', () => {
	it('logs one line with every phase once the first manifest is answered', async () => {
		const lines: string[] = [];
		const clock = new StartupClock((line) => lines.push(line));
		await clock.time('headerMs', async () => undefined);
		clock.report.chunks = 12;
		clock.report.chunkChars = 46_500_000;
		clock.timeSync('decodeMs', () => undefined);
		clock.modelReady('checkpoint', 357_620);
		clock.applied(3);
		clock.caughtUp();
		expect(lines).toEqual([]);
		clock.applied(5); // after: not part of the catch-up
		clock.manifestAnswered();
		clock.manifestAnswered();
		clock.stop();
		expect(lines).toHaveLength(1);
		expect(clock.report.catchUpChanges).toBe(3);
		expect(clock.report.readyMs).not.toBeNull();
		expect(lines[0]).toMatch(
			/^sync: start-up from the checkpoint \(357620 documents\), connect \d+ ms, header \d+ ms, read \d+ ms \(12 chunks, 46\.5 MB\), decode \d+ ms, restore \d+ ms, catch-up \d+ ms \(3 changes\), ready \d+ ms, first manifest \d+ ms$/
		);
	});

	it('logs without the manifest when no device comes within a minute', () => {
		vi.useFakeTimers();
		const lines: string[] = [];
		const clock = new StartupClock((line) => lines.push(line));
		clock.modelReady('scan', 10);
		clock.caughtUp();
		vi.advanceTimersByTime(59_000);
		expect(lines).toEqual([]);
		vi.advanceTimersByTime(2_000);
		expect(lines).toHaveLength(1);
		expect(lines[0]).toMatch(
			/from a full scan \(10 documents\), connect \d+ ms, scan \d+ ms, .*first manifest –$/
		);
	});

	it('lets the work that can wait start after the first device, or a few seconds after catching up', async () => {
		vi.useFakeTimers();
		const served = async (clock: StartupClock) => {
			let done = false;
			void clock.whenServed().then(() => (done = true));
			await vi.advanceTimersByTimeAsync(0);
			return done;
		};
		const first = new StartupClock(() => undefined);
		expect(await served(first)).toBe(false);
		first.modelReady('checkpoint', 1);
		expect(await served(first)).toBe(false);
		first.caughtUp();
		expect(await served(first)).toBe(false);
		first.manifestAnswered();
		expect(await served(first)).toBe(true);

		const alone = new StartupClock(() => undefined);
		alone.modelReady('checkpoint', 1);
		alone.caughtUp();
		await vi.advanceTimersByTimeAsync(4_900);
		expect(await served(alone)).toBe(false);
		await vi.advanceTimersByTimeAsync(200);
		expect(await served(alone)).toBe(true);
		alone.stop();
	});

	it('rounds the phases and names a missing one', () => {
		const line = formatReport({
			from: 'checkpoint',
			docs: 42,
			connectMs: 120.4,
			headerMs: 8.6,
			readMs: 900,
			chunks: 3,
			chunkChars: 9_000_000,
			decodeMs: 700.2,
			restoreMs: 400,
			scanMs: 0,
			catchUpMs: 30,
			catchUpChanges: 0,
			readyMs: 2100,
			firstManifestMs: null
		});
		expect(line).toBe(
			'from the checkpoint (42 documents), connect 120 ms, header 9 ms, read 900 ms (3 chunks, 9.0 MB), decode 700 ms, restore 400 ms, catch-up 30 ms (0 changes), ready 2100 ms, first manifest –'
		);
	});
});
