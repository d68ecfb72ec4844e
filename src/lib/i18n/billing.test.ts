import { describe, expect, it } from 'vitest';
import { en } from './messages.en.ts';
import { fr, type MessageKey } from './messages.ts';
import { formatMoney } from './i18n.svelte.ts';
import { BILLING_WARNING_CODES, quantityText, standingText, warningText } from './billing.ts';
import type { Translate } from './labels.ts';

const translator =
	(dict: Record<MessageKey, string>): Translate =>
	(key, params = {}) =>
		dict[key].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name]));
const frT = translator(fr);
const enT = translator(en);
const money = (cents: number) => formatMoney(cents, 'fr');
const paris = (iso: string, options?: Intl.DateTimeFormatOptions) =>
	new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', ...options }).format(new Date(iso));

describe('billing words', () => {
	it('amounts in euros the French way, and the English way', () => {
		// Intl writes a narrow no-break space before "€" and between thousands.
		expect(formatMoney(123450, 'fr').replace(/\s/g, ' ')).toBe('1 234,50 €');
		expect(formatMoney(0, 'fr').replace(/\s/g, ' ')).toBe('0,00 €');
		expect(formatMoney(123450, 'en')).toBe('€1,234.50');
	});

	it('the commercial standing: up to date, owed, late, with the last payment', () => {
		const s = (outstandingCents: number, overdueCount: number, lastPaidAt: string | null = null) =>
			standingText(frT, money, paris, { outstandingCents, overdueCount, lastPaidAt }).replace(
				/\s/g,
				' '
			);
		expect(s(0, 0)).toBe('À jour');
		expect(s(9000, 0)).toBe('90,00 € dus');
		expect(s(9000, 1)).toBe('90,00 € dus, 1 facture(s) en retard');
		expect(s(0, 0, '2026-03-12')).toBe('À jour — dernier paiement le 12 mars 2026');
		expect(
			standingText(enT, (c) => formatMoney(c, 'en'), paris, {
				outstandingCents: 9000,
				overdueCount: 2,
				lastPaidAt: null
			})
		).toBe('€90.00 due, 2 invoice(s) overdue');
	});

	it('every warning code and quantity has words in both languages, never the code', () => {
		for (const t of [frT, enT])
			for (const code of BILLING_WARNING_CODES) {
				const text = warningText(t, code);
				expect(text.length).toBeGreaterThan(10);
				expect(text).not.toContain(code);
			}
		expect(quantityText(frT, { quantity: 75, unit: 'minute' })).toBe('1 h 15');
		expect(quantityText(frT, { quantity: 1, unit: 'trip' })).toBe('1 déplacement(s)');
		expect(quantityText(enT, { quantity: 2, unit: 'piece' })).toBe('2 piece(s)');
	});
});
