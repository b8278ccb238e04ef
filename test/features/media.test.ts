import { describe, expect, it } from "vitest";
import { RequestError } from "../../src/errors";
import { documentBlock, imageBlock, MediaFormatError, videoBlock } from "../../src/request/blocks";
import { buildConverseBody } from "../../src/request/body";
import { clientFor, emulator, pairs, replayConverse } from "./helpers";

const recordedImage = JSON.parse(pairs("test_image_url_input.json")[0].request.body).messages[0].content[1];
const jpeg = new Uint8Array(Buffer.from(recordedImage.image.source.bytes, "base64"));
const recordedCache = JSON.parse(pairs("test_bedrock_cache_write_and_read.json")[0].request.body);
const recordedDocument = recordedCache.messages[0].content[1];
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

const contentOf = (content: unknown[]) =>
  (buildConverseBody([{ role: "user", content: content as any }]).messages[0] as { content: unknown[] })
    .content;

describe("images, documents and video in messages", () => {
  it("image bytes become the recorded request's block: base64 in the JSON, jpeg inferred from the bytes", () => {
    expect(recordedImage.image.format).toBe("jpeg");
    const want = [{ text: "What is this vegetable?" }, recordedImage];
    expect(contentOf(["What is this vegetable?", imageBlock(jpeg)])).toEqual(want);
    // The same from an ArrayBuffer, a data: URL, and a Bedrock block holding raw bytes (no format given).
    const buffer = jpeg.buffer.slice(jpeg.byteOffset, jpeg.byteOffset + jpeg.byteLength);
    expect(contentOf(["What is this vegetable?", imageBlock(buffer)])).toEqual(want);
    const dataUrl = `data:image/jpeg;base64,${recordedImage.image.source.bytes}`;
    expect(contentOf(["What is this vegetable?", imageBlock(dataUrl)])).toEqual(want);
    expect(contentOf(["What is this vegetable?", { image: { source: { bytes: jpeg } } }])).toEqual(want);
  });

  it("sends the image over the wire as the recorded request did and reads the recorded answer", async () => {
    const recorded = pairs("test_image_url_input.json");
    const server = await replayConverse(recorded);
    const result = await clientFor(server.url, "us.amazon.nova-pro-v1:0").request(
      [{ role: "user", content: [{ type: "text", text: "What is this vegetable?" }, imageBlock(jpeg)] }],
      { stream: false },
    );
    expect(JSON.parse(server.received[0].body).messages).toEqual(
      JSON.parse(recorded[0].request.body).messages,
    );
    expect(result.outputText).toContain("potato");
  });

  it("document bytes: the recorded block (txt inferred), with a checked name", () => {
    const bytes = new TextEncoder().encode("You are a great mathematician");
    expect(contentOf([documentBlock(bytes, { name: "Document 1" })])).toEqual([recordedDocument]);
    const pdf = new TextEncoder().encode("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n");
    expect(contentOf([documentBlock(pdf, { name: "Report", citations: true })])).toEqual([
      {
        document: {
          format: "pdf",
          name: "Report",
          source: { bytes: base64(pdf) },
          citations: { enabled: true },
        },
      },
    ]);
    expect(() => documentBlock(bytes, { name: "report.pdf" })).toThrow(/a file extension\?/);
  });

  it("S3 sources: the location kept, the format from the key's extension", () => {
    expect(
      contentOf([
        imageBlock("s3://my-bucket/photos/cat.PNG"),
        videoBlock({ s3: "s3://my-bucket/clips/talk.mp4", bucketOwner: "123456789012" }),
        documentBlock("s3://my-bucket/docs/q3.docx", { name: "Q3 report" }),
      ]),
    ).toEqual([
      { image: { format: "png", source: { s3Location: { uri: "s3://my-bucket/photos/cat.PNG" } } } },
      {
        video: {
          format: "mp4",
          source: { s3Location: { uri: "s3://my-bucket/clips/talk.mp4", bucketOwner: "123456789012" } },
        },
      },
      {
        document: {
          format: "docx",
          name: "Q3 report",
          source: { s3Location: { uri: "s3://my-bucket/docs/q3.docx" } },
        },
      },
    ]);
  });

  it("video bytes: the container's magic number gives the format, in a helper or a raw block", () => {
    const mp4 = new Uint8Array([0, 0, 0, 0x18, ...new TextEncoder().encode("ftypisom"), 0, 0, 2, 0]);
    const want = [{ video: { format: "mp4", source: { bytes: base64(mp4) } } }];
    expect(contentOf([videoBlock(mp4)])).toEqual(want);
    expect(contentOf([{ video: { source: { bytes: mp4 } } }])).toEqual(want);
  });

  it("raw bytes inside Bedrock blocks, tool results and guardContent are written as base64", () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    const b64 = base64(png);
    const doc = new TextEncoder().encode("notes");
    const body = buildConverseBody([
      { role: "user", content: "draw" },
      { role: "assistant", content: [{ toolUse: { toolUseId: "t1", name: "draw", input: {} } }] },
      { role: "tool", tool_call_id: "t1", content: [imageBlock(png)] },
      {
        role: "user",
        content: [{ toolResult: { toolUseId: "t2", content: [{ image: { source: { bytes: png } } }] } }],
      },
      { role: "user", content: [{ guardContent: { image: { format: "png", source: { bytes: png } } } }] },
      { role: "user", content: [{ document: { format: "txt", name: "Notes", source: { bytes: doc } } }] },
    ]);
    const user = body.messages[2] as { content: any[] };
    expect(user.content[0].toolResult.content).toEqual([
      { image: { format: "png", source: { bytes: b64 } } },
    ]);
    expect(user.content[1].toolResult.content).toEqual([
      { image: { format: "png", source: { bytes: b64 } } },
    ]);
    expect(user.content[2]).toEqual({ guardContent: { image: { format: "png", source: { bytes: b64 } } } });
    expect(user.content[3]).toEqual({
      document: { format: "txt", name: "Notes", source: { bytes: base64(doc) } },
    });
    expect(JSON.stringify(body)).not.toContain('"0":');
  });

  it("bad media input is a typed error saying what and where, before any request", () => {
    const unknown = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const error = (() => {
      try {
        imageBlock(unknown);
      } catch (e) {
        return e as MediaFormatError;
      }
    })();
    expect(error).toBeInstanceOf(MediaFormatError);
    expect(error!.message).toContain("01 02 03 04");
    expect(() => contentOf([{ image: { source: { bytes: unknown } } }])).toThrow(
      /messages\[0\]\.content\[0\]\.image\.format: could not infer the image format/,
    );
    expect(() => contentOf([{ document: { name: "N", source: { bytes: unknown } } }])).toThrow(
      /documentBlock/,
    );
    // Typed media parts point at the helper that infers the format.
    expect(() => contentOf([{ type: "image", image: unknown }])).toThrow(RequestError);
    expect(() => contentOf([{ type: "image_url", image_url: { url: "https://example.com/a.png" } }])).toThrow(
      /imageBlock\(dataUrl\); Bedrock cannot fetch http\(s\) URLs/,
    );
    expect(() => contentOf([{ type: "audio", audio: unknown }])).toThrow(/unknown content part type "audio"/);
    expect(() => imageBlock("s3:/bucket")).toThrow(MediaFormatError);
  });
});

describe("media against the emulator", async () => {
  const emu = await emulator();
  it("the emulator accepts the image and document built from bytes", async () => {
    const result = await emu.client().request([
      {
        role: "user",
        content: [
          imageBlock(jpeg),
          documentBlock(new TextEncoder().encode("Potatoes are tubers."), { name: "Notes" }),
          "What is in the picture?",
        ],
      },
    ]);
    expect(emu.seen.at(-1)!.status).toBe(200);
    const sent = emu.seen.at(-1)!.body!.messages[0].content;
    expect(sent[0].image).toEqual(recordedImage.image);
    expect(sent[1].document!.format).toBe("txt");
    expect(result.stopReason).toBe("end_turn");
  });
});
