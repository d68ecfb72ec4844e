import type { ServerConfig } from '../config.ts';
import type { Couch } from '../couch/connect.ts';
import type { LoginThrottle } from '../auth/throttle.ts';

/** What every route handler needs; built once at start. */
export interface AppContext {
	readonly config: ServerConfig;
	readonly couch: Couch;
	readonly throttle: LoginThrottle;
	readonly now: () => Date;
}
