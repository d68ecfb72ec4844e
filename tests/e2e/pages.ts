import { expect, type Page } from 'playwright/test';

/** The sign-in screen, as a user sees it. */
export class SignInPage {
	readonly page: Page;
	constructor(page: Page) {
		this.page = page;
	}

	async open(baseUrl: string): Promise<void> {
		await this.page.goto(`${baseUrl}/login`);
		await expect(this.page.getByRole('heading', { name: 'Terrain' })).toBeVisible();
	}

	async signIn(name: string, password: string): Promise<void> {
		await this.page.getByLabel('Identifiant').fill(name);
		await this.page.getByLabel('Mot de passe').fill(password);
		await this.page.getByRole('button', { name: 'Se connecter' }).click();
	}
}
