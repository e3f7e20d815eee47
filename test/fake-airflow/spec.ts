// Validators for response bodies, compiled from the official spec (spec/openapi-v2.yaml) with ajv.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { parse } from "yaml";

const SPEC = fileURLToPath(new URL("../../spec/openapi-v2.yaml", import.meta.url));

/** OAS 3.0 `nullable: true` (also next to a $ref) -> anyOf [schema, {type: null}]. */
function convert(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convert);
  if (node === null || typeof node !== "object") return node;
  const src = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(src)) if (k !== "nullable") out[k] = convert(v);
  if (src.nullable === true) {
    const { title, description, default: def, ...rest } = out;
    return { ...(title !== undefined ? { title } : {}), ...(description !== undefined ? { description } : {}), ...(def !== undefined ? { default: def } : {}), anyOf: [rest, { type: "null" }] };
  }
  return out;
}

let ajv: Ajv | undefined;
const cache = new Map<string, ValidateFunction>();

export function schemaValidator(name: string): ValidateFunction {
  if (!ajv) {
    const spec = parse(readFileSync(SPEC, "utf8")) as { components: unknown };
    ajv = new Ajv({ strict: false, allErrors: true });
    const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
    (addFormats as unknown as (a: Ajv) => void)(ajv);
    ajv.addSchema({ $id: "airflow", components: convert(spec.components) });
  }
  let v = cache.get(name);
  if (!v) {
    v = ajv.compile({ $ref: `airflow#/components/schemas/${name}` });
    cache.set(name, v);
  }
  return v;
}

/** Throws with ajv's errors when `body` does not match the named schema. */
export function assertSchema(name: string, body: unknown): void {
  const v = schemaValidator(name);
  if (!v(body)) throw new Error(`response does not match ${name}: ${JSON.stringify(v.errors)}\n${JSON.stringify(body).slice(0, 500)}`);
}
