import { fr, type MessageKey } from './messages.ts';

export type Locale = 'fr' | 'en';
type Dictionary = Record<MessageKey, string>;
const STORAGE_KEY = 'terrain.locale';

/**
 * The UI language: French unless the user picked English on this device. French ships with
 * the app; English is fetched when first chosen (French shows meanwhile), so a phone never
 * downloads strings it does not use.
 */
class I18n {
	#locale = $state<Locale>(readStored());
	#en = $state.raw<Dictionary | null>(null);

	constructor() {
		if (this.#locale === 'en') void this.#loadEnglish();
	}

	get locale(): Locale {
		return this.#locale;
	}

	set locale(value: Locale) {
		this.#locale = value;
		try {
			localStorage.setItem(STORAGE_KEY, value);
		} catch {
			// Storage can be unavailable (private mode): the choice lasts for this visit.
		}
		if (typeof document !== 'undefined') document.documentElement.lang = value;
		if (value === 'en') void this.#loadEnglish();
	}

	/** Resolves once the chosen language's strings are in (at once for French). */
	async ready(): Promise<void> {
		if (this.#locale === 'en') await this.#loadEnglish();
	}

	async #loadEnglish(): Promise<void> {
		this.#en ??= (await import('./messages.en.ts')).en;
	}

	t = (key: MessageKey, params: Record<string, string | number> = {}): string =>
		(this.#locale === 'en' && this.#en ? this.#en : fr)[key].replace(
			/\{(\w+)\}/g,
			(_, name: string) => String(params[name] ?? `{${name}}`)
		);

	/** A count the way the UI language writes it ("1 200" in French). */
	count = (n: number): string =>
		new Intl.NumberFormat(this.#locale === 'fr' ? 'fr-FR' : 'en-GB').format(n);

	/** Formats a date-time in the UI language, Paris time. */
	dateTime = (
		iso: string,
		options: Intl.DateTimeFormatOptions = { dateStyle: 'short', timeStyle: 'short' }
	): string =>
		new Intl.DateTimeFormat(this.#locale === 'fr' ? 'fr-FR' : 'en-GB', {
			timeZone: 'Europe/Paris',
			...options
		}).format(new Date(iso));

	/** An amount in cents, in euros the way the UI language writes it ("1 234,50 €"). */
	money = (cents: number): string => formatMoney(cents, this.#locale);
}

/** An amount in cents, in euros: French "1 234,50 €" or English "€1,234.50". */
export function formatMoney(cents: number, locale: Locale): string {
	return new Intl.NumberFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', {
		style: 'currency',
		currency: 'EUR'
	}).format(cents / 100);
}

function readStored(): Locale {
	try {
		return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'fr';
	} catch {
		return 'fr';
	}
}

export const i18n = new I18n();
