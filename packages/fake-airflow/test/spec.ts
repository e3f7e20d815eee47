// Validators for response bodies, compiled with ajv from the official specs: spec/openapi-v2.yaml (3.2.1) and
// spec/openapi-v2-3.3-connections.yaml (the connections part of 3.3, laid over the 3.2.1 components).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { parse } from "yaml";

const SPEC = fileURLToPath(new URL("../../../spec/openapi-v2.yaml", import.meta.url));
const SPEC_33 = fileURLToPath(new URL("../../../spec/openapi-v2-3.3-connections.yaml", import.meta.url));

/** OAS 3.0 `nullable: true` (also next to a $ref) -> anyOf [schema, {type: null}]. */
function convert(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convert);
  if (node === null || typeof node !== "object") return node;
  const src = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(src)) if (k !== "nullable") out[k] = convert(v);
  if (src.nullable === true) {
    const { title, description, default: def, ...rest } = out;
    return {
      ...(title !== undefined ? { title } : {}),
      ...(description !== undefined ? { description } : {}),
      ...(def !== undefined ? { default: def } : {}),
      anyOf: [rest, { type: "null" }],
    };
  }
  return out;
}

let ajv: Ajv | undefined;
const cache = new Map<string, ValidateFunction>();

export type SpecVersion = "3.2" | "3.3";

function load(): Ajv {
  if (ajv) return ajv;
  const spec = parse(readFileSync(SPEC, "utf8")) as { components: { schemas: Record<string, unknown> } };
  const spec33 = parse(readFileSync(SPEC_33, "utf8")) as { components: { schemas: Record<string, unknown> } };
  ajv = new Ajv({ strict: false, allErrors: true });
  const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  ajv.addSchema({ $id: "airflow", components: convert(spec.components) });
  // 3.3: the connections schemas of the 3.3 client spec over the 3.2.1 components (the rest is unchanged)
  ajv.addSchema({
    $id: "airflow33",
    components: convert({ schemas: { ...spec.components.schemas, ...spec33.components.schemas } }),
  });
  return ajv;
}

export function schemaValidator(name: string, version: SpecVersion = "3.2"): ValidateFunction {
  const key = `${version}:${name}`;
  let v = cache.get(key);
  if (!v) {
    v = load().compile({ $ref: `${version === "3.3" ? "airflow33" : "airflow"}#/components/schemas/${name}` });
    cache.set(key, v);
  }
  return v;
}

/** Throws with ajv's errors when `body` does not match the named schema. */
export function assertSchema(name: string, body: unknown, version: SpecVersion = "3.2"): void {
  const v = schemaValidator(name, version);
  if (!v(body))
    throw new Error(
      `response does not match ${name} (${version}): ${JSON.stringify(v.errors)}\n${JSON.stringify(body).slice(0, 500)}`,
    );
}
