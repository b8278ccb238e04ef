// Streams a Bedrock answer into the page through the bedrock-edge proxy: the browser holds only a proxy
// token, never an AWS key. A tool call is shown and answered locally, then the final answer streams in.
import { createBedrock } from "bedrock-edge";

const $ = (id) => document.getElementById(id);

// A tool the model may call; the page answers it itself (a real app would call its own API).
const weatherTool = {
  name: "get_weather",
  description: "Current weather for a city",
  inputSchema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};
const runTool = (call) => ({ city: call.arguments.city, forecast: "sunny", temperatureC: 21 });

// Settings: form field id -> query parameter (?proxy=...&token=... for local demos). All but the token are
// remembered in localStorage.
const SETTINGS = { "proxy-url": "proxy", "proxy-token": "token", region: "region", model: "model" };
const params = new URLSearchParams(location.search);
for (const [id, param] of Object.entries(SETTINGS)) {
  const value =
    params.get(param) ?? (id === "proxy-token" ? null : localStorage.getItem(`bedrock-edge:${id}`));
  if (value) $(id).value = value;
}

function client() {
  for (const id of Object.keys(SETTINGS))
    if (id !== "proxy-token") localStorage.setItem(`bedrock-edge:${id}`, $(id).value);
  return createBedrock(
    {
      url: $("proxy-url").value,
      key: $("proxy-token").value, // the proxy's caller token
      region: $("region").value,
      models: { default: { modelName: $("model").value } },
    },
    { env: {} },
  );
}

/** Streams one turn into #answer; returns the finish event. */
async function streamTurn(bedrock, messages) {
  let finish;
  for await (const event of bedrock.stream(messages, { tools: [weatherTool] })) {
    if (event.type === "text") $("answer").append(event.text);
    else if (event.type === "tool-call") {
      const item = document.createElement("li");
      item.textContent = `${event.name}(${JSON.stringify(event.arguments)})`;
      item.dataset.toolUseId = event.id;
      $("tool-calls").append(item);
    } else if (event.type === "finish") finish = event;
  }
  return finish;
}

$("ask").addEventListener("submit", async (submit) => {
  submit.preventDefault();
  if (!$("settings").reportValidity()) return;
  $("answer").textContent = "";
  $("tool-calls").textContent = "";
  $("status").textContent = "streaming...";
  $("send").disabled = true;
  try {
    const bedrock = client();
    const messages = [{ role: "user", content: $("prompt").value }];
    let finish = await streamTurn(bedrock, messages);
    // Answer the tool calls and let the model finish its answer.
    while (finish?.stopReason === "tool_use") {
      const calls = finish.message.content.filter((block) => block.toolUse).map((block) => block.toolUse);
      messages.push(finish.message, {
        role: "user",
        content: calls.map((c) => ({
          toolResult: { toolUseId: c.toolUseId, content: [{ json: runTool({ arguments: c.input }) }] },
        })),
      });
      $("answer").append("\n");
      finish = await streamTurn(bedrock, messages);
    }
    $("status").textContent = `done: ${finish.stopReason}, ${finish.usage?.totalTokens ?? "?"} tokens`;
  } catch (error) {
    $("status").textContent = `error: ${error.name}: ${error.message}`;
  } finally {
    $("send").disabled = false;
  }
});
