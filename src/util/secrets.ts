// The secrets one run knows (tokens, the password), kept to be cleaned out of what it prints.

/** The secrets of this run (tokens, the password): replaced by [REDACTED] in every line airconn prints itself. */
export class Secrets {
  private readonly known: string[] = [];
  add(secret: string): string {
    this.known.push(secret);
    return secret;
  }
  redact(text: string): string {
    return this.known.filter((x) => x.length >= 4).reduce((t, x) => t.split(x).join("[REDACTED]"), text);
  }
}
