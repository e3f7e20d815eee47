// A system error (ENOSPC, EACCES, ...) as a short phrase for a one-line message: Node's own text without the code
// prefix, the system call and the path ("ENOSPC: no space left on device, write" becomes "no space left on device
// (ENOSPC)"). The message that quotes it names the file itself.

const TEXT: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOENT: "no such file or folder",
  ENOTDIR: "a part of the path is not a folder",
  EISDIR: "it is a folder",
  ENOSPC: "no space left on device",
  EROFS: "read-only file system",
  EDQUOT: "disk quota exceeded",
  EEXIST: "it already exists",
  ELOOP: "too many symbolic links",
  ENXIO: "no such device or address",
  EPIPE: "the reader closed the pipe",
  EIO: "input/output error",
};

export function errnoText(e: unknown): string {
  const err = e as NodeJS.ErrnoException | undefined;
  const code = typeof err?.code === "string" ? err.code : undefined;
  if (code && TEXT[code]) return `${TEXT[code]} (${code})`;
  const message = String(err?.message ?? e ?? "unknown error");
  const m = /^([A-Z][A-Z0-9_]+): (.*?)(?:, [a-z_]+(?: '.*)?)?$/s.exec(message);
  if (m) return `${m[2]} (${m[1]})`;
  return code ? `${message} (${code})` : message;
}
