// Images a customer uploads: only the formats a browser shows as pictures, recognised by their
// first bytes (never by the name or the declared type alone), so nothing else is ever served
// back as a page could run it (no SVG, no HTML).
const SIGNATURES: { mime: string; test: (b: Buffer) => boolean }[] = [
  {
    mime: "image/png",
    test: (b) => b.subarray(0, 8).equals(Buffer.from("89504e470d0a1a0a", "hex")),
  },
  { mime: "image/jpeg", test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { mime: "image/gif", test: (b) => b.subarray(0, 4).toString("latin1") === "GIF8" },
  {
    mime: "image/webp",
    test: (b) =>
      b.subarray(0, 4).toString("latin1") === "RIFF" &&
      b.subarray(8, 12).toString("latin1") === "WEBP",
  },
];

export const IMAGE_TYPES = SIGNATURES.map((s) => s.mime);

/** The image's real type, or null when the bytes are not one of the accepted formats. */
export function imageType(data: Buffer): string | null {
  return SIGNATURES.find((s) => s.test(data))?.mime ?? null;
}

/** A file name safe to show and to send in a header. */
export function safeName(raw: string | undefined): string {
  const name = (raw ?? "")
    .replace(/[^\p{L}\p{N}._ -]/gu, "")
    .trim()
    .slice(0, 80);
  return name || "image";
}
