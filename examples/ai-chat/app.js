// The chat page: the AI SDK's own client pieces (what `useChat` runs inside): DefaultChatTransport posts the
// conversation to the Worker, readUIMessageStream turns its UI message stream into message snapshots to render.
import { DefaultChatTransport, readUIMessageStream } from "ai";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const transport = new DefaultChatTransport({ api: params.get("api") ?? "/api/chat" });
const messages = [];

function render(message) {
  $("answer").textContent = message.parts
    .filter((p) => p.type === "text")
    .map((p) => p.text)
    .join("\n");
  $("tool-calls").replaceChildren(
    ...message.parts
      .filter((p) => p.type.startsWith("tool-"))
      .map((p) => {
        const li = document.createElement("li");
        li.textContent = `${p.type.slice(5)}(${JSON.stringify(p.input ?? {})}) ${p.state}${p.output ? ` -> ${JSON.stringify(p.output)}` : ""}`;
        return li;
      }),
  );
}

$("ask").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("prompt").value.trim();
  if (!text) return;
  messages.push({ id: crypto.randomUUID(), role: "user", parts: [{ type: "text", text }] });
  $("status").textContent = "streaming";
  let last;
  try {
    const stream = await transport.sendMessages({
      chatId: "demo",
      messages,
      trigger: "submit-message",
      messageId: undefined,
      abortSignal: undefined,
    });
    const errors = [];
    const checked = stream.pipeThrough(
      new TransformStream({
        transform(chunk, controller) {
          if (chunk.type === "error") errors.push(chunk.errorText);
          controller.enqueue(chunk);
        },
      }),
    );
    for await (const message of readUIMessageStream({ stream: checked })) {
      last = message;
      render(message);
    }
    if (last) messages.push(last);
    $("status").textContent = errors.length ? `error: ${errors.join("; ")}` : "done";
  } catch (error) {
    $("status").textContent = `error: ${error?.message ?? error}`;
  }
});
