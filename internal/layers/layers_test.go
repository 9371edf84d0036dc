package layers

import (
	"bufio"
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/cognitrig/cognitrig"

// features are the top-level feature areas; a package in one may not
// import a package in another (ARCHITECTURE.md, "Rules").
var features = []string{"customauth", "tenancy", "migration", "lifecycle", "backup"}

// neutral are the shared layers below the feature packages: every feature
// may import them, and they import no feature package (ARCHITECTURE.md,
// "Rules").
var neutral = []string{"delivery"}

// neutralLayer reports whether rel is in a neutral layer.
func neutralLayer(rel string) bool {
	for _, n := range neutral {
		if within(rel, n) {
			return true
		}
	}
	return false
}

// testOnly are packages that production code may not import.
var testOnly = []string{"internal/awsfake", "internal/dynamotest", "triggers/triggertest"}

// area returns the feature area of a module-relative package path, or "".
func area(rel string) string {
	top, _, _ := strings.Cut(rel, "/")
	for _, f := range features {
		if top == f {
			return f
		}
	}
	return ""
}

func within(rel, root string) bool { return rel == root || strings.HasPrefix(rel, root+"/") }

// imports lists each package's non-test imports inside the module, keyed by
// module-relative path ("" is the module root).
func imports(t *testing.T) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, module+"/...")
	cmd.Dir = "../.."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	m := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		pkg := strings.TrimPrefix(strings.TrimPrefix(f[0], module), "/")
		m[pkg] = nil
		for _, imp := range f[1:] {
			if rel, ok := strings.CutPrefix(imp, module+"/"); ok {
				m[pkg] = append(m[pkg], rel)
			}
		}
	}
	return m
}

// devTool reports whether pkg is a test kit, a test server or a developer
// tool (the CLI replays recorded events; examples use the test kits), which
// may use the test-only packages.
func devTool(pkg string) bool {
	return strings.HasSuffix(pkg, "test") || within(pkg, "e2e") || within(pkg, "cmd") ||
		within(pkg, "examples") || within(pkg, "internal/awsfake") || within(pkg, "handlers/internal/bootstraptest")
}

// violation says why pkg may not import imp, or "".
func violation(pkg, imp string) string {
	switch {
	case pkg == "triggers" && !within(imp, "triggers/internal"):
		return "the core package triggers imports no other cognitrig package (its own internal packages aside)"
	case neutralLayer(pkg) && (area(imp) != "" || within(imp, "internal") && !neutralLayer(imp)):
		return "a neutral layer imports only the standard library, the AWS SDK, triggers and other neutral layers, never a feature package"
	case area(pkg) != "" && area(imp) != "" && area(pkg) != area(imp):
		return "feature packages never import another feature's packages; declare a small interface instead"
	case within(imp, "handlers") && !within(pkg, "handlers") && !within(pkg, "cmd"):
		return "nothing outside handlers/ imports the deployable handlers"
	case within(imp, "cmd"):
		return "nothing imports the CLI"
	case within(imp, "e2e"):
		return "nothing imports the end-to-end suite"
	}
	for _, to := range testOnly {
		// Test kits may use each other; production code may not use them.
		if within(imp, to) && !devTool(pkg) {
			return to + " is for tests only"
		}
	}
	return ""
}

func TestImportLayers(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list over the module")
	}
	for pkg, imps := range imports(t) {
		for _, imp := range imps {
			if why := violation(pkg, imp); why != "" {
				t.Errorf("%s imports %s: %s", pkg, imp, why)
			}
		}
	}
}

// TestViolation keeps the rule itself honest: each case is one that the
// layer check must catch, next to the nearest import it must allow.
func TestViolation(t *testing.T) {
	for _, c := range []struct {
		pkg, imp string
		bad      bool
	}{
		{"triggers", "internal/progress", true},
		{"triggers", "triggers/internal/checkmode", false},
		{"triggers", "triggers/tracing", true},
		{"triggers/triggertest", "triggers", false},
		{"customauth/otp", "customauth/records", false},
		{"customauth/otp", "lifecycle/messages", true},
		{"migration", "tenancy", true},
		{"lifecycle/confirm", "lifecycle/messages", false},
		{"handlers/internal/compose", "tenancy/pretoken", false},
		{"tenancy", "handlers/internal/compose", true},
		{"backup", "cmd/cognitrig", true},
		{"cmd/cognitrig", "handlers/example", false},
		{"cmd/cognitrig", "triggers/triggertest", false},
		{"handlers/internal/compose", "triggers/triggertest", true},
		{"customauth/deliver", "internal/awsfake", true},
		{"customauth/deliver", "delivery", false},
		{"lifecycle/messages", "delivery", false},
		{"delivery", "triggers", false},
		{"delivery", "customauth/deliver", true},
		{"delivery", "lifecycle/messages", true},
		{"delivery", "tenancy", true},
		{"delivery", "handlers/internal/compose", true},
		{"customauth/customauthtest", "triggers/triggertest", false},
		{"handlers/internal/bootstraptest", "internal/dynamotest", false},
		{"migration/migrationtest", "internal/dynamotest", false},
	} {
		if got := violation(c.pkg, c.imp) != ""; got != c.bad {
			t.Errorf("violation(%q, %q) = %v, want %v", c.pkg, c.imp, got, c.bad)
		}
	}
}
