package config_test

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	. "github.com/cognitrig/cognitrig/config"
	"github.com/cognitrig/cognitrig/customauth/limits"
)

var update = flag.Bool("update", false, "rewrite the variables table in README.md from vars.go")

const (
	tableBegin = "<!-- BEGIN VARIABLES: generated from config/vars.go by `go generate ./config`; do not edit -->"
	tableEnd   = "<!-- END VARIABLES -->"
)

type variable struct{ name, feature, meaning string }

// variables reads vars.go: each group's leading comment names the
// feature, each constant's trailing comment its meaning and default.
func variables(t *testing.T) []variable {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "vars.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var out []variable
	feature := ""
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, sp := range g.Specs {
			vs := sp.(*ast.ValueSpec)
			if vs.Doc != nil {
				feature = strings.TrimSuffix(strings.TrimSpace(vs.Doc.Text()), ".")
				feature, _, _ = strings.Cut(feature, ":")
			}
			lit, ok := vs.Values[0].(*ast.BasicLit)
			if !ok {
				continue
			}
			name, _ := strconv.Unquote(lit.Value)
			meaning := ""
			if vs.Comment != nil {
				meaning = strings.TrimSpace(vs.Comment.Text())
			}
			if meaning == "" {
				t.Errorf("%s (%s) has no comment: give its meaning and default in vars.go", vs.Names[0].Name, name)
			}
			out = append(out, variable{name, feature, meaning})
		}
	}
	return out
}

func variablesTable(vs []variable) string {
	var b strings.Builder
	b.WriteString(tableBegin + "\n\n| variable | feature | meaning and default |\n|---|---|---|\n")
	for _, v := range vs {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", v.name, v.feature, strings.ReplaceAll(v.meaning, "|", `\|`))
	}
	b.WriteString("\n" + tableEnd)
	return b.String()
}

// TestVariablesTable keeps README.md's table of variables in step with
// vars.go. Run `go generate ./config` after changing
// vars.go.
func TestVariablesTable(t *testing.T) {
	readme := filepath.Join("..", "README.md")
	text, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	i, j := bytes.Index(text, []byte(tableBegin)), bytes.Index(text, []byte(tableEnd))
	if i < 0 || j < i {
		t.Fatalf("README.md has no variables table between %q and %q", tableBegin, tableEnd)
	}
	want := variablesTable(variables(t))
	if got := string(text[i : j+len(tableEnd)]); got != want {
		if *update {
			out := append(append(append([]byte{}, text[:i]...), want...), text[j+len(tableEnd):]...)
			if err := os.WriteFile(readme, out, 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("README.md's variables table is out of date: run `go generate ./config`")
	}
}

// TestEveryVariableIsDeclared: a COGNITRIG_ name that this package or the
// shipped functions read without a constant in vars.go would be missing
// from the table.
func TestEveryVariableIsDeclared(t *testing.T) {
	declared := map[string]bool{}
	for _, v := range variables(t) {
		declared[v.name] = true
	}
	files, _ := filepath.Glob("*.go")
	for _, pattern := range []string{"../handlers/*/*.go", "../handlers/internal/*/*.go", "../handlers/internal/*/*/*.go"} {
		more, _ := filepath.Glob(pattern)
		files = append(files, more...)
	}
	if len(files) < 20 {
		t.Fatalf("found only %d files to check", len(files))
	}
	re := regexp.MustCompile(`"(COGNITRIG_[A-Z0-9_]+)"`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || filepath.Base(f) == "vars.go" {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllSubmatch(src, -1) {
			if !declared[string(m[1])] {
				t.Errorf("%s reads %s, which vars.go does not declare", f, m[1])
			}
		}
	}
}

// The defaults the comments state are the ones the code uses.
func TestVariableDefaultsMatch(t *testing.T) {
	meaning := map[string]string{}
	for _, v := range variables(t) {
		meaning[v.name] = v.meaning
	}
	for name, want := range map[string]string{
		EnvBreakerMaxFailures: fmt.Sprintf("default %d", DefaultBreakerFailures),
		EnvBreakerOpenSeconds: fmt.Sprintf("default %d", DefaultBreakerOpenSeconds),
		EnvAuthSequence:       "default " + DefaultAuthSequence,
		// Unset limits are those of package limits.
		EnvAuthMaxFailures: fmt.Sprintf("default %d", limits.DefaultMaxFailures),
		EnvAuthFailWindow:  "default " + strings.TrimSuffix(limits.DefaultFailureWindow.String(), "0s"),
		EnvAuthLockout:     "default " + strings.TrimSuffix(limits.DefaultLockout.String(), "0s"),
		EnvAuthMaxLockout:  "default " + strings.TrimSuffix(limits.DefaultMaxLockout.String(), "0m0s"),
		EnvAuthMaxSends:    fmt.Sprintf("default %d", limits.DefaultMaxSends),
		EnvAuthSendWindow:  "default " + strings.TrimSuffix(limits.DefaultSendWindow.String(), "0m0s"),
	} {
		if !strings.Contains(meaning[name], want) {
			t.Errorf("%s: the comment %q does not say %q", name, meaning[name], want)
		}
	}
}

// TestMigrationVarsAreTheMigrationGroup: MigrationConfigured looks at
// every variable vars.go lists under user migration, and no other, so a
// variable added there cannot be set alone and be ignored.
func TestMigrationVarsAreTheMigrationGroup(t *testing.T) {
	var want []string
	for _, v := range variables(t) {
		if strings.HasPrefix(v.feature, "User migration") {
			want = append(want, v.name)
		}
	}
	got := MigrationVars()
	slices.Sort(want)
	slices.Sort(got)
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("migrationVars = %v\nvars.go's user migration group = %v", got, want)
	}
}
