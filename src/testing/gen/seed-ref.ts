// Test oracle for the generators' tests (not product code): the seed rule's query written out by hand as a
// plain predicate over nested ECS objects, so the generated data can be checked without tern's KQL.

export type Doc = Record<string, unknown>;
export function get(doc: Doc, path: string): unknown {
  let cur: unknown = doc;
  for (const k of path.split(".")) {
    if (typeof cur !== "object" || cur === null) return undefined;
    cur = (cur as Doc)[k];
  }
  return cur;
}

/** The seed query, by hand: host.os.type:linux and event.action:(creation or file_create_event or
 * file_rename_event or rename) and file.path:(/dev/shm/* or /usr/lib/*) and file.extension:so and
 * process.name:(* and not (5 dockerd dpkg rpm snapd exe yum vmis-launcher)). */
export function seedQueryRef(doc: Doc): boolean {
  const path = get(doc, "file.path");
  const name = get(doc, "process.name");
  return (
    get(doc, "host.os.type") === "linux" &&
    ["creation", "file_create_event", "file_rename_event", "rename"].includes(String(get(doc, "event.action"))) &&
    typeof path === "string" &&
    (path.startsWith("/dev/shm/") || path.startsWith("/usr/lib/")) &&
    get(doc, "file.extension") === "so" &&
    typeof name === "string" &&
    !["5", "dockerd", "dpkg", "rpm", "snapd", "exe", "yum", "vmis-launcher"].includes(name)
  );
}

