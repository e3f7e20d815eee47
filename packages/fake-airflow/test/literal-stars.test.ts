// "***" is merged back only where the stored connection has a value (api-behaviour.md §9, last items; §2, §4):
// the local server must store a literal "***" exactly where Airflow does, so that airconn's tests can tell a kept
// secret from a fake one.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeAirflow, type FakeAirflow } from "../src/index.js";
import { client } from "./helpers.js";

const C = "/api/v2/connections";

for (const version of ["3.2.1", "3.3.2"] as const) {
  describe(`${version}: where a "***" is stored literally`, () => {
    let fake: FakeAirflow;
    let call: ReturnType<typeof client>;
    beforeAll(async () => {
      fake = await startFakeAirflow({ airflowVersion: version });
      call = client(fake);
    });
    afterAll(() => fake.close());
    beforeEach(async () => {
      fake.reset();
      for (const body of [
        {
          connection_id: "has",
          conn_type: "http",
          password: "pw-1",
          extra: '{"token": "tok-1", "a": 1, "auth": {"api_key": "k-1"}}',
        },
        { connection_id: "bare", conn_type: "http", extra: '{"a": 1, "auth": {"user": "u"}}' },
        { connection_id: "none", conn_type: "http" },
      ])
        expect((await call("POST", C, { body })).status).toBe(201);
    });

    const stars = '{"token": "***", "a": 2, "auth": {"api_key": "***"}}';

    it("PATCH: a stored value comes back; a key the stored extra lacks (nested too), or no extra at all, keeps the literal", async () => {
      for (const id of ["has", "bare", "none"]) {
        expect(
          (
            await call("PATCH", `${C}/${id}`, {
              body: { connection_id: id, conn_type: "http", password: "***", extra: stars },
            })
          ).status,
        ).toBe(200);
      }
      expect(fake.stored("has")).toMatchObject({
        password: "pw-1",
        extra: '{"token": "tok-1", "a": 2, "auth": {"api_key": "k-1"}}',
      });
      // no stored password stays none; the extra keys the server lacks are stored as "***"
      expect(fake.stored("bare")).toMatchObject({ password: null, extra: stars });
      expect(JSON.parse(fake.stored("bare")!.extra!)).toEqual({ token: "***", a: 2, auth: { api_key: "***" } });
      expect(fake.stored("none")).toMatchObject({ password: null });
      expect(JSON.parse(fake.stored("none")!.extra!)).toEqual({ token: "***", a: 2, auth: { api_key: "***" } });
      // and from then on the API shows "***" for them: nobody can tell the fake one from a real one
      expect((await call("GET", `${C}/bare`)).json.extra).toBe((await call("GET", `${C}/has`)).json.extra);
    });

    it("bulk update follows the PATCH rules", async () => {
      const r = await call("PATCH", C, {
        body: {
          actions: [
            {
              action: "update",
              entities: ["has", "bare"].map((id) => ({
                connection_id: id,
                conn_type: "http",
                password: "***",
                extra: stars,
              })),
            },
          ],
        },
      });
      expect(r.json.update).toEqual({ success: ["has", "bare"], errors: [] });
      expect(JSON.parse(fake.stored("has")!.extra!)).toEqual({ token: "tok-1", a: 2, auth: { api_key: "k-1" } });
      expect(fake.stored("has")!.password).toBe("pw-1");
      expect(JSON.parse(fake.stored("bare")!.extra!)).toEqual({ token: "***", a: 2, auth: { api_key: "***" } });
      expect(fake.stored("bare")!.password).toBeNull();
    });

    it('POST, bulk create and bulk create with overwrite store "***" literally, even over a stored secret', async () => {
      expect(
        (await call("POST", C, { body: { connection_id: "new1", conn_type: "http", password: "***", extra: stars } }))
          .status,
      ).toBe(201);
      expect(fake.stored("new1")).toMatchObject({
        password: "***",
        extra: '{"token": "***", "a": 2, "auth": {"api_key": "***"}}',
      });
      const r = await call("PATCH", C, {
        body: {
          actions: [
            {
              action: "create",
              entities: [{ connection_id: "new2", conn_type: "http", password: "***", extra: stars }],
            },
            {
              action: "create",
              action_on_existence: "overwrite",
              entities: [{ connection_id: "has", conn_type: "http", password: "***", extra: stars }],
            },
          ],
        },
      });
      expect(r.json.create).toEqual({ success: ["new2", "has"], errors: [] });
      expect(fake.stored("new2")).toMatchObject({
        password: "***",
        extra: '{"token": "***", "a": 2, "auth": {"api_key": "***"}}',
      });
      expect(fake.stored("has")).toMatchObject({
        password: "***",
        extra: '{"token": "***", "a": 2, "auth": {"api_key": "***"}}',
      });
    });
  });
}
