import { it } from "vitest";
import { createBedrock } from "../../src/client/create";
import { createEmulator } from "../../src/emulator";
import { serve } from "../../src/node";

it("x", async () => {
  const s = await serve(createEmulator());
  const b = createBedrock(
    {
      url: `${s.url}/model/`,
      key: "kkkkk",
      modelIdPrefix: "none",
      models: { m: { modelName: "amazon.nova-lite-v1:0" } },
    },
    { env: {} },
  );
  for (const f of ["json-200", "bad-crc", "truncate;after=2"]) {
    try {
      await b.request([{ role: "user", content: "hi" }], { headers: { "x-bedrock-edge-fault": f } });
      console.log("OK", f);
    } catch (e) {
      console.log("ERR", f, (e as Error).message);
    }
  }
  try {
    await b.request([{ role: "user", content: "hi" }], { model: "fault.json-200" });
  } catch (e) {
    console.log("ERR", (e as Error).message);
  }
  const c = createBedrock(
    {
      url: `${s.url}/model/`,
      key: "kkkkk",
      region: "us-east-1",
      models: { m: { modelName: "amazon.nova-lite-v1:0" } },
    },
    { env: {} },
  );
  try {
    await c.request([{ role: "user", content: "hi" }]);
  } catch (e) {
    console.log("ERR", (e as Error).message);
  }
  await s.close();
});
