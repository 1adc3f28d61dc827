// Comparing bytes in place. njs 0.7.9 searches a Buffer for a string needle by trying every position,
// so code on the per-chunk path checks a known place byte by byte instead. Pure: runs in njs and node.

/** Whether `buf` holds the ASCII `text` at `at`. */
export function holdsAt(buf: Buffer, at: number, text: string): boolean {
  if (at < 0 || at + text.length > buf.length) return false;
  for (let k = 0; k < text.length; k++) if (buf[at + k] !== text.charCodeAt(k)) return false;
  return true;
}
