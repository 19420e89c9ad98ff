// ECS file.* fields derived from a path the way Elastic Defend fills them on Linux (docs/sources.md §1.2,
// §7.8): file.name is the basename, file.extension the text after the LAST dot of the basename and absent
// when that dot is the first character (".so" and ".bashrc" have none), file.directory the parent.

/** POSIX normalisation of an absolute or relative path: collapses "//", "." and ".." (never above "/"). */
export function normalizePath(p: string): string {
  const abs = p.startsWith("/");
  const out: string[] = [];
  for (const seg of p.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!abs) out.push("..");
      continue;
    }
    out.push(seg);
  }
  const joined = out.join("/");
  return abs ? "/" + joined : joined === "" ? "." : joined;
}

/** `rel` resolved against directory `base` (rel absolute: rel itself), normalised. */
export function joinPath(base: string, rel: string): string {
  if (rel.startsWith("/")) return normalizePath(rel);
  return normalizePath(base.endsWith("/") ? base + rel : base + "/" + rel);
}

export function baseName(p: string): string {
  const trimmed = p.length > 1 && p.endsWith("/") ? p.slice(0, -1) : p;
  const i = trimmed.lastIndexOf("/");
  return i < 0 ? trimmed : trimmed.slice(i + 1);
}

export function dirName(p: string): string {
  const i = p.lastIndexOf("/");
  if (i < 0) return ".";
  if (i === 0) return "/";
  return p.slice(0, i);
}

/** Defend's file.extension: after the last dot of the basename; none for dot-files or a trailing dot. */
export function fileExtension(name: string): string | undefined {
  const i = name.lastIndexOf(".");
  if (i <= 0 || i === name.length - 1) return undefined;
  return name.slice(i + 1);
}

export interface FileFields {
  path: string;
  name: string;
  directory: string;
  extension?: string;
}

export function fileFieldsOf(path: string): FileFields {
  const name = baseName(path);
  const ext = fileExtension(name);
  const out: FileFields = { path, name, directory: dirName(path) };
  if (ext !== undefined) out.extension = ext;
  return out;
}
