// HS256 JSON Web Tokens with node:crypto, as the simple auth manager issues them.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

const b64url = (b: Buffer | string): string => Buffer.from(b).toString("base64url");

export interface JwtClaims {
  sub: string;
  exp: number;
  iat: number;
  [k: string]: unknown;
}

export class JwtSigner {
  private readonly secret: Buffer;
  constructor(
    secret: Buffer = randomBytes(32),
    readonly leewaySeconds = 0,
  ) {
    this.secret = secret;
  }

  sign(username: string, expiresInSeconds: number, now = Date.now() / 1000): string {
    const iat = Math.floor(now);
    const claims: JwtClaims = {
      jti: randomBytes(16).toString("hex"),
      iss: undefined,
      aud: "apache-airflow",
      nbf: iat,
      exp: iat + Math.trunc(expiresInSeconds),
      iat,
      sub: username,
      role: "ADMIN",
    };
    delete claims.iss;
    const head = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
    const body = b64url(JSON.stringify(claims));
    const sig = createHmac("sha256", this.secret).update(`${head}.${body}`).digest("base64url");
    return `${head}.${body}.${sig}`;
  }

  /** "ok" with the claims, "expired" (401 Token Expired) or "invalid" (403 Invalid JWT token). */
  verify(
    token: string,
    now = Date.now() / 1000,
  ): { result: "ok"; claims: JwtClaims } | { result: "expired" | "invalid" } {
    const parts = token.split(".");
    if (parts.length !== 3) return { result: "invalid" };
    const [head, body, sig] = parts as [string, string, string];
    let header: unknown, claims: unknown;
    try {
      header = JSON.parse(Buffer.from(head, "base64url").toString("utf8"));
      claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
    } catch {
      return { result: "invalid" };
    }
    if (!header || typeof header !== "object" || (header as { alg?: unknown }).alg !== "HS256")
      return { result: "invalid" };
    const want = createHmac("sha256", this.secret).update(`${head}.${body}`).digest();
    const got = Buffer.from(sig, "base64url");
    if (got.length !== want.length || !timingSafeEqual(got, want)) return { result: "invalid" };
    if (!claims || typeof claims !== "object") return { result: "invalid" };
    const c = claims as Partial<JwtClaims>;
    if (typeof c.exp !== "number" || typeof c.iat !== "number" || typeof c.sub !== "string")
      return { result: "invalid" };
    if (c.exp + this.leewaySeconds <= now) return { result: "expired" };
    return { result: "ok", claims: c as JwtClaims };
  }
}
