// The shared cases inside a Chromium page; results land on window.__results for the runner to read.
import { cases, runAll } from "../cases/index.ts";
import "../cases/ai-sdk.ts";

const emulatorUrl = decodeURIComponent(location.hash.slice(1));
const results = await runAll({ emulatorUrl, runtime: "chromium" }, cases);
(window as any).__results = results;
document.getElementById("out")!.textContent = results
  .map((r) => `${r.ok ? "ok" : "FAIL"} ${r.name}`)
  .join("\n");
