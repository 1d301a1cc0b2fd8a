// Package php reads PHP source without running it: the one PHP reader of
// glpinet, used by glpihost (GLPI's config_db.php, local_define.php and
// the files defining GLPI's version) and pluginarchive (a plugin's
// setup.php).
//
// [Lex] splits a source into [Token]s with their byte offsets and lines,
// following PHP 7.4 to 8.4's own scanner and refusing, with an EINVALID
// *glpinet.Error naming the line, what PHP refuses or what PHP's
// settings or version would make it read differently (short open tags,
// "#["). It is tested against PHP's token_get_all on every input a fuzzer
// finds (FuzzLexAgainstPHP). [LexLenient] reads such files as PHP 8 with
// short_open_tag on does, for readers that only look for declarations.
//
// [Eval] evaluates the side-effect-free expressions configuration files
// and setup.php use (literals, "." concatenation, constants, arrays, ?:,
// getenv(), dirname(), translation helpers through [Env.Call]) to a
// [Value], or to Unknown rather than to a guess. Deciding which
// statements PHP certainly runs is left to the readers: it depends on
// what they read the file for.
//
// Memory stays linear in the source, with a small constant, whatever it
// holds: tokens take 32 bytes, at most one per byte of source
// (BenchmarkLexWorstCase), and concatenations are bounded per [Env].
package php
