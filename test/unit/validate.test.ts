// The connection validator (src/connection/validate.ts): each rule is one check, each way of breaking it is worded
// once, and a formatter per input context places those words (after a path, or as a whole line naming the value).
// Connection files and the port prompt keep words of their own, listed once; these tests show which.
import { describe, expect, it } from "vitest";
import {
  connTypeProblem,
  extraProblem,
  idProblem,
  portProblem,
  portTextProblem,
  storedIdProblem,
  teamProblem,
  type At,
  type Context,
} from "../../src/connection/validate.js";

const at = (context: Context, path: string): At => ({ context, path });
const bulk = at("bulk", "actions[0].entities[0].x");

describe("one wording per rule: a whole line is the subject and the words a path gets", () => {
  it("port, team name, connection type: the flag's line is the flag and the bulk words", () => {
    const cases: Array<[(a: At) => { message: string } | undefined, string]> = [
      [(a) => portProblem(70000, a), "--port"],
      [(a) => portProblem(8.5, a), "--port"],
      [(a) => portProblem(NaN, a, '"abc"'), "--port"],
      [(a) => teamProblem("t".repeat(51), a), "--team"],
      [(a) => connTypeProblem(" ", a), "--type"],
    ];
    for (const [check, flag] of cases) {
      const after = check(bulk)!.message;
      expect(check(at("flag", flag))!.message).toBe(
        `${flag} ${after.replace(": at most", ": Airflow allows at most")}`,
      );
      expect(check(at("json", "--json"))!.message).toMatch(/^--json: (port|team name|connection type) /);
    }
  });

  it("extra: a line is the subject, a colon and the words (not valid JSON), in every whole-line context", () => {
    const notJson = extraProblem("{bad", bulk)!.message;
    expect(notJson).toBe("not valid JSON (Expecting property name enclosed in double quotes at char 1)");
    expect(extraProblem("{bad", at("flag", "--extra"))!.message).toBe(`--extra: ${notJson}`);
    expect(extraProblem("{bad", at("json", "--json"))!.message).toBe(`--json: extra: ${notJson}`);
    expect(extraProblem("{bad", at("uri", "__extra__"))!.message).toBe(
      `Invalid connection URI: __extra__: ${notJson}.`,
    );
    expect(extraProblem("{bad", at("prompt", ""))!.message).toBe(`Extra must be a JSON object: ${notJson}`);
    const notObject = 'a JSON object is needed, such as {"key": "value"}, not an array';
    expect(extraProblem("[1]", at("flag", "--extra"))!.message).toBe(`--extra: ${notObject}`);
    expect(extraProblem("[1]", at("uri", "extra"))!.message).toBe(`Invalid connection URI: extra: ${notObject}.`);
    expect(extraProblem("[1]", bulk)!.message).toBe('must be a JSON object, e.g. {"key": "value"}');
    expect(extraProblem('{"a": 1}', bulk)).toBeUndefined();
  });

  it("the id: whole lines name it, the bulk words follow its path", () => {
    const flag = at("flag", "connection id");
    expect(idProblem("", flag)!.message).toBe("the connection id is empty");
    expect(idProblem("", bulk)!.message).toBe("is empty");
    expect(idProblem("c".repeat(201), flag)!.message).toBe(
      "the connection id is 201 characters long: Airflow allows at most 200",
    );
    expect(idProblem("c".repeat(201), bulk)!.message).toBe("is 201 characters long: at most 200");
    expect(idProblem("a/b", flag)!.message).toBe(
      'the connection id "a/b" contains "/", which the Airflow API cannot address in a URL path',
    );
    expect(idProblem("a/b", bulk)!.message).toBe(`"a/b" may contain only letters, digits, '_', '.' and '-'`);
    expect(idProblem('a"b', flag)!.message).toBe(
      `invalid connection id "a\\"b": use letters, digits, '_', '.' and '-' only`,
    );
    expect(idProblem("café_1", flag)).toBeUndefined();
    expect(storedIdProblem("a:b", flag)).toBeUndefined(); // made outside the API
    expect(storedIdProblem("a b", flag)!.message).toMatch(
      /^invalid connection id "a b": an Airflow connection id holds only /,
    );
    expect(storedIdProblem("a b", bulk)).toBeUndefined(); // a bulk delete checks only emptiness and length
    expect(storedIdProblem("d".repeat(251), bulk)!.message).toBe("is 251 characters long: at most 250");
  });
});

describe("the words connection files and the prompt keep", () => {
  const file = at("file", "a.port");
  it("a file: a port gives the range, an extra says it was a string, an id is named (cut at 60 characters)", () => {
    expect(portProblem(70000, file)!.message).toBe("must be an integer 0-65535, got 70000");
    expect(portProblem(NaN, file, '"x"')!.message).toBe('must be an integer 0-65535, got "x"');
    expect(extraProblem("[1]", at("file", "a.extra"))!.message).toBe(
      "must be a JSON object, got a JSON array in a string",
    );
    expect(extraProblem("{", at("file", "a.extra"))!.message).toMatch(
      /^must be a JSON object, but the string is not valid JSON \(/,
    );
    expect(idProblem("bad id", at("file", ""))!.message).toBe(
      'invalid connection id "bad id": only letters, digits, "_", "." and "-" are allowed',
    );
    expect(idProblem("x".repeat(201), at("file", ""))!.message).toBe(
      `connection id "${"x".repeat(60)}…" is longer than 200 characters`,
    );
    expect(idProblem("", at("file", ""))!.message).toBe("the connection id is empty"); // the common words
    expect(teamProblem("t".repeat(51), at("file", "a.team_name"))!.message).toBe("is 51 characters long: at most 50");
  });

  it("the prompt: a port that is not a number says 'whole number'; others are the common words about 'the port'", () => {
    const prompt = at("prompt", "");
    expect(portTextProblem("33o6", prompt)!.message).toBe(
      'the port must be a whole number between 0 and 65535, not "33o6"',
    );
    expect(portTextProblem("70000", prompt)!.message).toBe("the port must be between 0 and 65535, got 70000");
    expect(portTextProblem(" ", prompt)).toBeUndefined();
    expect(connTypeProblem("", prompt)!.message).toBe("the connection type is empty");
  });
});
