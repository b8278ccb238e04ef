// Only the stream decoder, for callers that make the HTTP call themselves: bytes in, chat events out.
import { ConversePipeline } from "bedrock-edge";

export async function read(response: Response, onText: (text: string) => void): Promise<unknown> {
  const pipeline = new ConversePipeline();
  const reader = response.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    for (const event of done ? pipeline.end() : pipeline.feed(value))
      if (event.type === "text") onText(event.text);
    if (pipeline.error) throw pipeline.error;
    if (done) return pipeline.accumulator.message();
  }
}
