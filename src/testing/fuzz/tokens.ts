// Interesting tokens per input format, spliced in by the "splice" mutation (mutate.ts), often repeated:
// numbers at the edges of double precision, escapes that decode to nothing valid, openers without
// closers (repeated: deep nesting), wildcard runs, and each format's own framing.
// The event-log dictionaries deliberately hold no "/usr/lib", "/dev/shm", ".so", "nametype=CREATE" or
// DestinationPort text: inserted lines must never become events the campaign's rules match (events.ts).

export const JSON_TOKENS: readonly string[] = [
  "1e400", "-1e400", "-0", "9007199254740993", "0.0000000000000000000000000001", "NaN", "Infinity", "0x10", "01",
  '"\\ud800"', '"\\udc00\\ud800"', '"\\u0000"', "\u0000", "\ufeff", '"\\u"', '"\\', "\\", '"', "'",
  "[", "]", "{", "}", '{"a":', "[[", ",", ":", "null", "true", "{}", "[]", '"a"', '""',
  '"@timestamp":"not a date",', '"@timestamp":1e400,', '"@timestamp":"+275760-09-13T00:00:00.001Z",', '"@timestamp":-8640000000000001,',
  '"@timestamp":null,', '"@timestamp":["2024-06-10T00:00:00Z"],', '"event":null,', '"event":{"category":{"x":1}},',
  '"host":[1,{"os":null}],', '"process":{"name":{"x":[]}},', '"process":"x",', '"_id":1,', '"_index":{},', '"_source":7,',
  '"__proto__":{"polluted":1},', '"constructor":{"prototype":{}},', '"toString":1,', '"a.b":1,', '"":1,',
  "AAAAAAAAAAAAAAAA", "\u00e9", "\ud83d\ude00", "\r", "\n", "\r\n", "\t", " ",
];

export const AUDITD_TOKENS: readonly string[] = [
  "msg=audit(99999999999999999999.999:1): ", "msg=audit(1.0:18446744073709551616): ", "msg=audit(-1.5:3): ", "msg=audit(:): ",
  "msg=audit(", "msg=audit(1e400:1): ", "msg=audit(1700000000.000:4294967296): ", "msg=audit(0.0:0): ",
  "type=SYSCALL ", "type=EXECVE ", "type=PATH ", "type=CWD ", "type=PROCTITLE ", "type=EOE ", "type=UNKNOWN[1327] ", "type= ",
  "node=", "node=host ", "node= ", "argc=99999999 ", "argc=-1 ", "argc=3 ", "a0_len=100 ", "a0_len=99999999999 ", "a0[0]=", "a0[1]=414243 ",
  "a0[99999]=41 ", "a1=41 ", "a2=4142434 ", "a3=ZZ ", "proctitle=4142434 ", "proctitle=", "name=414243 ", "name=(null) ", "name= ",
  "nametype=UNKNOWN ", "nametype= ", "item=99999 ", "item=-1 ", "items=99999 ", "pid=-1 ", "ppid=99999999999999999999 ", "uid=4294967295 ",
  "auid=unset ", "ses=4294967295 ", "exit=-99999999999 ", "success=maybe ", "syscall=99999 ", "arch=c000003e ", "arch=zz ",
  "saddr=0200 ", "saddr=0A00FFFF ", "saddr=0100 ", "saddr=ZZ ", "cap_fp=ffffffffffffffffffff ", "cap_fe=9 ", "key=", 'key="unterminated ',
  '"', "'", "=", "  ", "\u001d", "\u0000", "\ufeff", "\r", "\r\n", "\n", "\\", "x=", "=x ", "(", ")", ":",
];

export const SYSMON_TOKENS: readonly string[] = [
  "&#x110000;", "&#xD800;", "&#0;", "&#x0;", "&#99999999999;", "&#;", "&#x;", "&bogus;", "&amp;", "&lt;", "&", "&#",
  "<Event>", "</Event>", "<System>", "</System>", "<EventData>", "</EventData>", '<Data Name="Image">', "</Data>", '<Data Name="">',
  '<Data Name="UtcTime">2021-13-45 25:61:61.000</Data>', '<Data Name="ProcessId">-1</Data>', '<Data Name="ProcessId">99999999999999999999</Data>',
  "<EventID>", "</EventID>", "<EventID>99999999999</EventID>", "<EventID></EventID>", "<EventID>1</EventID>", "<EventID>-5</EventID>",
  '<TimeCreated SystemTime="9999-99-99T99:99:99Z"/>', '<TimeCreated SystemTime=""/>', 'SystemTime="', "<Computer></Computer>",
  "<![CDATA[", "]]>", "<!--", "-->", "<?xml ", "<", ">", "/>", '"', "'", "=", "sysmon: ", "sysmon:", " ",
  "\r\n", "\r", "\n", "\u0000", "\ufeff", "\ud83d\ude00",
];

export const TOML_TOKENS: readonly string[] = [
  '"', "'", '"""', "'''", '"\\', '"\\u', '"\\uD800"', '"\\U00110000"', '"\\u0000"', "\u0000", "\ufeff",
  "[rule]\n", "[metadata]\n", "[[rule.threat]]\n", "[rule.new_terms]\n", "[[rule.new_terms.history_window_start]]\n", "[a.", "[[", "]]", "[", "]",
  "a.", "{", "}", "x = {", "x = [", "= ", " = ", "=\n",
  'type = "eql"\n', 'type = "query"\n', 'type = "new_terms"\n', 'type = "threshold"\n', "type = 1\n", 'language = "eql"\n',
  'language = "kuery"\n', 'language = "lucene"\n', "query = 1\n", 'query = ""\n', 'query = "*"\n', 'query = "sequence [process where true]"\n',
  'from = "now-1000000000000000000d"\n', 'from = "now+1d"\n', 'interval = "0s"\n', 'interval = "-5m"\n', "index = []\n",
  'rule_id = "x"\n', "max_signals = -1\n", "max_signals = 1e400\n", "risk_score = 9007199254740993\n", "risk_score = nan\n",
  "value = []\n", 'value = ["a", "a"]\n', 'value = ["a", "b", "c", "d"]\n', 'field = "new_terms_fields"\n', 'value = "now-1000000y"\n',
  "1979-05-27T07:32:00Z", "inf", "-inf", "nan", "0x", "1__0", "+", "#", "\n", "\r\n", "\r", "\t", "true", "[[]]", "x = [[[[",
  // long chains inside a query string (the query checkers compile them)
  " and process.pid == 1", " or host.name : \"*\"", "-0", " and not ",
];

export const KQL_TOKENS: readonly string[] = [
  "(", ")", "{", "}", ":", "*", "**********", "\\", "\\*", "\\(", "\\\\", '"', '\\"', "and", "or", "not", " and ", " or ", " not ",
  "<=", ">=", "<", ">", ":<", "@timestamp >= now-1d", '@timestamp < "2024-13-45"', "@timestamp > now+1000000y", "@timestamp:*",
  "process.args:", "file.path:/usr/*", "host.*:", "*:*", "a:{b:{c:d}}", "x:{", ".", "..", '"\\u0000"', "\u0000", "\\u", "\\u12",
  ":(a or b)", "1e400", "-0", "9007199254740993", "*\\**", "?", "event.ingested > 1e400", "process.pid >= -1e400",
  "source.ip:10.0.0.0/99", "source.ip:::1", "source.ip:*", 'destination.ip:"1.2.3.4/33"', "process.name:*a*a*a*a*a*a*a*a*b",
  "\ud800", "\ufeff", " ", "\n", "\t",
];

export const EQL_TOKENS: readonly string[] = [
  "(", ")", "[", "]", "sequence ", "sequence by host.id ", "[process where true] ", "with maxspan=", "with maxspan=1000000000000d ", "maxspan=0s ",
  "until ", "sample by host.id ", "any where ", " where ", "where true", ":", "==", "!=", "~", " like~ ", " regex~ ", ' : "*"', ' like "a*a*a*a*a*a*b"',
  ' regex "(a+)+$"', ' regex "["', '"\\u{110000}"', '"\\u{D800}"', '"\\u{"', '"""', '?"', "?'", " and not ", " or ", " | ", "| head 0", "| tail -1",
  "| head 99999999999999999999", " descendant of ", " child of ", 'cidrMatch(source.ip, "10.0.0.0/999")', "cidrMatch(", "length(", "wildcard(",
  "stringContains(", "startsWith~(", "number(", 'number("1e400")', "add(9007199254740993, 1)", "divide(1, 0)", "modulo(1, 0)",
  "1e400", "-0", "9007199254740993", "0x", "\\", "/*", "*/", "//", "runs=", "with runs=99999 ", "with runs=0 ", "`", "`a.b`",
  "process.args[0]", "process.args[-1]", "\ud800", "\u0000", "\ufeff", " ", "\n", "\t",
];
