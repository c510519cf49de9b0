/**
 * The parameters of a Bot API call sent as multipart/form-data, as grammY does when it uploads an
 * InputFile: plain fields as text (chat_id as a number), and each `attach://<id>` value replaced by the
 * file sent under that id.
 */

/** An uploaded file, as a fake Telegram received it. */
export type UploadedFile = { filename: string; bytes: Buffer };

export function boundaryOf(contentType: string | undefined): string | undefined {
  return /^multipart\/form-data; boundary=(.+)$/.exec(contentType ?? "")?.[1];
}

export function parseMultipart(body: Buffer, boundary: string): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const files = new Map<string, UploadedFile>();
  const delimiter = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    // Each part: "\r\n", its headers, "\r\n\r\n", its content, "\r\n".
    const part = body.subarray(start + delimiter.length + 2, next - 2);
    const split = part.indexOf("\r\n\r\n");
    const headers = part.subarray(0, split).toString("utf8");
    const content = part.subarray(split + 4);
    const name = /name="([^"]+)"/.exec(headers)?.[1] ?? "";
    const filename = /filename=([^\r\n;]+)/.exec(headers)?.[1];
    if (filename !== undefined) files.set(name, { filename, bytes: Buffer.from(content) });
    else {
      const text = content.toString("utf8");
      fields[name] = name === "chat_id" && /^-?\d+$/.test(text) ? Number(text) : text;
    }
    start = next;
  }
  for (const [key, value] of Object.entries(fields))
    if (typeof value === "string" && value.startsWith("attach://"))
      fields[key] = files.get(value.slice("attach://".length));
  return fields;
}
