package glpihost

import (
	"bytes"
	"strings"
	"testing"
)

// lexSeeds are PHP fragments that exercise every lexer path.
var lexSeeds = []string{
	"",
	"<?php\n",
	localDefine,
	installerConfigDB,
	"<?php define('A', 'a'); ?>\n<p>html</p><?= $x ?>",
	"<?php /* c */ // d\n# e\n#[Attr] \"a $b {$c['d']} \\u{1F600} \\x41 \\101\" `ls` <<<EOT\nx\nEOT;\n",
	"<?php <<<'N'\n$a\n  N;\n0x1F 1_000.5e-3 .5 a->b?->c::d ... => ??",
	"<?php defined('X') or define('X', getenv('Y') ?: dirname(__DIR__, 2) . '/c');",
	"<?php define('A', array(0 => 'h1', 1 => ['h2'],), true);",
	"<? define('S', 1)",
	"<?php 'unterminated",
	"<?php /* unterminated",
}

func FuzzDefines(f *testing.F) {
	for _, s := range lexSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		defs, err := Defines(src)
		if err != nil && defs != nil {
			t.Fatalf("Defines returned both %v and an error", defs)
		}
	})
}

func FuzzSetDefine(f *testing.F) {
	for _, s := range lexSeeds {
		f.Add([]byte(s), "GLPI_NETWORK_SERVICES", "https://glpinet.example.com")
		f.Add([]byte(s), "A", `it's \ "odd" ?> <?php // ;`)
	}
	f.Add([]byte("<?php $a->"), "X", "v")
	f.Add([]byte("<?php function"), "X", "v")
	f.Add([]byte("<?php define('Y', foo("), "X", "v")
	f.Add([]byte("<?php define('A', 'X'); define(A, 1);"), "X", "v")
	f.Fuzz(func(t *testing.T, src []byte, name, value string) {
		orig := bytes.Clone(src)
		out, changed, err := SetDefine(src, name, value)
		RemoveDefine(src, name)
		if !bytes.Equal(src, orig) {
			t.Fatal("SetDefine or RemoveDefine modified its input")
		}
		if err != nil {
			return // a file SetDefine refuses: only "never panics" is promised
		}
		if !changed && !bytes.Equal(out, src) {
			t.Fatalf("unchanged, yet the output differs:\n%q\n%q", src, out)
		}
		defs, err := Defines(out)
		if err != nil {
			t.Fatalf("SetDefine produced a broken file: %v\nsrc: %q\nout: %q", err, src, out)
		}
		if got, ok := defs[name]; !ok || got != value {
			t.Fatalf("after SetDefine, Defines()[%q] = %q, %v; want %q\nsrc: %q\nout: %q", name, got, ok, value, src, out)
		}
		again, changed, err := SetDefine(out, name, value)
		if err != nil || changed || !bytes.Equal(again, out) {
			t.Fatalf("SetDefine is not idempotent:\n%q\n%q", out, again)
		}

		for _, in := range [][]byte{src, out} {
			removed, _ := RemoveDefine(in, name)
			defs, err := Defines(removed)
			if err != nil {
				t.Fatalf("RemoveDefine produced a broken file: %v\nin: %q\nout: %q", err, in, removed)
			}
			if _, ok := defs[name]; ok {
				t.Fatalf("after RemoveDefine, %q is still defined\nin: %q\nout: %q", name, in, removed)
			}
		}
	})
}

func FuzzParseConfigDB(f *testing.F) {
	for _, s := range lexSeeds {
		f.Add([]byte(s))
	}
	f.Add([]byte(`<?php class DB { public $dbhost = '[::1]:3307'; public $dbuser = 'u'; public $dbpassword = "p%40\$s"; public $dbdefault = 'd'; public $use_utf8mb4 = 1; }`))
	f.Add([]byte(`<?php class DBSlave { var $dbhost = array(0 => 'localhost:/run/s.sock'); var $dbuser = 'u'; var $dbdefault = 'd/b'; }`))
	f.Fuzz(func(t *testing.T, src []byte) {
		c, err := ParseConfigDB(src)
		if err != nil {
			return
		}
		if c.Database == "" || c.Host == "" {
			t.Fatalf("accepted a config without database or host: %+v", c)
		}
		if (c.Socket == "") == (c.Port == 0) || c.Port < 0 || c.Port > 65535 {
			t.Fatalf("inconsistent port/socket: %+v", c)
		}
		// The DSN must carry the credentials through the driver's parser
		// whenever the format can express them (see DSN).
		if strings.Contains(c.User, ":") || strings.Contains(c.Host+c.Socket, "@") {
			return
		}
		p, ok := parseDSNLikeDriver(c.DSN())
		if !ok || p.user != c.User || p.passwd != c.Password || p.dbname != c.Database {
			t.Fatalf("DSN %q parses as %+v (ok %v); config %+v", c.DSN(), p, ok, c)
		}
	})
}
