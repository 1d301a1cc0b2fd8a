<?php
// Reads inputs on standard input ("<length>\n<bytes>") and answers one line
// per input: "ERR" when PHP refuses the code, else the base64 of the
// significant tokens, one per line, projected as phpdiff_test.go projects
// glpinet's. token_get_all() tokenizes (and with TOKEN_PARSE parses)
// without running anything.
$in = fopen('php://stdin', 'rb');
while (($hdr = fgets($in)) !== false) {
    $n = (int) $hdr;
    $src = '';
    while (strlen($src) < $n && !feof($in)) {
        $src .= fread($in, $n - strlen($src));
    }
    try {
        $toks = token_get_all($src, TOKEN_PARSE);
    } catch (\Throwable $e) {
        echo "ERR\n";
        continue;
    }
    $out = [];
    $dyn = false;
    $heredoc = null;
    foreach ($toks as $t) {
        if (is_string($t)) {
            if ($heredoc !== null && $dyn) {
                $heredoc .= $t;
                $static = false;
                continue;
            }
            if ($t === '"' || $t === '`' || $t === 'b"' || $t === 'B"') {
                if ($dyn) {
                    $out[] = 'S~';
                }
                $dyn = !$dyn;
                continue;
            }
            if (!$dyn) {
                foreach (str_split($t) as $c) {
                    $out[] = 'P:' . $c;
                }
            }
            continue;
        }
        [$id, $text] = $t;
        if ($id === T_START_HEREDOC) {
            $dyn = true;
            $heredoc = $text;
            $static = true;
            continue;
        }
        if ($id === T_END_HEREDOC) {
            $dyn = false;
            // A heredoc or nowdoc without interpolation is one literal:
            // evaluating its source decodes it and runs no code.
            $out[] = $static ? 'S:' . base64_encode(eval('return ' . $heredoc . $text . ";\n")) : 'S~';
            $heredoc = null;
            continue;
        }
        if ($dyn) {
            if ($heredoc !== null) {
                $heredoc .= $text;
                $static = $static && $id === T_ENCAPSED_AND_WHITESPACE;
            }
            continue;
        }
        switch ($id) {
            case T_WHITESPACE:
            case T_COMMENT:
            case T_DOC_COMMENT:
            case T_INLINE_HTML:
                break;
            case T_OPEN_TAG:
                $out[] = 'OPEN';
                break;
            case T_OPEN_TAG_WITH_ECHO:
                $out[] = 'OPEN=';
                break;
            case T_CLOSE_TAG:
                $out[] = 'CLOSE';
                break;
            case T_VARIABLE:
                $out[] = 'V:' . substr($text, 1);
                break;
            case T_LNUMBER:
            case T_DNUMBER:
                $out[] = '#' . $text;
                break;
            case T_CONSTANT_ENCAPSED_STRING:
                // One complete literal token, never interpolated: its
                // evaluation is PHP's own decoding of that literal and runs
                // no code.
                $out[] = 'S:' . base64_encode(eval('return ' . $text . ';'));
                break;
            default:
                if (preg_match('/^\(\s*([a-zA-Z]+)\s*\)$/', $text, $m)) { // casts
                    array_push($out, 'P:(', 'N:' . $m[1], 'P:)');
                } elseif (preg_match('/^[\\\\a-zA-Z_\x80-\xff]/', $text)) {
                    $out[] = 'N:' . $text;
                } else {
                    foreach (str_split($text) as $c) {
                        $out[] = 'P:' . $c;
                    }
                }
        }
    }
    echo base64_encode(implode("\n", $out)), "\n";
}
