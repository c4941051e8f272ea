// The one place secrets are taken out of text before it is logged or printed: connection-string keys,
// passwords in URLs, SAS signatures and bearer tokens.

const PATTERNS: readonly [RegExp, string][] = [
  // AccountKey=…;  SharedAccessKey=…;  SharedAccessSignature=…;  Password=…;  (connection strings)
  [/\b(AccountKey|SharedAccessKey|SharedAccessSignature|Password|Pwd|ClientSecret)=([^;\s"']+)/gi, '$1=***'],
  // scheme://user:password@host
  [/\b([a-z][a-z0-9+.-]*:\/\/[^/\s:@"']+):([^@\s"']+)@/gi, '$1:***@'],
  // sig=… in SAS query strings
  [/([?&]sig=)[^&\s"']+/gi, '$1***'],
  // Authorization: Bearer …
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, '$1 ***'],
];

/** `text` with every recognisable secret replaced by ***. */
export function redact(text: string): string {
  return PATTERNS.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}
