package main

import (
	"strings"
	"testing"

	"github.com/glpinet/glpinet/internal/pgtest"
	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		// main itself, so that a background "glpinetd serve" stops on a
		// signal ("kill -INT") as the installed command does.
		"glpinetd": main,
	})
}

// TestScripts runs the command-line scenarios in testdata/script.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("GLPINET_DATA", env.WorkDir+"/data")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// firstline VAR sets VAR to the first line of the last stdout
			// (to reuse a key printed by the previous command).
			"firstline": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: firstline VAR")
				}
				line, _, _ := strings.Cut(ts.ReadFile("stdout"), "\n")
				ts.Setenv(args[0], strings.TrimSpace(line))
			},
			// pgdatabase VAR sets VAR to the DSN of a new, empty
			// PostgreSQL database, dropped when the script ends.
			"pgdatabase": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 || neg {
					ts.Fatalf("usage: pgdatabase VAR")
				}
				dsn, drop, err := pgtest.Create()
				ts.Check(err)
				ts.Defer(func() {
					if err := drop(); err != nil {
						ts.Logf("%v", err)
					}
				})
				ts.Setenv(args[0], dsn)
			},
		},
	})
}
