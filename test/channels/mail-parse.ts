/** Just enough of RFC 5322 / MIME to read what the SMTP tests receive: headers, and the parts' decoded text. */

export interface ParsedMail {
  headers: Map<string, string>;
  parts: Array<{ type: string; text: string }>;
}

function split(raw: string): { headers: Map<string, string>; body: string } {
  const at = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, at).replace(/\r\n[ \t]+/g, ' '); // unfold
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: raw.slice(at + 4) };
}

function decodeBody(body: string, encoding: string | undefined): string {
  if (encoding?.toLowerCase() === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding?.toLowerCase() === 'quoted-printable') {
    const bytes = body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

export function parseMail(raw: string): ParsedMail {
  const { headers, body } = split(raw);
  const type = headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (!boundary) return { headers, parts: [{ type: type.split(';')[0]!, text: decodeBody(body, headers.get('content-transfer-encoding')) }] };
  const parts = body
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((chunk) => {
      const part = split(chunk.replace(/^\r\n/, ''));
      return { type: (part.headers.get('content-type') ?? 'text/plain').split(';')[0]!, text: decodeBody(part.body.replace(/\r\n$/, ''), part.headers.get('content-transfer-encoding')) };
    });
  return { headers, parts };
}
