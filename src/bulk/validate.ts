// Local validation of the API's BulkBody, so a bad file is refused before any request, with paths into the file.
// Each entity goes through the connection validator (src/connection/validate.ts).
import type { ConnectionBody } from "../api/types.js";
import { UPDATABLE_FIELDS } from "../connection/model.js";
import { storedIdProblem, validateConnection, type Problem } from "../connection/validate.js";
import type { Action } from "./engine.js";
import type { TNode } from "../files/tree.js";

export type { Problem };
export const MASK_FIELDS: string[] = [...UPDATABLE_FIELDS];

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const show = (v: unknown) => (typeof v === "string" ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v)));

/** Validates a whole BulkBody. Returns normalised actions, or the problems found (nothing is sent then). */
export function checkBulkBody(doc: unknown): { actions: Action[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const actions: Action[] = [];
  if (!isObj(doc)) return { actions, problems: [{ path: "(top)", message: 'must be an object {"actions": [...]}' }] };
  for (const k of Object.keys(doc))
    if (k !== "actions") problems.push({ path: k, message: 'unknown key: a bulk file holds only "actions"' });
  if (!Array.isArray(doc.actions))
    return { actions, problems: [...problems, { path: "actions", message: "must be a list of actions" }] };
  const seen = new Map<string, string>();
  const claim = (id: string, path: string) => {
    const prev = seen.get(id);
    if (prev)
      problems.push({
        path,
        message: `connection ${id} already appears at ${prev}: each id may appear once in a bulk file`,
      });
    else seen.set(id, path);
  };
  doc.actions.forEach((a: unknown, i: number) => {
    const p = `actions[${i}]`;
    if (!isObj(a)) {
      problems.push({ path: p, message: "must be an object with action and entities" });
      return;
    }
    const kind = a.action;
    if (kind !== "create" && kind !== "update" && kind !== "delete") {
      problems.push({ path: `${p}.action`, message: `must be create, update or delete, got ${show(kind)}` });
      return;
    }
    const allowed =
      kind === "create"
        ? ["action", "entities", "action_on_existence"]
        : kind === "update"
          ? ["action", "entities", "update_mask", "action_on_non_existence"]
          : ["action", "entities", "action_on_non_existence"];
    for (const k of Object.keys(a))
      if (!allowed.includes(k)) problems.push({ path: `${p}.${k}`, message: `unknown key for a ${kind} action` });
    if (!Array.isArray(a.entities)) {
      problems.push({ path: `${p}.entities`, message: "must be a list" });
      return;
    }
    if (kind === "create") {
      const mode = a.action_on_existence ?? "fail";
      if (!["fail", "skip", "overwrite"].includes(mode as string))
        problems.push({
          path: `${p}.action_on_existence`,
          message: `must be fail, skip or overwrite, got ${show(mode)}`,
        });
      const entities = a.entities
        .map((e: unknown, j: number) => validateConnection(e, `${p}.entities[${j}]`, problems))
        .filter((e): e is ConnectionBody => !!e);
      entities.forEach((e, j) => {
        claim(e.connection_id, `${p}.entities[${j}]`);
      });
      actions.push({ action: "create", entities, action_on_existence: mode as "fail" });
    } else if (kind === "update") {
      const mode = a.action_on_non_existence ?? "fail";
      if (!["fail", "skip"].includes(mode as string))
        problems.push({ path: `${p}.action_on_non_existence`, message: `must be fail or skip, got ${show(mode)}` });
      let mask: string[] | null | undefined;
      if (a.update_mask !== undefined && a.update_mask !== null) {
        if (!Array.isArray(a.update_mask) || a.update_mask.some((m) => typeof m !== "string"))
          problems.push({ path: `${p}.update_mask`, message: "must be a list of field names" });
        else {
          a.update_mask.forEach((m: string, k: number) => {
            if (!MASK_FIELDS.includes(m))
              problems.push({
                path: `${p}.update_mask[${k}]`,
                message: `unknown field ${show(m)}: use ${MASK_FIELDS.join(", ")}`,
              });
          });
          mask = a.update_mask as string[];
        }
      } else mask = a.update_mask as null | undefined;
      const entities = a.entities
        .map((e: unknown, j: number) => validateConnection(e, `${p}.entities[${j}]`, problems))
        .filter((e): e is ConnectionBody => !!e);
      entities.forEach((e, j) => {
        claim(e.connection_id, `${p}.entities[${j}]`);
      });
      actions.push({
        action: "update",
        entities,
        ...(mask !== undefined ? { update_mask: mask } : {}),
        action_on_non_existence: mode as "fail",
      });
    } else {
      const mode = a.action_on_non_existence ?? "fail";
      if (!["fail", "skip"].includes(mode as string))
        problems.push({ path: `${p}.action_on_non_existence`, message: `must be fail or skip, got ${show(mode)}` });
      const ids: string[] = [];
      a.entities.forEach((e: unknown, j: number) => {
        // The spec allows objects, but Airflow 3.2 answers 500 for them: send the id string instead.
        const id = isObj(e) ? e.connection_id : e;
        const path = isObj(e) ? `${p}.entities[${j}].connection_id` : `${p}.entities[${j}]`;
        if (typeof id !== "string") {
          problems.push({ path, message: `must be a connection id string, got ${show(id)}` });
          return;
        }
        const bad = storedIdProblem(id, { context: "bulk", path });
        if (bad) {
          problems.push(bad);
          return;
        }
        claim(id, `${p}.entities[${j}]`);
        ids.push(id);
      });
      actions.push({ action: "delete", entities: ids, action_on_non_existence: mode as "fail" });
    }
  });
  return { actions, problems };
}

/**
 * The line a problem's path (`actions[0].entities[1].port`) points at in the document's tree: that of the deepest
 * part of the path the document has (a key's line for a mapping entry). undefined without a tree.
 */
export function lineOfPath(tree: TNode | undefined, path: string): number | undefined {
  if (!tree) return undefined;
  let node: TNode = tree;
  let line = tree.line;
  for (const [, key, index] of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (key !== undefined && node.kind === "map") {
      const e = node.entries.find((x) => x.key === key);
      if (!e) break;
      line = e.line;
      node = e.value;
    } else if (index !== undefined && node.kind === "seq") {
      const item = node.items[Number(index)];
      if (!item) break;
      line = item.line;
      node = item;
    } else break;
  }
  return line;
}

/**
 * Every problem as one line for the user, `NAME:LINE: PATH: MESSAGE`, in the order of the lines (the file is read
 * whole: each problem is found, not only the first).
 */
export function problemLines(problems: readonly Problem[], name: string, tree: TNode | undefined): string[] {
  return problems
    .map((p, i) => ({ p, i, line: lineOfPath(tree, p.path) }))
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || a.i - b.i)
    .map(({ p, line }) => `${name}${line === undefined ? "" : `:${line}`}: ${p.path}: ${p.message}`);
}
