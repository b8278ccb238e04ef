// Media helpers on real file bytes built here from the formats' specs (no fixtures, no network), and base64
// checked against Node's Buffer, including the runtimes' native Uint8Array.toBase64 path (under Bun and Deno).
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { crc32, deflateRawSync, deflateSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BedrockError } from "../../src/errors";
import {
  detectDocumentFormat,
  detectImageFormat,
  detectVideoFormat,
  documentBlock,
  imageBlock,
  MediaFormatError,
  videoBlock,
} from "../../src/request/blocks";
import { base64ToBytes, bytesToBase64, normalizeBase64 } from "../../src/request/bytes";

// ---- real files, built byte by byte ----
// Checked once with file(1): "PNG image data, 1 x 1", "JPEG image data ... baseline", "GIF image data, version
// 89a, 1 x 1", "Web/P image", "PDF document, version 1.4, 1 pages", "Microsoft Word 2007+", "Microsoft Excel
// 2007+", "CDFV2 Microsoft Word", "CDFV2 Microsoft Excel", and for the videos "MP4 Base Media", "Apple
// QuickTime movie", "3GPP", "Matroska data", "WebM", "Macromedia Flash Video", "MPEG sequence, v2, program
// multiplex", "Microsoft ASF"; the PNG and JPEG also decode (pngjs, jpeg-js) to one red / one grey pixel, and
// Python's zipfile tests the zips clean.

const enc = (s: string) => new TextEncoder().encode(s);
const cat = (...parts: (Uint8Array | number[] | string)[]) =>
  Uint8Array.from(Buffer.concat(parts.map((p) => (typeof p === "string" ? enc(p) : Uint8Array.from(p)))));
const le16 = (n: number) => [n & 0xff, (n >>> 8) & 0xff];
const le32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
const be32 = (n: number) => le32(n).reverse();
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

/** A 1x1 red PNG: signature, IHDR, zlib IDAT, IEND, each chunk with its CRC. */
function png(): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const body = cat(type, data);
    return cat(be32(data.length), body, be32(crc32(body)));
  };
  const ihdr = cat(be32(1), be32(1), [8, 2, 0, 0, 0]); // 8-bit RGB
  const idat = Uint8Array.from(deflateSync(Uint8Array.from([0, 255, 0, 0]))); // filter 0, one red pixel
  return cat(
    [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    chunk("IHDR", ihdr),
    chunk("IDAT", idat),
    chunk("IEND", new Uint8Array()),
  );
}

/**
 * A 1x1 grey baseline JPEG: one component, Huffman tables with one symbol each, so the scan is the DC
 * category-0 code then EOB ("00"), padded with ones.
 */
function jpeg(): Uint8Array {
  const segment = (marker: number, data: number[]) => [
    0xff,
    marker,
    ...be32(data.length + 2).slice(2),
    ...data,
  ];
  return cat(
    [0xff, 0xd8],
    segment(0xe0, [...enc("JFIF\0"), 1, 1, 0, 0, 1, 0, 1, 0, 0]),
    segment(0xdb, [0x00, ...new Array(64).fill(1)]),
    segment(0xc0, [8, 0, 1, 0, 1, 1, 1, 0x11, 0]),
    segment(0xc4, [0x00, 1, ...new Array(15).fill(0), 0x00]), // DC table 0: one 1-bit code for category 0
    segment(0xc4, [0x10, 1, ...new Array(15).fill(0), 0x00]), // AC table 0: one 1-bit code for EOB
    segment(0xda, [1, 1, 0x00, 0, 63, 0]),
    [0x3f, 0xff, 0xd9],
  );
}

/** A 1x1 GIF89a with a two-colour table and one LZW-coded pixel. */
const gif = () =>
  cat(
    "GIF89a",
    [1, 0, 1, 0, 0x80, 0, 0],
    [255, 0, 0, 0, 0, 0],
    [0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0],
    [2, 2, 0x44, 0x01, 0],
    [0x3b],
  );

/**
 * A 1x1 lossless WebP: RIFF/WEBP with a VP8L chunk. The bitstream is the 0x2f signature, 32 header bits
 * (1x1, no alpha, version 0), no transforms or colour cache, then five one-symbol "simple" prefix codes
 * (green 0, red 255, blue 0, alpha 255, distance 0); one-symbol codes take no bits per pixel.
 */
function webp(): Uint8Array {
  const bits: number[] = [];
  const put = (value: number, n: number) => {
    for (let i = 0; i < n; i++) bits.push((value >> i) & 1);
  };
  put(0, 14);
  put(0, 14);
  put(0, 1);
  put(0, 3);
  put(0, 3); // no transform, no colour cache, no meta prefix codes
  for (const symbol of [0, 255, 0, 255, 0]) {
    put(1, 1); // simple code
    put(0, 1); // one symbol
    put(1, 1); // 8-bit symbol
    put(symbol, 8);
  }
  const data = [0x2f];
  for (let i = 0; i < bits.length; i += 8)
    data.push(bits.slice(i, i + 8).reduce((a, b, j) => a | (b << j), 0));
  if (data.length % 2) data.push(0);
  const vp8l = cat("VP8L", le32(data.length), data);
  return cat("RIFF", le32(4 + vp8l.length), "WEBP", vp8l);
}

/** A one-page PDF whose xref table points at the real object offsets. */
function pdf(): Uint8Array {
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
  ];
  let text = "%PDF-1.4\n%\u00e2\u00e3\n";
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(text.length);
    text += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = text.length;
  text += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) text += `${String(o).padStart(10, "0")} 00000 n \n`;
  text += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Uint8Array.from(Buffer.from(text, "latin1"));
}

/** A zip with deflated entries, local headers, central directory and end record (or only the local headers). */
function zip(
  entries: Record<string, string>,
  opts: { centralDirectory?: boolean; dataDescriptor?: boolean } = {},
) {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(entries)) {
    const raw = enc(content);
    const data = Uint8Array.from(deflateRawSync(raw));
    const crc = crc32(raw);
    const flags = opts.dataDescriptor ? 0x08 : 0;
    const sizes = opts.dataDescriptor
      ? [...le32(0), ...le32(0), ...le32(0)]
      : [...le32(crc), ...le32(data.length), ...le32(raw.length)];
    const local = cat(
      le32(0x04034b50),
      le16(20),
      le16(flags),
      le16(8),
      le32(0),
      sizes,
      le16(name.length),
      le16(0),
      name,
      data,
    );
    const descriptor = opts.dataDescriptor
      ? cat(le32(0x08074b50), le32(crc), le32(data.length), le32(raw.length))
      : cat();
    locals.push(local, descriptor);
    centrals.push(
      cat(
        le32(0x02014b50),
        le16(20),
        le16(20),
        le16(flags),
        le16(8),
        le32(0),
        le32(crc),
        le32(data.length),
        le32(raw.length),
        le16(name.length),
        le16(0),
        le16(0),
        le16(0),
        le16(0),
        le32(0),
        le32(offset),
        name,
      ),
    );
    offset += local.length + descriptor.length;
  }
  if (opts.centralDirectory === false) return cat(...locals);
  const cd = cat(...centrals);
  const end = cat(
    le32(0x06054b50),
    le16(0),
    le16(0),
    le16(centrals.length),
    le16(centrals.length),
    le32(cd.length),
    le32(offset),
    le16(0),
  );
  return cat(...locals, cd, end);
}

const CONTENT_TYPES = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>`;
const docx = (opts?: Parameters<typeof zip>[1]) =>
  zip(
    {
      "[Content_Types].xml": CONTENT_TYPES,
      "_rels/.rels": `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`,
      "word/document.xml": `<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Hello</w:t></w:r></w:p></w:body></w:document>`,
    },
    opts,
  );
const xlsx = () =>
  zip({
    "[Content_Types].xml": CONTENT_TYPES,
    "_rels/.rels": `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>`,
    "xl/workbook.xml": `<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    "xl/worksheets/sheet1.xml": `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>`,
  });
const pptx = () => zip({ "[Content_Types].xml": CONTENT_TYPES, "ppt/presentation.xml": "<p:presentation/>" });

/**
 * An OLE2 compound file (version 3, 512-byte sectors) as Word 97 (.doc) or Excel 97 (.xls) write it at the
 * container level: header, one FAT sector, one directory sector (root + one stream), 4096 bytes of stream.
 */
function compoundFile(streamName: string): Uint8Array {
  const FREE = 0xffffffff;
  const END = 0xfffffffe;
  const header = new Uint8Array(512).fill(0);
  header.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
  const view = new DataView(header.buffer);
  view.setUint16(24, 0x3e, true); // minor version
  view.setUint16(26, 3, true); // major version 3
  view.setUint16(28, 0xfffe, true); // little-endian
  view.setUint16(30, 9, true); // 512-byte sectors
  view.setUint16(32, 6, true); // 64-byte mini sectors
  view.setUint32(44, 1, true); // one FAT sector
  view.setUint32(48, 1, true); // directory starts at sector 1
  view.setUint32(56, 4096, true); // mini stream cutoff
  view.setUint32(60, END, true); // no mini FAT
  view.setUint32(68, END, true); // no DIFAT sectors
  for (let i = 0; i < 109; i++) view.setUint32(76 + i * 4, i === 0 ? 0 : FREE, true);

  const fat = new DataView(new ArrayBuffer(512));
  for (let i = 0; i < 128; i++) fat.setUint32(i * 4, FREE, true);
  fat.setUint32(0, 0xfffffffd, true); // sector 0 is the FAT
  fat.setUint32(4, END, true); // sector 1 is the directory
  for (let s = 2; s < 10; s++) fat.setUint32(s * 4, s === 9 ? END : s + 1, true); // the stream, 8 sectors

  const dir = new DataView(new ArrayBuffer(512));
  const entry = (index: number, name: string, type: number, child: number, start: number, size: number) => {
    const at = index * 128;
    for (let i = 0; i < name.length; i++) dir.setUint16(at + i * 2, name.charCodeAt(i), true);
    dir.setUint16(at + 64, (name.length + 1) * 2, true);
    dir.setUint8(at + 66, type);
    dir.setUint8(at + 67, 1); // black
    dir.setUint32(at + 68, FREE, true);
    dir.setUint32(at + 72, FREE, true);
    dir.setUint32(at + 76, child, true);
    dir.setUint32(at + 116, start, true);
    dir.setUint32(at + 120, size, true);
  };
  entry(0, "Root Entry", 5, 1, END, 0);
  entry(1, streamName, 2, FREE, 2, 4096);
  for (const i of [2, 3]) {
    dir.setUint32(i * 128 + 68, FREE, true);
    dir.setUint32(i * 128 + 72, FREE, true);
    dir.setUint32(i * 128 + 76, FREE, true);
  }
  const stream = new Uint8Array(4096).fill(0x20);
  return cat(header, new Uint8Array(fat.buffer), new Uint8Array(dir.buffer), stream);
}

/** ISO base media: an ftyp box with the major brand, then an empty moov and mdat. */
const isoMedia = (brand: string, compatible: string[]) => {
  const ftyp = cat(be32(16 + 4 * compatible.length), "ftyp", brand, be32(0x200), compatible.join(""));
  return cat(ftyp, be32(8), "moov", be32(8), "mdat");
};

/** An EBML header with the given DocType, then a Segment of unknown size. */
const ebml = (docType: string) => {
  const body = cat(
    [0x42, 0x86, 0x81, 1, 0x42, 0xf7, 0x81, 1, 0x42, 0xf2, 0x81, 4, 0x42, 0xf3, 0x81, 8],
    [0x42, 0x82, 0x80 | docType.length],
    docType,
    [0x42, 0x87, 0x81, 4, 0x42, 0x85, 0x81, 2],
  );
  return cat(
    [0x1a, 0x45, 0xdf, 0xa3, 0x80 | body.length],
    body,
    [0x18, 0x53, 0x80, 0x67, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
  );
};

const VIDEOS = {
  mp4: isoMedia("isom", ["isom", "iso2", "avc1", "mp41"]),
  mov: isoMedia("qt  ", ["qt  "]),
  three_gp: isoMedia("3gp4", ["isom", "3gp4"]),
  mkv: ebml("matroska"),
  webm: ebml("webm"),
  flv: cat("FLV", [1, 5], be32(9), be32(0)),
  mpeg: cat(
    [0x00, 0x00, 0x01, 0xba, 0x44, 0x00, 0x04, 0x00, 0x04, 0x01, 0x01, 0x89, 0xc3, 0xf8],
    [0x00, 0x00, 0x01, 0xb9],
  ),
  wmv: cat(
    [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11, 0xa6, 0xd9, 0x00, 0xaa, 0x00, 0x62, 0xce, 0x6c],
    le32(30),
    le32(0),
    [0, 0, 0, 0, 1, 2],
  ),
} as const;

/** The MediaFormatError a call throws (fails the test if it throws something else or nothing). */
function errorOf(fn: () => unknown): MediaFormatError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MediaFormatError);
    expect(err).toBeInstanceOf(BedrockError);
    expect((err as Error).name).toBe("MediaFormatError");
    return err as MediaFormatError;
  }
  throw new Error("expected a MediaFormatError, nothing was thrown");
}

// ---- tests ----

describe("detectImageFormat", () => {
  it.each([
    ["png", png()],
    ["jpeg", jpeg()],
    ["gif", gif()],
    ["webp", webp()],
  ] as const)("%s", (format, bytes) => {
    expect(detectImageFormat(bytes)).toBe(format);
  });

  it("is undefined for other bytes, short input and a RIFF that is not WebP", () => {
    expect(detectImageFormat(pdf())).toBeUndefined();
    expect(detectImageFormat(new Uint8Array([0x89, 0x50]))).toBeUndefined();
    expect(detectImageFormat(new Uint8Array())).toBeUndefined();
    expect(detectImageFormat(cat("RIFF", le32(4), "WAVE"))).toBeUndefined();
  });
});

describe("detectDocumentFormat", () => {
  it("pdf, docx, xlsx, doc, xls from their bytes", () => {
    expect(detectDocumentFormat(pdf())).toBe("pdf");
    expect(detectDocumentFormat(docx())).toBe("docx");
    expect(detectDocumentFormat(xlsx())).toBe("xlsx");
    expect(detectDocumentFormat(compoundFile("WordDocument"))).toBe("doc");
    expect(detectDocumentFormat(compoundFile("Workbook"))).toBe("xls");
    expect(detectDocumentFormat(compoundFile("Book"))).toBe("xls"); // Excel 5/95 stream name
  });

  it("a zip without a central directory, read from its local headers", () => {
    expect(detectDocumentFormat(docx({ centralDirectory: false }))).toBe("docx");
    // Streamed zips hide sizes in data descriptors; the central directory still names every entry.
    expect(detectDocumentFormat(docx({ dataDescriptor: true }))).toBe("docx");
  });

  it("html by its opening tag, even after a BOM and whitespace; other text is txt unless a name says csv or md", () => {
    expect(detectDocumentFormat(enc("<!DOCTYPE html><html><body>x</body></html>"))).toBe("html");
    expect(detectDocumentFormat(cat([0xef, 0xbb, 0xbf], "\n  <html lang=en>"))).toBe("html");
    expect(detectDocumentFormat(enc("a,b\n1,2\n"))).toBe("txt");
    expect(detectDocumentFormat(enc("a,b\n1,2\n"), "data.csv")).toBe("csv");
    expect(detectDocumentFormat(enc("# Title\n\nsome *text*"), "README.MD")).toBe("md");
    expect(detectDocumentFormat(enc("# Title"), "md")).toBe("md");
    expect(detectDocumentFormat(enc("plain words, ünïcödé ✓"))).toBe("txt");
  });

  it("is undefined for a zip that is not Word or Excel, an unknown compound file, binary data and nothing", () => {
    expect(detectDocumentFormat(pptx())).toBeUndefined();
    expect(detectDocumentFormat(compoundFile("PowerPoint Document"))).toBeUndefined();
    expect(detectDocumentFormat(png())).toBeUndefined();
    expect(detectDocumentFormat(new Uint8Array([0x61, 0x00, 0x62]))).toBeUndefined();
    expect(detectDocumentFormat(cat([0xc3, 0x28], "abc"))).toBeUndefined(); // invalid UTF-8
    expect(detectDocumentFormat(new Uint8Array())).toBeUndefined();
  });

  it("an unknown compound file takes doc or xls from the name hint", () => {
    expect(detectDocumentFormat(compoundFile("Data"), "old report.doc")).toBe("doc");
    expect(detectDocumentFormat(compoundFile("Data"), "sheet.XLS")).toBe("xls");
    expect(detectDocumentFormat(compoundFile("Data"), "x.pdf")).toBeUndefined();
  });
});

describe("detectVideoFormat", () => {
  it.each(Object.entries(VIDEOS))("%s", (format, bytes) => {
    expect(detectVideoFormat(bytes)).toBe(format);
  });

  it("an old QuickTime file without ftyp is mov; images and short input are undefined", () => {
    expect(detectVideoFormat(cat(be32(8), "moov"))).toBe("mov");
    expect(detectVideoFormat(png())).toBeUndefined();
    expect(detectVideoFormat(new Uint8Array([0, 0, 1]))).toBeUndefined();
  });
});

describe("imageBlock", () => {
  it("bytes become base64 on the wire with the format read from the bytes", () => {
    const bytes = png();
    expect(imageBlock(bytes)).toEqual({ image: { format: "png", source: { bytes: b64(bytes) } } });
    for (const [format, file] of [
      ["jpeg", jpeg()],
      ["gif", gif()],
      ["webp", webp()],
    ] as const) {
      expect(imageBlock(file).image.format).toBe(format);
    }
  });

  it("accepts an ArrayBuffer, a Node Buffer and a view into a larger buffer (only the view is sent)", () => {
    const bytes = jpeg();
    expect(imageBlock(bytes.slice().buffer).image.source).toEqual({ bytes: b64(bytes) });
    expect(imageBlock(Buffer.from(bytes)).image.source).toEqual({ bytes: b64(bytes) });
    const padded = cat([1, 2, 3], bytes, [4, 5]);
    const view = padded.subarray(3, 3 + bytes.length);
    expect(imageBlock(view)).toEqual({ image: { format: "jpeg", source: { bytes: b64(bytes) } } });
  });

  it("base64 text and data: URLs pass through as standard base64", () => {
    const bytes = gif();
    expect(imageBlock(b64(bytes))).toEqual({ image: { format: "gif", source: { bytes: b64(bytes) } } });
    expect(imageBlock(`data:image/gif;base64,${b64(bytes)}`).image).toEqual({
      format: "gif",
      source: { bytes: b64(bytes) },
    });
    // MIME line breaks and base64url are normalised for the wire.
    const wrapped = b64(webp()).replace(/.{16}/g, "$&\r\n");
    expect(imageBlock(wrapped).image.source).toEqual({ bytes: b64(webp()) });
    expect(imageBlock(Buffer.from(bytes).toString("base64url")).image.source).toEqual({ bytes: b64(bytes) });
  });

  it("the bytes win over a data: URL's type; the type is used when the bytes say nothing", () => {
    expect(imageBlock(`data:image/png;base64,${b64(jpeg())}`).image.format).toBe("jpeg");
    expect(imageBlock(`data:image/webp;base64,${b64(enc("not an image header"))}`).image.format).toBe("webp");
  });

  it("an explicit format is sent as given", () => {
    expect(imageBlock(png(), "png").image.format).toBe("png");
    expect(imageBlock(enc("raw pixels?"), "jpeg").image.format).toBe("jpeg");
  });

  it("S3 locations take the format from the key's extension, with the bucket owner when given", () => {
    expect(imageBlock({ s3: "s3://my-bucket/photos/cat.JPG" })).toEqual({
      image: { format: "jpeg", source: { s3Location: { uri: "s3://my-bucket/photos/cat.JPG" } } },
    });
    expect(imageBlock({ s3: "s3://my-bucket/a.webp", bucketOwner: "123456789012" }).image.source).toEqual({
      s3Location: { uri: "s3://my-bucket/a.webp", bucketOwner: "123456789012" },
    });
    expect(imageBlock("s3://my-bucket/x/y.gif").image.format).toBe("gif");
    expect(imageBlock({ s3: "s3://my-bucket/no-extension" }, "png").image.format).toBe("png");
  });

  it("says what it tried when the format cannot be inferred", () => {
    const fromBytes = errorOf(() => imageBlock(pdf()));
    expect(fromBytes.field).toBe("format");
    expect(fromBytes.media).toBe("image");
    expect(fromBytes.message).toContain("magic numbers (they start 25 50 44 46 2D 31 2E 34)");
    expect(fromBytes.message).toContain("one of png, jpeg, gif, webp");

    const fromKey = errorOf(() => imageBlock({ s3: "s3://my-bucket/photos/cat" }));
    expect(fromKey.message).toContain(`the S3 key's extension ("photos/cat")`);
    const wrongExt = errorOf(() => imageBlock("s3://my-bucket/cat.bmp"));
    expect(wrongExt.message).toContain(`("cat.bmp"), which is not one of them`);
    const dataUrl = errorOf(() => imageBlock(`data:image/bmp;base64,${b64(enc("BM...."))}`));
    expect(dataUrl.message).toContain("magic numbers (they start 42 4D 2E 2E 2E 2E)");
    expect(dataUrl.message).toContain("the data: URL's type image/bmp, which is not one of them");
  });

  it("rejects bad sources and formats with the reason", () => {
    expect(errorOf(() => imageBlock(png(), "bmp" as "png")).message).toBe(
      'image format: "bmp" is not one of png, jpeg, gif, webp',
    );
    expect(errorOf(() => imageBlock(new Uint8Array())).message).toContain("the bytes are empty");
    expect(errorOf(() => imageBlock("")).message).toContain("the string is empty");
    const notB64 = errorOf(() => imageBlock("hello world!"));
    expect(notB64.field).toBe("source");
    expect(notB64.message).toContain(`character "!" at index 10`);
    expect(notB64.message).toContain("base64, a data: URL or an s3:// URI");
    expect(errorOf(() => imageBlock("data:image/png;base64")).message).toContain("no comma");
    expect(errorOf(() => imageBlock("data:image/png;base64,AAA=A")).message).toContain("padding");
    expect(errorOf(() => imageBlock("s3://Bad_Bucket/x.png")).message).toContain("is not an S3 URI");
    expect(errorOf(() => imageBlock({ s3: "s3://bucket/x.png", bucketOwner: "12" })).message).toContain(
      "12-digit AWS account id",
    );
    for (const bad of [null, undefined, 42, [1, 2], { bytes: "AAAA" }]) {
      expect(errorOf(() => imageBlock(bad as never)).message).toMatch(
        /expected bytes .* got (null|undefined|number|an array|an object)$/,
      );
    }
  });
});

describe("videoBlock", () => {
  it.each(Object.entries(VIDEOS))("%s bytes", (format, bytes) => {
    expect(videoBlock(bytes)).toEqual({ video: { format, source: { bytes: b64(bytes) } } });
  });

  it("base64 sources are sniffed from a decoded prefix, S3 keys by extension", () => {
    const big = cat(VIDEOS.mp4, new Uint8Array(3_000_000).fill(7));
    expect(videoBlock(b64(big))).toEqual({ video: { format: "mp4", source: { bytes: b64(big) } } });
    for (const [key, format] of [
      ["clip.mkv", "mkv"],
      ["a/b.MOV", "mov"],
      ["c.3gp", "three_gp"],
      ["d.mpg", "mpg"],
      ["e.m4v", "mp4"],
      ["f.wmv", "wmv"],
      ["g.flv", "flv"],
      ["h.webm", "webm"],
      ["i.mpeg", "mpeg"],
    ]) {
      expect(videoBlock({ s3: `s3://videos/${key}` }).video.format).toBe(format);
    }
    expect(videoBlock("data:video/quicktime;base64,AAAA").video.format).toBe("mov");
  });

  it("an unknown container is an error naming the video formats", () => {
    const err = errorOf(() => videoBlock(cat("RIFF", le32(4), "AVI ")));
    expect(err.media).toBe("video");
    expect(err.message).toContain("one of mkv, mov, mp4, webm, flv, mpeg, mpg, wmv, three_gp");
  });
});

describe("documentBlock", () => {
  it("infers every document format from real bytes", () => {
    const cases = [
      ["pdf", pdf()],
      ["docx", docx()],
      ["xlsx", xlsx()],
      ["doc", compoundFile("WordDocument")],
      ["xls", compoundFile("Workbook")],
      ["html", enc("<!doctype html><title>t</title>")],
      ["txt", enc("just text\n")],
    ] as const;
    for (const [format, bytes] of cases) {
      expect(documentBlock(bytes, { name: "Doc" })).toEqual({
        document: { format, name: "Doc", source: { bytes: b64(bytes) } },
      });
    }
    expect(documentBlock(enc("a,b\n"), { name: "Data", fileName: "data.csv" }).document.format).toBe("csv");
    expect(documentBlock(enc("# T"), { name: "Notes", fileName: "notes.md" }).document.format).toBe("md");
  });

  it("base64 documents are decoded whole for zip detection; data: URLs may be plain %-encoded text", () => {
    const bytes = docx();
    expect(documentBlock(b64(bytes), { name: "Letter" }).document).toMatchObject({
      format: "docx",
      source: { bytes: b64(bytes) },
    });
    const csv = documentBlock("data:text/csv,name%2Cage%0AAda%2C36", { name: "People" }).document;
    expect(csv.format).toBe("csv");
    expect(Buffer.from((csv.source as { bytes: string }).bytes, "base64").toString()).toBe(
      "name,age\nAda,36",
    );
    expect(documentBlock("data:text/markdown;charset=utf-8,%23%20Hi", { name: "Hi" }).document.format).toBe(
      "md",
    );
  });

  it("S3 documents by extension, text sources as text, and the optional fields", () => {
    expect(
      documentBlock("s3://docs-bucket/2024/report.PDF", {
        name: "Report (2024)",
        citations: true,
        context: "Annual",
      }),
    ).toEqual({
      document: {
        format: "pdf",
        name: "Report (2024)",
        source: { s3Location: { uri: "s3://docs-bucket/2024/report.PDF" } },
        context: "Annual",
        citations: { enabled: true },
      },
    });
    expect(documentBlock({ text: "a|b" }, { name: "Table" })).toEqual({
      document: { format: "txt", name: "Table", source: { text: "a|b" } },
    });
    expect(documentBlock({ text: "# x" }, { name: "N", fileName: "n.md" }).document.format).toBe("md");
    expect(
      documentBlock({ text: "<p>x</p>" }, { name: "N", format: "html", citations: { enabled: false } })
        .document,
    ).toEqual({
      format: "html",
      name: "N",
      source: { text: "<p>x</p>" },
      citations: { enabled: false },
    });
  });

  it("takes doc or xls from the file name when the compound file does not say", () => {
    expect(documentBlock(compoundFile("Data"), { name: "Old", fileName: "old.xls" }).document.format).toBe(
      "xls",
    );
    const err = errorOf(() => documentBlock(compoundFile("Data"), { name: "Old" }));
    expect(err.message).toContain("magic numbers (they start D0 CF 11 E0 A1 B1 1A E1)");
  });

  it("says what it tried for a zip that is not Word or Excel", () => {
    const err = errorOf(() => documentBlock(pptx(), { name: "Slides", fileName: "slides.pptx" }));
    expect(err.field).toBe("format");
    expect(err.message).toContain("magic numbers (they start 50 4B 03 04");
    expect(err.message).toContain(`the file name "slides.pptx"`);
    expect(err.message).toContain("one of pdf, csv, doc, docx, xls, xlsx, html, txt, md");
  });

  it("accepts names Bedrock accepts", () => {
    for (const name of ["Q3 report", "a-b (draft) [v2]", "Résumé 2024", "x".repeat(200)]) {
      expect(documentBlock(pdf(), { name }).document.name).toBe(name);
    }
  });

  it("rejects names Bedrock rejects, saying which character and the rule", () => {
    const dot = errorOf(() => documentBlock(pdf(), { name: "report.pdf" }));
    expect(dot.field).toBe("name");
    expect(dot.message).toBe(
      'document name: "report.pdf" contains "." (a file extension? use "report"); Bedrock allows only letters, digits, hyphens, parentheses, square brackets and single spaces',
    );
    expect(errorOf(() => documentBlock(pdf(), { name: "my_file" })).message).toContain('contains "_"');
    expect(errorOf(() => documentBlock(pdf(), { name: "two  spaces" })).message).toContain(
      "whitespace twice in a row",
    );
    expect(errorOf(() => documentBlock(pdf(), { name: "" })).message).toContain("a document needs a name");
    expect(errorOf(() => documentBlock(pdf(), { name: "x".repeat(201) })).message).toContain(
      "longer than 200",
    );
    expect(errorOf(() => documentBlock(pdf(), undefined as never)).field).toBe("name");
    expect(errorOf(() => documentBlock(pdf(), { name: "N", format: "pptx" as "pdf" })).message).toContain(
      '"pptx" is not one of pdf',
    );
  });
});

describe("base64", () => {
  it("matches Node's Buffer on random bytes of every length class, and round-trips", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70_000 }), (bytes) => {
        const text = bytesToBase64(bytes);
        expect(text).toBe(Buffer.from(bytes).toString("base64"));
        expect(base64ToBytes(text)).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it("handles the chunk boundaries and a 5 MB buffer", () => {
    for (const n of [0, 1, 2, 3, 24_575, 24_576, 24_577, 49_152, 49_153]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);
      expect(bytesToBase64(bytes)).toBe(Buffer.from(bytes).toString("base64"));
    }
    const big = Uint8Array.from(Buffer.alloc(5 * 1024 * 1024, "bedrock"));
    const text = bytesToBase64(big);
    expect(text).toBe(Buffer.from(big).toString("base64"));
    expect(Buffer.from(base64ToBytes(text)).equals(Buffer.from(big))).toBe(true);
  });

  it("decodes base64url, missing padding and line breaks; normalises them for the wire", () => {
    const bytes = Uint8Array.from([0xfb, 0xff, 0xbf, 0x00, 0x01]);
    expect(base64ToBytes("-_-_AAE")).toEqual(bytes);
    expect(base64ToBytes("+/+/\r\nAAE=")).toEqual(bytes);
    expect(normalizeBase64("-_-_ AAE")).toBe("+/+/AAE=");
    expect(normalizeBase64("QQ")).toBe("QQ==");
  });

  it("rejects text that is not base64, saying where", () => {
    expect(() => base64ToBytes("abc$")).toThrow(new TypeError('not base64: character "$" at index 3'));
    expect(() => base64ToBytes("A")).toThrow("1 characters is not a valid length");
    expect(() => base64ToBytes("AB=C")).toThrow('"=" at index 2');
    expect(() => base64ToBytes("ABC==")).toThrow("padding");
  });

  const runtimes = [
    ["bun", ["-e"]],
    ["deno", ["eval"]],
  ] as const;
  for (const [runtime, args] of runtimes) {
    it(`agrees with Buffer under ${runtime}, where Uint8Array.toBase64/fromBase64 are native`, () => {
      const bin = fileURLToPath(new URL(`../../node_modules/.bin/${runtime}`, import.meta.url));
      const module = fileURLToPath(new URL("../../src/request/bytes.ts", import.meta.url));
      const script = `
        import { bytesToBase64, base64ToBytes } from ${JSON.stringify(module)};
        const out = { native: typeof Uint8Array.prototype.toBase64 === "function", cases: [] };
        let seed = 1;
        for (const n of [0, 1, 2, 5, 24577, 100000]) {
          const bytes = new Uint8Array(n).map(() => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
          const text = bytesToBase64(bytes);
          const back = base64ToBytes(text.replace(/=+$/, ""));
          out.cases.push({ n, hex: Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(""), text, same: back.length === n && back.every((b, i) => b === bytes[i]) });
        }
        console.log(JSON.stringify(out));`;
      const json = execFileSync(bin, [...args, script], { encoding: "utf8", timeout: 60_000 });
      const out = JSON.parse(json);
      expect(out.native).toBe(true);
      for (const c of out.cases) {
        expect(c.same, `${runtime} round trip of ${c.n} bytes`).toBe(true);
        expect(c.text, `${runtime} encoding of ${c.n} bytes`).toBe(
          Buffer.from(c.hex, "hex").toString("base64"),
        );
      }
    }, 90_000);
  }
});
