/**
 * Secret redaction for anything that leaves the HTTP layer as text (error messages, response excerpts).
 * Only error paths call this, so it favours thoroughness over speed.
 */

export const REDACTED = '[redacted]';

const EXCERPT_LENGTH = 300;
const WHITESPACE = /\s+/g;
const BASE64_PADDING = /=+$/;

/**
 * The ways a secret shows up in text: as is, URL-encoded (a query key echoed back), and base64 with and without padding
 * (Basic auth values are base64 of `user:password`). Longest first, so a secret containing another goes whole.
 */
function secretForms(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    const base64 = Buffer.from(secret).toString('base64');
    forms.add(secret).add(encodeURIComponent(secret)).add(base64).add(base64.replace(BASE64_PADDING, ''));
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

export function redact(text: string, secrets: readonly string[]): string {
  for (const form of secretForms(secrets)) {
    if (text.includes(form)) text = text.replaceAll(form, REDACTED);
  }
  return text;
}

/**
 * A one-line start of a response body for messages. The whole text is redacted before it is cut, so a secret across
 * the cut cannot leave a readable prefix.
 */
export function excerpt(text: string, secrets: readonly string[]): string {
  const line = redact(text, secrets).replace(WHITESPACE, ' ').trim();
  return line.length <= EXCERPT_LENGTH ? line : `${line.slice(0, EXCERPT_LENGTH - 1)}…`;
}
