// FastAPI's reading of a request body: which bodies are JSON (by content type), how JSON is parsed (Python's
// json.loads), and the 400 / 422 a body that cannot be read gets, before authentication.
import { PyJsonError, pyLoads, toJs } from "../pyjson.js";
import { detail, type Reply } from "../transport/reply.js";

export type BodyParse =
  | { kind: "none" }
  | { kind: "json"; value: unknown }
  | { kind: "text"; value: string }
  | { kind: "invalid"; reply: Reply };

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Python json.loads, with the error FastAPI reports (json_invalid) on failure. */
export function pyJsonParse(text: string): { ok: true; value: unknown } | { ok: false; pos: number; msg: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    try {
      return { ok: true, value: toJs(pyLoads(text)) };
    } catch (e) {
      if (e instanceof PyJsonError) return { ok: false, pos: e.pos, msg: e.msg };
      return { ok: false, pos: 0, msg: "Expecting value" };
    }
  }
}

/** FastAPI's request handler: which bodies are parsed as JSON. */
export function parseBody(buf: Buffer, contentType: string | undefined): BodyParse {
  if (buf.length === 0) return { kind: "none" };
  let isJson = contentType === undefined;
  if (contentType !== undefined) {
    const [main = "", sub = ""] = contentType.split(";")[0]!.trim().toLowerCase().split("/");
    isJson = main === "application" && (sub === "json" || sub.endsWith("+json"));
  }
  let text: string;
  try {
    text = utf8.decode(buf);
  } catch {
    if (!isJson) return { kind: "text", value: buf.toString("latin1") };
    return { kind: "invalid", reply: detail(400, "There was an error parsing the body") };
  }
  if (!isJson) return { kind: "text", value: text };
  const r = pyJsonParse(text);
  if (r.ok) return { kind: "json", value: r.value };
  return {
    kind: "invalid",
    reply: detail(422, [
      { type: "json_invalid", loc: ["body", r.pos], msg: "JSON decode error", input: {}, ctx: { error: r.msg } },
    ]),
  };
}
