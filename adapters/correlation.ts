/**
 * The correlation headers every department call carries (X-Request-Id, X-Operator-Id, X-Purpose).
 * A purpose is written by people, often in Chinese, and HTTP header values are bytes 0x20–0x7e in
 * practice: text outside that (and `%` itself) travels percent-encoded as UTF-8, and is read back
 * the same way — at the hub from clients, and in a remote adapter from the hub.
 */
export interface Correlation {
  requestId: string;
  operator: string;
  purpose: string;
}

/** Text as a header value: printable ASCII as it is, everything else (and `%`) percent-encoded (a lone surrogate, which has no UTF-8, as U+FFFD). */
export const toHeaderValue = (text: string): string =>
  text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd').replace(/[^\x20-\x24\x26-\x7e]/gu, (c) => encodeURIComponent(c));

/** A header value back to text: percent-decoded when it is valid UTF-8 percent-encoding, control characters dropped, at most `max` characters. */
export function fromHeaderValue(value: string | string[] | undefined | null, max = 128): string | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return undefined;
  let text = raw;
  if (raw.includes('%')) {
    try {
      text = decodeURIComponent(raw);
    } catch {
      text = raw; // not percent-encoding after all (e.g. "100%")
    }
  }
  const clean = [...text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '')].slice(0, max).join('').trim();
  return clean || undefined;
}

export const correlationHeaders = (c: Correlation): Record<string, string> => ({
  'x-request-id': toHeaderValue(c.requestId),
  'x-operator-id': toHeaderValue(c.operator),
  'x-purpose': toHeaderValue(c.purpose),
});
