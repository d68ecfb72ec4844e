import { en, fr, type MessageKey } from './messages.ts';

export type Locale = 'fr' | 'en';
const dictionaries: Record<Locale, Record<MessageKey, string>> = { fr, en };
const STORAGE_KEY = 'terrain.locale';

/** The UI language: French unless the user picked English on this device. */
class I18n {
	#locale = $state<Locale>(readStored());

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
	}

	t = (key: MessageKey, params: Record<string, string | number> = {}): string =>
		dictionaries[this.#locale][key].replace(/\{(\w+)\}/g, (_, name: string) =>
			String(params[name] ?? `{${name}}`)
		);

	/** Formats a date-time in the UI language, Paris time. */
	dateTime = (
		iso: string,
		options: Intl.DateTimeFormatOptions = { dateStyle: 'short', timeStyle: 'short' }
	): string =>
		new Intl.DateTimeFormat(this.#locale === 'fr' ? 'fr-FR' : 'en-GB', {
			timeZone: 'Europe/Paris',
			...options
		}).format(new Date(iso));
}

function readStored(): Locale {
	try {
		return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'fr';
	} catch {
		return 'fr';
	}
}

export const i18n = new I18n();
