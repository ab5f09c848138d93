/* Unit tests for dock's --format templates (src/frontend/cli/format*.c) and tables (table.c):
   every construct of the subset over an inspect-like record, the errors (unknown field, bad
   syntax, unclosed action …) with their positions, header rows and the tabwriter's alignment.
   Expected texts are what Go's text/template, fmt and tabwriter print. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "cli/format.h"
#include "cli/table.h"
#include "tap.h"
#include "util/jv.h"

static const char record[]
    = "{\"Id\": \"abc123def456\", \"Name\": \"/web\", \"Count\": 3, \"Big\": 1000000, \"Ratio\": 0.5,"
      " \"Million\": 1000000.0, \"Tiny\": 1.5e-7, \"Frac\": 123.25, \"Neg\": -7,"
      " \"State\": {\"Status\": \"running\", \"Running\": true, \"Pid\": 42, \"Health\": null},"
      " \"Config\": {\"Image\": \"busybox\", \"Env\": [\"A=1\", \"B=2\"], \"Labels\": {\"b\": \"2\", \"a\": \"1\"},"
      "   \"Cmd\": [\"sh\", \"-c\", \"echo hi\"]},"
      " \"Empty\": \"\", \"Zero\": 0, \"False\": false, \"Null\": null, \"EmptyList\": [], \"EmptyObj\": {},"
      " \"Mounts\": [{\"Source\": \"/a\", \"Destination\": \"/b\"}, {\"Source\": \"/c\", \"Destination\": \"/d\"}],"
      " \"NetworkSettings\": {\"Networks\": {\"bridge\": {\"IPAddress\": \"172.17.0.2\"}},"
      "   \"Ports\": {\"80/tcp\": [{\"HostIp\": \"0.0.0.0\", \"HostPort\": \"8080\"}]}},"
      " \"Words\": \"hello big world\", \"Mixed\": \"Hello World\", \"Quote\": \"a\\\"b\\n<&>\","
      " \"Nested\": [[1, 2], [3]], \"Obj\": {\"y\": [1, \"a\", true, null], \"x\": 1},"
      " \"HostConfig\": {\"LogConfig\": {\"Type\": \"json-file\", \"Config\": {}}}}";

static jv data;

static jv
parse (const char *json)
{
  lcr_error_t err = NULL;
  jv v = jv_parse (json, strlen (json), "test", &err);
  if (v == NULL)
    {
      printf ("# bad test JSON: %s\n", err->msg);
      exit (1);
    }
  return v;
}

/* compile with flags, run over d: the output, or "ERR: message" */
static char *
run_on (const char *tmpl, unsigned flags, jv d)
{
  lcr_error_t err = NULL;
  struct dock_tmpl *t = NULL;
  char *out = NULL;
  if (dock_format_compile (tmpl, flags, &t, &err) < 0 || dock_format_exec (t, d, &out, &err) < 0)
    {
      if (asprintf (&out, "ERR: %s", err ? err->msg : "(no message)") < 0)
        abort ();
      lcr_error_release (&err);
    }
  dock_format_free (t);
  return out;
}

static void
check (const char *tmpl, const char *want)
{
  char *got = run_on (tmpl, 0, data);
  char *name = lcr_escape_controls (tmpl);
  is_str (got, want, "%s", name);
  free (name);
  free (got);
}

static void
check_on (const char *json, const char *tmpl, const char *want)
{
  jv d = parse (json);
  char *got = run_on (tmpl, 0, d);
  is_str (got, want, "%s over %s", tmpl, json);
  free (got);
  jv_free (d);
}

/* fails, with `want` in the message */
static void
check_err (const char *tmpl, const char *want)
{
  char *got = run_on (tmpl, 0, data);
  char *name = lcr_escape_controls (tmpl);
  if (!ok (strncmp (got, "ERR: ", 5) == 0 && strstr (got, want) != NULL, "%s fails with \"%s\"", name, want))
    printf ("#   got \"%s\"\n", got);
  free (name);
  free (got);
}

static void
test_fields (void)
{
  check ("plain text", "plain text");
  check ("", "");
  check ("{{.Name}}", "/web");
  check ("{{.State.Status}} {{.State.Pid}}", "running 42");
  check ("id={{.Id}}, image={{.Config.Image}}.", "id=abc123def456, image=busybox.");
  check ("{{$.Name}}", "/web");
  check_on ("{\"b\": 1, \"a\": \"x\"}", "{{.}}", "map[a:x b:1]");
  check_on ("[1, \"two\", null]", "{{.}}", "[1 two <nil>]");
  check_on ("\"just a string\"", "{{.}}", "just a string");
}

static void
test_printing (void)
{
  check ("{{.Config.Env}}", "[A=1 B=2]");
  check ("{{.Nested}}", "[[1 2] [3]]");
  check ("{{.Obj}}", "map[x:1 y:[1 a true <nil>]]");
  check ("{{.EmptyList}} {{.EmptyObj}}", "[] map[]");
  check ("{{.Count}} {{.Big}} {{.Neg}}", "3 1000000 -7");
  check ("{{.Ratio}} {{.Frac}}", "0.5 123.25");
  check ("{{.Million}} {{.Tiny}}", "1e+06 1.5e-07");
  check ("{{.Null}}", "<nil>");
  check ("{{.State.Running}} {{.False}}", "true false");
}

static void
test_missing (void)
{
  /* maps: a missing key is <no value> */
  check ("{{.Config.Labels.a}}", "1");
  check ("{{.Config.Labels.zzz}}", "<no value>");
  check ("{{.Config.Labels.zzz.deeper}}", "<no value>");
  check ("{{.HostConfig.LogConfig.Config.max}}", "<no value>");
  /* anywhere else it is an error that names the field and where it is */
  check_err ("{{.Foo}}", "template: :1:2: executing \"\" at <.Foo>: can't evaluate field Foo");
  check_err ("a\n b {{.State.Nope}}", "template: :2:11: executing \"\" at <.State.Nope>: can't evaluate field Nope");
  check_err ("{{.HostConfig.LogConfig.Nope}}", "can't evaluate field Nope");
  check_err ("{{.Name.X}}", ":1:7: executing \"\" at <.Name.X>: can't evaluate field X in type string");
  check_err ("{{.State.Health.Status}}",
             ":1:8: executing \"\" at <.State.Health.Status>: nil pointer evaluating interface {}.Status");
  check_err ("{{$s := .State}}{{$s.Nope}}", ":1:20: executing \"\" at <$s.Nope>: can't evaluate field Nope");
  check_err ("{{range .Mounts}}{{.Nope}}{{end}}", "can't evaluate field Nope");

  /* a template's own set of map keys, and "everything is a map" */
  lcr_error_t err = NULL;
  struct dock_tmpl *t = NULL;
  char *out = NULL;
  static const char *const maps[] = {"State", NULL};
  ok (dock_format_compile ("{{.State.Nope}}|{{.Config.Labels.zzz}}", 0, &t, &err) == 0, "compile");
  dock_format_set_maps (t, maps);
  ok (dock_format_exec (t, data, &out, &err) < 0 && strstr (err->msg, "can't evaluate field zzz"),
      "custom map keys replace the default");
  lcr_error_release (&err);
  static const char *const maps2[] = {"State", "Labels", NULL};
  dock_format_set_maps (t, maps2);
  ok (dock_format_exec (t, data, &out, &err) == 0, "custom map keys");
  is_str (out, "<no value>|<no value>", "missing keys of custom maps");
  free (out);
  dock_format_free (t);
  char *got = run_on ("{{.Foo}}/{{.State.Nope}}", DOCK_FORMAT_ALL_MAPS, data);
  is_str (got, "<no value>/<no value>", "DOCK_FORMAT_ALL_MAPS");
  free (got);
}

static void
test_trim_comments (void)
{
  check ("a  {{- .Name -}}  b", "a/webb");
  check ("a  {{- .Name}}  b", "a/web  b");
  check ("a\n\t {{.Name -}} \n\n b", "a\n\t /webb");
  check ("{{-3}}", "-3");
  check ("a{{/* a comment */}}b", "ab");
  check ("x \n  {{- /* c */ -}} \n y", "xy");
  check_err ("{{/* open", "unclosed comment");
  check_err ("{{/* c */ .Name}}", "comment ends before closing delimiter");
}

static void
test_variables (void)
{
  check ("{{$x := .Name}}{{$x}}", "/web");
  check ("{{$x := 1}}{{$x = 2}}{{$x}}", "2");
  check ("{{$s := .State}}{{$s.Status}}", "running");
  check ("{{range .Mounts}}{{$.Name}}{{end}}", "/web/web");
  check ("{{$x := \"out\"}}{{range .Config.Env}}{{$x = .}}{{end}}{{$x}}", "B=2");
  check_err ("{{$y}}", "template: :1: undefined variable \"$y\"");
  check_err ("{{if true}}{{$x := 1}}{{end}}{{$x}}", "undefined variable \"$x\"");
  check_err ("{{$z = 1}}", "undefined variable \"$z\"");
}

static void
test_range (void)
{
  check ("{{range .Config.Env}}[{{.}}]{{end}}", "[A=1][B=2]");
  check ("{{range $i, $e := .Config.Env}}{{$i}}={{$e}};{{end}}", "0=A=1;1=B=2;");
  check ("{{range $e := .Config.Env}}{{$e}};{{end}}", "A=1;B=2;");
  check ("{{range $k, $v := .Config.Labels}}{{$k}}:{{$v}} {{end}}", "a:1 b:2 ");
  check ("{{range .Mounts}}{{.Source}}:{{.Destination}} {{end}}", "/a:/b /c:/d ");
  check ("{{range .EmptyList}}x{{else}}none{{end}}", "none");
  check ("{{range .EmptyObj}}x{{else}}none{{end}}", "none");
  check ("{{range .Null}}x{{else}}null{{end}}", "null");
  check ("{{range .Config.Labels.zzz}}x{{else}}missing{{end}}", "missing");
  check ("{{range 3}}{{.}}{{end}}", "012");
  check ("{{range .Nested}}{{if eq (len .) 1}}{{break}}{{end}}x{{end}}", "x");
  check ("{{range .Config.Env}}{{.}}{{if eq . \"A=1\"}}{{break}}{{end}}{{end}}", "A=1");
  check ("{{range $i, $e := .Config.Env}}{{if eq $i 0}}{{continue}}{{end}}{{$e}}{{end}}", "B=2");
  check ("{{range .Nested}}{{range .}}{{.}}{{end}};{{end}}", "12;3;");
  check_err ("{{range .Name}}x{{end}}", "range can't iterate over /web");
  check_err ("{{break}}", "{{break}} outside {{range}}");
  check_err ("{{$a, $b := .Name}}", "too many declarations");
}

static void
test_if_with (void)
{
  static const char *falsy[] = {".Empty", ".Zero", ".False", ".Null", ".EmptyList", ".EmptyObj", ".Config.Labels.zzz"};
  static const char *truthy[]
      = {".Name", ".Count", ".State.Running", ".Config.Env", ".Config.Labels", ".Ratio", ".Neg"};
  char t[128];
  for (size_t i = 0; i < sizeof falsy / sizeof falsy[0]; i++)
    {
      snprintf (t, sizeof t, "{{if %s}}T{{else}}F{{end}}", falsy[i]);
      check (t, "F");
    }
  for (size_t i = 0; i < sizeof truthy / sizeof truthy[0]; i++)
    {
      snprintf (t, sizeof t, "{{if %s}}T{{else}}F{{end}}", truthy[i]);
      check (t, "T");
    }
  check ("{{if .Name}}yes{{end}}", "yes");
  check ("{{if .Empty}}yes{{end}}", "");
  check ("{{if eq .Count 1}}one{{else if eq .Count 3}}three{{else}}other{{end}}", "three");
  check ("{{if eq .Count 1}}one{{else if eq .Count 2}}two{{else}}other{{end}}", "other");
  check ("{{if eq .Count 1}}one{{else if eq .Count 2}}two{{end}}", "");
  check ("{{with .State}}{{.Status}}{{end}}", "running");
  check ("{{with .Empty}}x{{else}}empty{{end}}", "empty");
  check ("{{with $p := .State.Pid}}{{$p}}{{.}}{{end}}", "4242");
  check ("{{with .Empty}}a{{else with .Name}}{{.}}{{end}}", "/web");
  check_err ("{{if .Name}}x", "unexpected EOF");
  check_err ("{{if .Name}}x{{else}}y{{else}}z{{end}}", "expected end; found {{else}}");
  check_err ("{{if}}x{{end}}", "template: :1: missing value for if");
}

static void
test_functions (void)
{
  check ("{{json .Config.Env}}", "[\"A=1\",\"B=2\"]");
  check ("{{json .Name}}", "\"/web\"");
  check ("{{json .Quote}}", "\"a\\\"b\\n<&>\"");
  check ("{{json .Mounts}}", "[{\"Source\":\"/a\",\"Destination\":\"/b\"},{\"Source\":\"/c\",\"Destination\":\"/d\"}]");
  check ("{{json .Config.Labels.zzz}} {{json .Null}} {{json .Count}}", "null null 3");
  /* maps' keys sorted as Go marshals a map, other objects in their order */
  check ("{{json .Config}}", "{\"Image\":\"busybox\",\"Env\":[\"A=1\",\"B=2\"],\"Labels\":{\"a\":\"1\",\"b\":\"2\"},"
                             "\"Cmd\":[\"sh\",\"-c\",\"echo hi\"]}");
  char *all = run_on ("{{json .Obj}}", DOCK_FORMAT_ALL_MAPS, data);
  is_str (all, "{\"x\":1,\"y\":[1,\"a\",true,null]}", "json with DOCK_FORMAT_ALL_MAPS sorts every object");
  free (all);
  check ("{{index .Config.Labels \"a\"}}", "1");
  check ("[{{index .Config.Labels \"zzz\"}}]", "[]");
  check ("{{index .NetworkSettings.Networks \"nope\"}}", "<no value>");
  check ("{{index .Config.Env 1}}", "B=2");
  check ("{{index .Nested 0 1}}", "2");
  check ("{{index .NetworkSettings.Ports \"80/tcp\" 0 \"HostPort\"}}", "8080");
  check ("{{(index .NetworkSettings.Networks \"bridge\").IPAddress}}", "172.17.0.2");
  check ("{{(index .Mounts 1).Source}}", "/c");
  check ("{{index .Name 1}}", "119");
  check_err ("{{index .Config.Env 5}}", "error calling index: index out of range: 5");
  check_err ("{{index .Config.Env \"x\"}}", "cannot index slice/array with type string");
  check_err ("{{index .Null 0}}", "index of untyped nil");
  check ("{{join .Config.Cmd \" \"}}", "sh -c echo hi");
  check ("{{split .Words \" \"}}", "[hello big world]");
  check ("{{index (split .Words \" \") 1}}", "big");
  check ("{{len (split \"a,b,,c\" \",\")}}", "4");
  check ("{{split \"héllo\" \"\"}}", "[h é l l o]");
  check ("{{.Mixed | lower}} {{upper .Mixed}}", "hello world HELLO WORLD");
  check ("{{title \"hello big-world o'neil\"}}", "Hello Big-World O'neil");
  check ("{{len .Config.Env}} {{len .Name}} {{len .Config.Labels}}", "2 4 2");
  check_err ("{{len .Count}}", "len of type int");
  check ("{{println .Name .Count}}", "/web 3\n");
  check ("{{print .Name .Count}}|{{print 1 2}}|{{print \"a\" \"b\"}}", "/web3|1 2|ab");
  check ("{{print .Config.Labels.zzz}}", "<nil>");
  check ("{{printf \"%s-%d-%v-%q-%t\" .Name .Count .Ratio .Quote .State.Running}}", "/web-3-0.5-\"a\\\"b\\n<&>\"-true");
  check ("{{printf \"%5d|%-5s|%05d|%5s|%.2s\" 42 \"ab\" 7 \"xy\" \"abc\"}}", "   42|ab   |00007|   xy|ab");
  check ("{{printf \"%d\" \"x\"}}", "%!d(string=x)");
  check ("{{printf \"%s|%q|%v\" nil 65 nil}}", "%!s(<nil>)|'A'|<nil>");
  check ("{{printf \"%s %s\" \"a\"}}", "a %!s(MISSING)");
  check ("{{printf \"%s\" \"a\" 1}}", "a%!(EXTRA int=1)");
  check ("{{printf \"%.2f|%x|%X|%c|%v|100%%\" .Ratio 255 255 65 .Config.Env}}", "0.50|ff|FF|A|[A=1 B=2]|100%");
  check ("{{truncate .Id 6}} {{truncate .Id 99}}", "abc123 abc123def456");
  check ("[{{pad .Name 1 2}}][{{pad .Empty 1 2}}]", "[ /web  ][]");
  check_err ("{{lower 1}}", "template: :1:8: executing \"\" at <1>: expected string; found 1");
  check_err ("{{lower .Count}}", "at <.Count>: wrong type for value; expected string; got int");
  check_err ("{{join .Config.Cmd}}", "at <join>: wrong number of args for join: want 2 got 1");
  check_err ("{{truncate .Id \"x\"}}", ":1:15: executing \"\" at <\"x\">: expected integer; found \"x\"");
}

static void
test_pipelines_logic (void)
{
  check ("{{.Name | printf \"%s!\"}}", "/web!");
  check ("{{.Mixed | lower | upper}}", "HELLO WORLD");
  check ("{{.Config.Env | len}}", "2");
  check ("{{eq .Count 1 2 3}} {{ne .Name \"/web\"}}", "true false");
  check ("{{lt 1 2}} {{le 2 2}} {{gt \"b\" \"a\"}} {{ge 1.5 2}} {{lt .Ratio 1}}", "true true true false true");
  check ("{{eq .Null nil}} {{eq .Config.Labels.zzz \"x\"}} {{eq .State.Running true}}", "true false true");
  check_err ("{{eq .Name 1}}", "error calling eq: incompatible types for comparison");
  check_err ("{{lt true false}}", "invalid type for comparison");
  check_err ("{{eq .Config.Env .Config.Env}}", "non-comparable type");
  check ("{{and 1 0 .Foo}}|{{and 1 2}}|{{or \"\" \"x\"}}|{{or 0 .Empty}}", "0|2|x|");
  check ("{{not .Empty}} {{not .Name}}", "true false");
  check ("{{if and .Name (not .Empty)}}both{{end}}", "both");
  check ("{{\"a\\tb\\u00e9\\x41\"}}|{{`raw\\n`}}", "a\tbéA|raw\\n");
  check ("{{1.5}} {{0x10}} {{-2}} {{1_000}} {{'a'}} {{1e3}} {{true}}", "1.5 16 -2 1000 97 1000 true");
  check_err ("{{nil}}", "nil is not a command");
  check_err ("{{.Name .Count}}", "at <.Name>: Name is not a method but has arguments");
  check_err ("{{\"x\" 1}}", "can't give argument to non-function \"x\"");
  check_err ("{{.Name | .Count}}", ":1:10: executing \"\" at <.Count>: Count is not a method but has arguments");
}

/* the piped value is the last argument: `LIST | join SEP` is join SEP LIST, which fails */
static void
test_pipe_order (void)
{
  char *got = run_on ("{{.Config.Cmd | join \"x\"}}", 0, data);
  ok (strstr (got, "wrong type for value; expected string; got []interface {}") != NULL,
      "the piped value is the last argument (join SEP LIST fails)");
  free (got);
}

static void
test_syntax_errors (void)
{
  check_err ("{{.Name", "template: :1: unclosed action");
  check_err ("x\ny{{.Name}", "template: :2: bad character U+007D '}'");
  check_err ("{{foo .Name}}", "template: :1: function \"foo\" not defined");
  check_err ("{{end}}", "unexpected {{end}}");
  check_err ("{{else}}", "unexpected {{else}}");
  check_err ("{{\"abc}}", "unterminated quoted string");
  check_err ("{{(.Name}}", "unclosed left paren");
  check_err ("{{.Name)}}", "unexpected \")\" in command");
  check_err ("{{.Name | }}", "missing value for command");
  check_err ("{{3x}}", "bad number syntax");
  check_err ("{{\"a\".Foo}}", "unexpected . after term");
  check_err ("{{template \"x\"}}", "not supported");
  check_err ("{{.Name := 1}}", "unexpected");
  check_err ("{{if .A}}{{end}}{{end}}", "unexpected {{end}}");
  char deep[1024] = "{{";
  for (int i = 0; i < 150; i++)
    strcat (deep, "(");
  check_err (deep, "nested too deeply");
  deep[0] = '\0';
  for (int i = 0; i < 101; i++)
    strcat (deep, "{{if 1}}");
  check_err (deep, "{{if}} nested too deeply");
}

static void
test_listing_and_header (void)
{
  ok (dock_format_is_table ("table {{.ID}}"), "is_table: table prefix");
  ok (!dock_format_is_table ("{{.ID}} table"), "is_table: elsewhere");
  ok (!dock_format_is_table (NULL), "is_table: NULL");

  lcr_error_t err = NULL;
  struct dock_tmpl *t = NULL;
  char *out = NULL;
  ok (dock_format_compile ("table {{.ID}}\\t{{.Names}}\\n ", DOCK_FORMAT_LISTING, &t, &err) == 0, "listing compile");
  ok (dock_format_table (t), "compiled from a table format");
  jv row = parse ("{\"ID\": \"abc\", \"Names\": \"web\"}");
  ok (dock_format_exec (t, row, &out, &err) == 0, "listing exec");
  is_str (out, "abc\tweb\n", "\\t and \\n typed on the command line become a tab and a newline");
  free (out);
  static const char *const names[] = {"ID", "CONTAINER ID", "Names", "NAMES", "Config.Image", "IMAGE (CONFIG)", NULL};
  ok (dock_format_header (t, names, &out, &err) == 0, "header");
  is_str (out, "CONTAINER ID\tNAMES\n", "header row from the names");
  free (out);
  dock_format_free (t);

  ok (dock_format_compile ("table {{.ID}}\t{{.Status | lower}}\t{{json .Labels}}\t{{.Config.Image}}\t{{.Image}}"
                           "\t{{truncate .Names 3}}\t{{printf \"%s!\" .ID}}\t{{if .X}}{{.Y}}{{end}}",
                           DOCK_FORMAT_LISTING, &t, &err)
          == 0,
      "compile a table with functions");
  ok (dock_format_header (t, names, &out, &err) == 0, "header with functions");
  is_str (out, "CONTAINER ID\tSTATUS\tLABELS\tIMAGE (CONFIG)\tIMAGE\tNAMES\tCONTAINER ID!\tY",
          "header: string functions pass titles through, unknown fields are upper-cased");
  free (out);
  dock_format_free (t);

  ok (dock_format_compile ("json", DOCK_FORMAT_LISTING, &t, &err) == 0, "--format json");
  ok (dock_format_exec (t, row, &out, &err) == 0 && !dock_format_table (t), "json runs");
  is_str (out, "{\"ID\":\"abc\",\"Names\":\"web\"}", "--format json is {{json .}}");
  free (out);
  dock_format_free (t);
  ok (dock_format_compile ("{{.ID}}\\t", 0, &t, &err) == 0, "no listing flag");
  ok (dock_format_exec (t, row, &out, &err) == 0, "exec");
  is_str (out, "abc\\t", "without DOCK_FORMAT_LISTING the text is as written");
  free (out);
  dock_format_free (t);
  jv_free (row);

  char *r = dock_format_render ("{{.State.Status}}", data, &err);
  is_str (r, "running", "dock_format_render");
  free (r);
  r = dock_format_render ("{{.Nope}}", data, &err);
  ok (r == NULL && err && strstr (err->msg, "Nope"), "dock_format_render fails");
  lcr_error_release (&err);
}

static void
test_compile_once (void)
{
  lcr_error_t err = NULL;
  struct dock_tmpl *t = NULL;
  ok (dock_format_compile ("{{.n}}{{range .l}},{{. | upper}}{{end}};", 0, &t, &err) == 0, "compile once");
  static const char *rows[]
      = {"{\"n\": 1, \"l\": [\"a\"]}", "{\"n\": 2, \"l\": []}", "{\"n\": 3, \"l\": [\"b\", \"c\"]}"};
  static const char *want[] = {"1,A;", "2;", "3,B,C;"};
  for (int i = 0; i < 3; i++)
    {
      jv d = parse (rows[i]);
      char *out = NULL;
      ok (dock_format_exec (t, d, &out, &err) == 0, "row %d", i);
      is_str (out, want[i], "row %d output", i);
      free (out);
      jv_free (d);
    }
  dock_format_free (t);
}

static void
check_table (const char *in, const char *want, const char *name)
{
  struct dock_table *t = dock_table_new ();
  dock_table_write (t, in, strlen (in));
  char *got = dock_table_render (t);
  is_str (got, want, "table: %s", name);
  free (got);
  dock_table_free (t);
}

static void
test_table (void)
{
  /* minwidth 10, padding 3: "CONTAINER ID" (12) + 3 = 15, "IMAGE" column at least 10 */
  check_table ("CONTAINER ID\tIMAGE\tNAMES\nabc\tbusybox\tweb\n",
               "CONTAINER ID   IMAGE     NAMES\n"
               "abc            busybox   web\n",
               "docker's widths");
  check_table ("A\tB\nlonger-than-ten\tx\n",
               "A                 B\n"
               "longer-than-ten   x\n",
               "widest cell + 3");
  check_table ("é\tb\nab\tc", "é         b\nab        c", "UTF-8 counts characters; no trailing newline kept as is");
  /* a line without that column ends the column block (Go's tabwriter) */
  check_table ("a\tb\nno tabs here at all\nlong-cell-here\tc\n",
               "a         b\n"
               "no tabs here at all\n"
               "long-cell-here   c\n",
               "column blocks");
  check_table ("x\t\ty\n", "x                   y\n", "empty cells are padded too");
  check_table ("", "", "empty");
  /* Go's Flush: an unfinished line's trailing tab leaves no empty cell, so its last cell is not a column */
  check_table ("a\tbb\t", "a         bb", "unfinished last line");
  check_table ("a\tbb\t\nccc\td", "a         bb        \nccc       d", "a full line keeps its trailing empty cell");

  struct dock_table *t = dock_table_new ();
  const char *r1[] = {"NAME", "SIZE"}, *r2[] = {"a-very-long-name", "1"};
  dock_table_add_row (t, r1, 2);
  dock_table_add_row (t, r2, 2);
  char *got = dock_table_render (t);
  is_str (got, "NAME               SIZE\na-very-long-name   1\n", "dock_table_add_row");
  free (got);
  got = dock_table_render (t);
  is_str (got, "", "render empties the buffer");
  free (got);
  dock_table_free (t);
}

static void
test_listing (void)
{
  static const char *const names[] = {"ID", "CONTAINER ID", "Image", "IMAGE", "Names", "NAMES", NULL};
  static const char dflt[] = "table {{.ID}}\t{{.Image}}\t{{.Names}}";
  jv rows = parse ("[{\"ID\": \"0123456789ab\", \"Image\": \"busybox\", \"Names\": \"web\"},"
                   " {\"ID\": \"ba9876543210\", \"Image\": \"docker.io/library/alpine:latest\", \"Names\": \"db\"}]");
  const struct
  {
    const char *format, *want;
  } cases[] = {
      {NULL, "CONTAINER ID   IMAGE                             NAMES\n"
             "0123456789ab   busybox                           web\n"
             "ba9876543210   docker.io/library/alpine:latest   db\n"},
      {"table", "CONTAINER ID   IMAGE                             NAMES\n"
                "0123456789ab   busybox                           web\n"
                "ba9876543210   docker.io/library/alpine:latest   db\n"},
      {"table {{.Names}}\\t{{.ID}}", "NAMES     CONTAINER ID\nweb       0123456789ab\ndb        ba9876543210\n"},
      {"{{.Names}}: {{.Image}}", "web: busybox\ndb: docker.io/library/alpine:latest\n"},
      {"json", "{\"ID\":\"0123456789ab\",\"Image\":\"busybox\",\"Names\":\"web\"}\n"
               "{\"ID\":\"ba9876543210\",\"Image\":\"docker.io/library/alpine:latest\",\"Names\":\"db\"}\n"},
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
    {
      lcr_error_t err = NULL;
      struct dock_listing *l = NULL;
      char *buf = NULL;
      size_t len = 0;
      FILE *f = open_memstream (&buf, &len);
      int r = dock_listing_new (cases[c].format, dflt, names, &l, &err);
      for (size_t i = 0; r == 0 && i < jv_len (rows); i++)
        r = dock_listing_add (l, rows->u.array.values[i], &err);
      if (r == 0)
        r = dock_listing_print (l, f, &err);
      fclose (f);
      ok (r == 0, "listing %s runs", cases[c].format ? cases[c].format : "(default)");
      is_str (buf, cases[c].want, "listing %s", cases[c].format ? cases[c].format : "(default)");
      free (buf);
      dock_listing_free (l);
      lcr_error_release (&err);
    }
  /* a table with no rows still prints its titles */
  lcr_error_t err = NULL;
  struct dock_listing *l = NULL;
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);
  ok (dock_listing_new (NULL, dflt, names, &l, &err) == 0 && dock_listing_print (l, f, &err) == 0, "empty listing");
  fclose (f);
  is_str (buf, "CONTAINER ID   IMAGE     NAMES\n", "an empty table has its header");
  free (buf);
  dock_listing_free (l);
  ok (dock_listing_new ("{{.Nope", dflt, names, &l, &err) < 0 && strstr (err->msg, "unclosed action"),
      "a bad --format fails at compile");
  lcr_error_release (&err);
  jv_free (rows);
}

int
main (void)
{
  data = parse (record);
  test_fields ();
  test_printing ();
  test_missing ();
  test_trim_comments ();
  test_variables ();
  test_range ();
  test_if_with ();
  test_functions ();
  test_pipelines_logic ();
  test_pipe_order ();
  test_syntax_errors ();
  test_listing_and_header ();
  test_compile_once ();
  test_table ();
  test_listing ();
  jv_free (data);
  return done_testing ();
}
