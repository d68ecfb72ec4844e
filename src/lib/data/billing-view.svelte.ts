/**
 * The billing pages' shared reading of the device (the queue and the invoices page): whether the
 * user may see them (billing or admin), the billing data read again after each sync, and a read's
 * failure in words. Call it while a component is set up (it registers an effect).
 */
import { i18n } from '../i18n/i18n.svelte.ts';
import { describeError } from '../i18n/problems.ts';
import { sync, type SyncUser } from '../sync/sync.svelte.ts';
import { billingData, type BillingData } from './billing.ts';
import { localDb, type LocalDb } from './local-db.ts';

export interface BillingView {
	readonly allowed: boolean;
	readonly db: LocalDb;
	/** Undefined until the first read answers. */
	readonly billing: BillingData | undefined;
	readonly failed: string | null;
}

export function billingView(user: () => SyncUser): BillingView {
	const db = $derived(localDb(user().name));
	const allowed = $derived(user().roles.some((r) => r === 'billing' || r === 'admin'));
	let billing = $state.raw<BillingData | undefined>(undefined);
	let failed = $state<string | null>(null);
	let reads = 0;
	$effect(() => {
		void sync.revision;
		if (!allowed) return;
		const read = ++reads;
		billingData(db)
			.then((d) => {
				if (read === reads) billing = d;
			})
			.catch((e: unknown) => {
				if (read === reads)
					failed = i18n.t('billing.failed', { message: describeError(i18n.t, e) });
			});
	});
	return {
		get allowed() {
			return allowed;
		},
		get db() {
			return db;
		},
		get billing() {
			return billing;
		},
		get failed() {
			return failed;
		}
	};
}
