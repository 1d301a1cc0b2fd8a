package pluginarchive

import (
	"strings"
	"testing"
)

func TestParseSetupPHP(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want SetupInfo
	}{
		{
			name: "typical",
			src:  goodSetupPHP,
			want: SetupInfo{Name: "Foo reports", Version: "1.2.3", Author: "Example", License: "GPLv3+",
				Homepage: "https://github.com/example/foo", MinGLPI: "10.0.0", MaxGLPI: "10.0.99"},
		},
		{
			name: "array() syntax and legacy minGlpiVersion",
			src: `<?php
function plugin_version_foo() {
    return array('name'           => "Foo",
                 'version'        => '0.85+1.0',
                 'license'        => 'AGPLv3',
                 'minGlpiVersion' => '0.85');
}`,
			want: SetupInfo{Name: "Foo", Version: "0.85+1.0", License: "AGPLv3", MinGLPI: "0.85"},
		},
		{
			name: "requirements win over minGlpiVersion",
			src: `<?php function plugin_version_foo() { return ['version' => '1', 'minGlpiVersion' => '0.85',
				'requirements' => ['glpi' => ['min' => '9.5']]]; }`,
			want: SetupInfo{Version: "1", MinGLPI: "9.5"},
		},
		{
			name: "comments hide declarations",
			src: `<?php
// define('PLUGIN_FOO_VERSION', '9.9.9');
# define('PLUGIN_FOO_VERSION', '8.8.8');
/* define('PLUGIN_FOO_VERSION', '7.7.7'); */
define('PLUGIN_FOO_VERSION', '1.0.0'); // the real one
function plugin_version_foo() {
   // return ['version' => 'commented'];
   return [
      'name'    => 'Foo', # 'name' => 'Bar',
      /* 'version' => '6.6.6', */
      'version' => PLUGIN_FOO_VERSION,
   ];
}`,
			want: SetupInfo{Name: "Foo", Version: "1.0.0"},
		},
		{
			name: "const declarations and qualified names",
			src: `<?php
const PLUGIN_FOO_VERSION = '2.0.0', PLUGIN_FOO_MIN_GLPI = '10.0.0';
function plugin_version_foo(): array {
   return ['version' => \PLUGIN_FOO_VERSION, 'requirements' => ['glpi' => ['min' => \PLUGIN_FOO_MIN_GLPI]]];
}`,
			want: SetupInfo{Version: "2.0.0", MinGLPI: "10.0.0"},
		},
		{
			name: "namespaced const",
			src: `<?php
namespace GlpiPlugin\Foo;
const VERSION = '3.1';
function plugin_version_foo() { return ['version' => VERSION]; }`,
			want: SetupInfo{Version: "3.1"},
		},
		{
			name: "class constant",
			src: `<?php
class PluginFooConfig { const VERSION = '4.2'; public function define() {} }
function plugin_version_foo() { return ['version' => PluginFooConfig::VERSION]; }`,
			want: SetupInfo{Version: "4.2"},
		},
		{
			name: "constant declared after the function",
			src: `<?php
function plugin_version_foo() { return ['version' => PLUGIN_FOO_VERSION]; }
define('PLUGIN_FOO_VERSION', '5.0');`,
			want: SetupInfo{Version: "5.0"},
		},
		{
			name: "first define wins",
			src: `<?php
define('PLUGIN_FOO_VERSION', '1.0');
define('PLUGIN_FOO_VERSION', '2.0');
function plugin_version_foo() { return ['version' => PLUGIN_FOO_VERSION]; }`,
			want: SetupInfo{Version: "1.0"},
		},
		{
			name: "escapes",
			src: `<?php function plugin_version_foo() { return [
				'name' => "Say \"hi\"\t\x41\101\u{263A} \$x \q",
				'author' => 'It\'s me \\ \n',
				'version' => "1.0",
			]; }`,
			want: SetupInfo{Name: `Say "hi" AA☺ $x \q`, Author: `It's me \ \n`, Version: "1.0"},
		},
		{
			name: "concatenation and translation",
			src: `<?php
define('PLUGIN_FOO_MAJOR', '1');
define('PLUGIN_FOO_VERSION', PLUGIN_FOO_MAJOR . '.2' . ".3");
function plugin_version_foo() {
   return ['name' => __('Foo reports', 'foo'), 'version' => PLUGIN_FOO_VERSION, 'license' => _x('license', 'GPL', 'foo')];
}`,
			want: SetupInfo{Name: "Foo reports", Version: "1.2.3", License: "GPL"},
		},
		{
			name: "HTML author",
			src: `<?php function plugin_version_foo() { return ['version' => '1',
				'author' => '<a href="https://teclib.com">Teclib&#039;</a> &amp; <b>Bob</b>,<br/>Alice<p>and</p>Carol <!-- x -->']; }`,
			want: SetupInfo{Version: "1", Author: "Teclib' & Bob, Alice and Carol"},
		},
		{
			name: "function name is case-insensitive",
			src:  `<?php function PLUGIN_VERSION_FOO() { return ['version' => '1.0']; }`,
			want: SetupInfo{Version: "1.0"},
		},
		{
			name: "only max",
			src:  `<?php function plugin_version_foo() { return ['version' => '1', 'requirements' => ['glpi' => ['max' => '11.0']]]; }`,
			want: SetupInfo{Version: "1", MaxGLPI: "11.0"},
		},
		{
			name: "returned variable",
			src: `<?php function plugin_version_foo() {
				$info = ['version' => 'old'];
				$info = ['version' => '2.5', 'name' => 'Foo'];
				return $info;
			}`,
			want: SetupInfo{Version: "2.5", Name: "Foo"},
		},
		{
			name: "comparison is not an assignment",
			src: `<?php function plugin_version_foo() {
				$info = ['version' => '1'];
				if ($info == ['version' => '2']) {}
				return $info;
			}`,
			want: SetupInfo{Version: "1"},
		},
		{
			name: "PHP that only PHP 8 or short_open_tag reads",
			src: "<?php\nglobal $CFG_GLPI;\n$a = \"{$CFG_GLPI['root_doc']}/plugins/foo\" . \"${x}\" . \"{$b[\"}\"]}\";\n" +
				"class PluginFooA { #[\\Override]\n public function f() { return \"{$this->g(['}'])}\"; } }\n" +
				"<? function plugin_version_foo() { return ['version' => '2.0', 'author' => \"{$a}\", 'name' => 'Foo'\f]; }",
			want: SetupInfo{Name: "Foo", Version: "2.0"},
		},
		{
			name: "heredoc and nowdoc",
			src:  "<?php function plugin_version_foo() { return [\n'name' => <<<EOT\n    Foo\n    EOT,\n'version' => <<<'EOT'\n1.0\nEOT\n]; }",
			want: SetupInfo{Name: "Foo", Version: "1.0"},
		},
		{
			name: "number version",
			src:  `<?php function plugin_version_foo() { return ['version' => 1.5]; }`,
			want: SetupInfo{Version: "1.5"},
		},
		{
			name: "tricky strings",
			src: `<?php function plugin_version_foo() { return [
				'name' => 'a ] b ) c => d // e /* f',
				'version' => '1',
				'homepage' => "http://x/#y",
			]; }`,
			want: SetupInfo{Name: "a ] b ) c => d // e /* f", Version: "1", Homepage: "http://x/#y"},
		},
		{
			name: "inline HTML and closing tag",
			src: `<html><?php function plugin_version_foo() { return ['version' => '1'] ?>
<p>text</p>
<?php ; }`,
			want: SetupInfo{Version: "1"},
		},
		{
			name: "unknown values are ignored",
			src: `<?php function plugin_version_foo() { return [
				'name' => sprintf('%s', 'x'),
				'author' => $author,
				'license' => PHP_VERSION > 7 ? 'a' : 'b',
				'homepage' => "http://$host/",
				'version' => '1.0',
			]; }`,
			want: SetupInfo{Version: "1.0"},
		},
		{
			name: "other functions first",
			src: `<?php
function plugin_version_foobar() { return ['version' => 'wrong']; }
if (!function_exists('plugin_version_foo')) {}
function plugin_version_foo() { return ['version' => 'right']; }`,
			want: SetupInfo{Version: "right"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSetupPHP([]byte(tt.src), "foo")
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseSetupPHPErrors(t *testing.T) {
	const noFunc = "setup.php does not define the function plugin_version_foo(), which GLPI calls to get the plugin's name and version"
	const noVersion = "plugin_version_foo() in setup.php declares no version that can be read without running PHP"
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"empty", "", noFunc},
		{"not PHP", "function plugin_version_foo() { return ['version' => '1']; }", noFunc},
		{"other key", `<?php function plugin_version_bar() { return ['version' => '1']; }`, noFunc},
		{"commented out", `<?php /* function plugin_version_foo() { return ['version' => '1']; } */`, noFunc},
		{"method call", `<?php $x->plugin_version_foo();`, noFunc},
		{"no version key", `<?php function plugin_version_foo() { return ['name' => 'Foo']; }`, noVersion},
		{"empty version", `<?php function plugin_version_foo() { return ['version' => '  ']; }`, noVersion},
		{"undefined constant", `<?php function plugin_version_foo() { return ['version' => PLUGIN_FOO_VERSION]; }`, noVersion},
		{"computed", `<?php function plugin_version_foo() { return ['version' => plugin_foo_version()]; }`, noVersion},
		{"interpolated", `<?php function plugin_version_foo() { return ['version' => "$v"]; }`, noVersion},
		{"null", `<?php function plugin_version_foo() { return ['version' => null]; }`, noVersion},
		{"array", `<?php function plugin_version_foo() { return ['version' => ['1']]; }`, noVersion},
		{"no return", `<?php function plugin_version_foo() { }`, noVersion},
		{"unterminated", `<?php function plugin_version_foo() { return ['version' => '1'`, noVersion},
		{"too big", "<?php\n" + strings.Repeat(" ", maxSetupPHPSize), "setup.php is larger than 256 KiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSetupPHP([]byte(tt.src), "foo")
			wantInvalid(t, err, tt.want)
		})
	}
}

func TestCleanText(t *testing.T) {
	for in, want := range map[string]string{
		"  a\n\tb  ":  "a b",
		"x\x1b[31my":  "x [31my",
		"bad\xffutf8": "bad\uFFFDutf8",
		"":            "",
	} {
		if got := cleanText(in); got != want {
			t.Errorf("cleanText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCompatibility(t *testing.T) {
	tests := []struct{ min, max, want string }{
		{"10.0.0", "10.0.99", ">=10.0.0 <10.0.99"},
		{"10.0.0", "", ">=10.0.0"},
		{"", "11.0", "<11.0"},
		{"", "", ""},
	}
	for _, tt := range tests {
		if got := Compatibility(tt.min, tt.max); got != tt.want {
			t.Errorf("Compatibility(%q, %q) = %q, want %q", tt.min, tt.max, got, tt.want)
		}
	}
}
