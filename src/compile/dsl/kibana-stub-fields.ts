// The test index pattern of docs/kql.md §5 ("STUB", Kibana's filters/stubs field list as the spec
// describes it), used by the `kibana_stub_fields` DSL conformance cases and the unit tests.
import type { IndexPattern } from "./types.js";

export const KIBANA_STUB_INDEX_PATTERN: IndexPattern = {
  title: "logstash-*",
  fields: [
    { name: "bytes", type: "number", esTypes: ["long"] },
    { name: "ssl", type: "boolean", esTypes: ["boolean"] },
    { name: "@timestamp", type: "date", esTypes: ["date"] },
    { name: "extension", type: "string", esTypes: ["text"] },
    { name: "machine.os", type: "string", esTypes: ["text"] },
    { name: "machine.os.raw", type: "string", esTypes: ["text"] },
    { name: "machine.os.keyword", type: "string", esTypes: ["keyword"] },
    { name: "script number", type: "number", scripted: true, script: "1234", lang: "expression" },
    { name: "script date", type: "date", scripted: true, script: "1234", lang: "painless" },
    { name: "script string", type: "string", scripted: true, script: "'i am a string'", lang: "expression" },
    { name: "nestedField.child", type: "string", esTypes: ["text"], subType: { nested: { path: "nestedField" } } },
    {
      name: "nestedField.nestedChild.doublyNestedChild",
      type: "string",
      esTypes: ["text"],
      subType: { nested: { path: "nestedField.nestedChild" } },
    },
  ],
};
