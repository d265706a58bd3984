// Behaviour 5: bad input in the browser fails with a typed error, and the log keeps working
// afterwards — an unknown topic (TopicNotFoundError), a value of the wrong type (TypeError),
// a record over the engine's limit (RecordTooLargeError; RECORD_BYTES_MAX in
// core/src/limits.rs, 8 MiB of encoded record). After each, a normal send + flush works and
// nothing of the refused sends is stored (checked after a reload).

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { dbName, session } from "./helpers.js";

/** core/src/limits.rs: RECORD_BYTES_MAX. */
const RECORD_BYTES_MAX = 8 * 1024 * 1024;

let s;
before(async () => {
  s = await session();
});
after(async () => {
  await s?.close();
});

test("bad input gives typed errors and the log keeps working", { timeout: 60_000 }, async () => {
  const name = dbName("errors");
  const p = await s.newPage();
  const r = await p.evaluate(
    async ({ name, RECORD_BYTES_MAX }) => {
      const mqlite = window.mqlite;
      const log = await mqlite.open(name);
      await log.createTopic("t");
      const producer = log.producer();
      const classes = ["TopicNotFoundError", "RecordTooLargeError", "TopicExistsError"];
      const failure = async (f) => {
        try {
          await f();
          return { failed: false };
        } catch (e) {
          const out = { failed: true, name: e?.name, code: e?.code, message: String(e?.message) };
          out.isTypeError = e instanceof TypeError;
          out.isMqlite = e instanceof mqlite.MqliteError;
          for (const c of classes) out[`is${c}`] = e instanceof mqlite[c];
          return out;
        }
      };
      const normal = async (value) => {
        const { offset } = await producer.send("t", { value });
        await producer.flush();
        return offset;
      };
      const hw = () => log.highWatermark("t", 0);

      const out = { steps: [] };
      const step = async (label, f) => out.steps.push({ label, hwBefore: hw(), error: await failure(f), hwAfter: hw(), next: await normal(`after ${label}`) });
      out.first = await normal("first");

      await step("send to unknown topic", () => producer.send("no-such-topic", { value: "x" }));
      await step("sendMany to unknown topic", () => producer.sendMany("no-such-topic", [{ value: "x" }]));
      await step("number value", () => producer.send("t", { value: 42 }));
      await step("number value in sendMany", () => producer.sendMany("t", [{ value: "fine" }, { value: 42 }]));
      await step("oversized record", () => producer.send("t", { value: new Uint8Array(RECORD_BYTES_MAX + 1) }));
      await step("oversized record in sendMany", () =>
        producer.sendMany("t", [{ value: "fine" }, { value: new Uint8Array(RECORD_BYTES_MAX + 1) }]),
      );
      await step("createTopic of an existing topic", () => log.createTopic("t"));

      // The limit is where limits.rs puts it: a record just under it is taken and stored.
      const big = new Uint8Array(RECORD_BYTES_MAX - 4096);
      for (let i = 0; i < big.length; i += 4093) big[i] = (i / 4093) & 0xff;
      out.bigOffset = await normal(big);
      out.last = await normal("last");
      await log.close();
      return out;
    },
    { name, RECORD_BYTES_MAX },
  );

  const expected = {
    "send to unknown topic": { name: "TopicNotFoundError", code: "TOPIC_NOT_FOUND", isTopicNotFoundError: true, isMqlite: true },
    "sendMany to unknown topic": { name: "TopicNotFoundError", code: "TOPIC_NOT_FOUND", isTopicNotFoundError: true, isMqlite: true },
    "number value": { name: "TypeError", isTypeError: true, isMqlite: false },
    "number value in sendMany": { name: "TypeError", isTypeError: true, isMqlite: false },
    "oversized record": { name: "RecordTooLargeError", code: "RECORD_TOO_LARGE", isRecordTooLargeError: true, isMqlite: true },
    "oversized record in sendMany": { name: "RecordTooLargeError", code: "RECORD_TOO_LARGE", isRecordTooLargeError: true, isMqlite: true },
    "createTopic of an existing topic": { name: "TopicExistsError", code: "TOPIC_EXISTS", isTopicExistsError: true, isMqlite: true },
  };
  assert.equal(r.first, 0n);
  assert.deepEqual(r.steps.map((x) => x.label), Object.keys(expected));
  r.steps.forEach((st, i) => {
    assert.equal(st.error.failed, true, `${st.label}: must fail`);
    for (const [k, v] of Object.entries(expected[st.label])) {
      assert.equal(st.error[k], v, `${st.label}: ${k} (${st.error.name}: ${st.error.message})`);
    }
    assert.equal(st.hwAfter, st.hwBefore, `${st.label}: nothing was appended`);
    assert.equal(st.next, BigInt(i + 1), `${st.label}: the next normal send gets the next offset`);
  });
  assert.equal(r.bigOffset, BigInt(r.steps.length + 1), "a record just under the limit is accepted");
  assert.equal(r.last, r.bigOffset + 1n);

  // After a reload, the log holds exactly the accepted records, in order.
  await s.reload(p);
  const stored = await p.evaluate(async (name) => {
    const log = await window.mqlite.open(name);
    const records = await window.records.readAll(log, ["t"]);
    await log.close();
    const text = new TextDecoder();
    return records.map((rec) =>
      rec.value.length > 1000 ? { offset: rec.offset, bytes: rec.value.length, sample: [rec.value[0], rec.value[4093], rec.value[4093 * 7]] } : { offset: rec.offset, text: text.decode(rec.value) },
    );
  }, name);
  const texts = ["first", ...Object.keys(expected).map((l) => `after ${l}`)];
  assert.deepEqual(stored, [
    ...texts.map((text, i) => ({ offset: BigInt(i), text })),
    { offset: BigInt(texts.length), bytes: RECORD_BYTES_MAX - 4096, sample: [0, 1, 7] },
    { offset: BigInt(texts.length + 1), text: "last" },
  ]);
  await p.close();
  assert.deepEqual(s.pageErrors, []);
});
