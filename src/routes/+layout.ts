// Business data lives in the device's databases: everything renders on the client.
export const ssr = false;
export const prerender = false;
