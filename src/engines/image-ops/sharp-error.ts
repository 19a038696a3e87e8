/**
 * What went wrong in a sharp (libvips) call, in words for a user: libvips prefixes its
 * messages with internal names (`VipsJpeg:`, `vips_image_get:`, `pngload_buffer:`) and
 * repeats a warning once per scanline. The gist stays: "corrupt header: Bogus Huffman
 * table definition", not three copies of "VipsJpeg: Bogus Huffman table definition".
 */
const INTERNAL_PREFIX = /^(?:Vips[A-Za-z]*|vips_{1,2}[a-z_]+|vips2[a-z]+|[a-z0-9]+(?:load|save)(?:_[a-z]+)?|extract_area|[a-z]+_area|libspng(?: read error)?|heif|tiff2vips|gif|magick|svg|pdf|webp|png|jpeg)\s*:\s*/i;

/** sharp's own sentences, said plainly. */
const PLAIN: readonly (readonly [RegExp, string])[] = [
  [/^Input (?:buffer|file) contains unsupported image format$/i, 'not an image format Shenbi reads'],
  [/^Input (?:buffer|file) has corrupt header$/i, 'the file is damaged (corrupt header)'],
  [/^Input image exceeds pixel limit$/i, 'the picture has more pixels than allowed'],
  [/^premature end of (?:JPEG )?(?:image|file|input)$/i, 'the file is truncated'],
  [/^bad extract area$/i, 'the area lies outside the picture'],
];

function stripPrefixes(line: string): string {
  let text = line.trim();
  for (let previous = ''; previous !== text; ) {
    previous = text;
    text = text.replace(INTERNAL_PREFIX, '');
  }
  return text.replace(/[:\s]+$/, '');
}

/** Follow-on lines that only say the failure above stopped the output. */
const ECHOES = /^unable to (?:write to|call) \w+(?: \w+)?$/i;

function plainly(part: string): string {
  return PLAIN.find(([pattern]) => pattern.test(part))?.[1] ?? part;
}

export function sharpErrorGist(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // "Input buffer has corrupt header: VipsJpeg: …": sharp's sentence, then libvips' cause on the same line.
  const lines = message.split('\n').flatMap((line) => {
    const head = /^(Input (?:buffer|file) has corrupt header):\s*(.*)$/i.exec(line.trim());
    return head ? [head[1]!, head[2]!] : [line];
  });
  const parts: string[] = [];
  for (const line of lines) {
    const text = plainly(stripPrefixes(line));
    if (text !== '' && !ECHOES.test(text) && !parts.includes(text)) parts.push(text);
  }
  const gist = parts.length === 0 ? 'the image could not be read' : parts.join(': ');
  return gist.length > 240 ? `${gist.slice(0, 237)}…` : gist;
}
