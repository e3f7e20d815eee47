// The warning for a secret sent over plain http to another machine (deps.ts for every request, login before it asks).

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** The warning for a secret (the token, a password) about to go over plain http to a host that is not this machine. */
export function plainHttpWarning(baseUrl: string, what: string): string | undefined {
  const u = new URL(baseUrl);
  if (u.protocol !== "http:" || LOOPBACK.test(u.hostname)) return undefined;
  return `sending ${what} over plain http to ${u.host}: use https outside your own machine`;
}
