package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/internal/awsfake"
	"github.com/cognitrig/cognitrig/internal/dynamotest"
	"github.com/cognitrig/cognitrig/migration"
	"github.com/cognitrig/cognitrig/migration/dynamosource"
	"github.com/cognitrig/cognitrig/migration/dynamotracker"
	"github.com/cognitrig/cognitrig/migration/migrationtest"
)

func runMigrateArgs(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), append([]string{"migrate"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

// legacyFile writes the fixture users as JSON Lines.
func legacyFile(t *testing.T) (string, []migrationtest.FixtureUser) {
	t.Helper()
	users := migrationtest.Fixture(t)
	var b bytes.Buffer
	for _, u := range users {
		line, _ := json.Marshal(u.LegacyUser)
		b.Write(line)
		b.WriteByte('\n')
	}
	p := filepath.Join(t.TempDir(), "legacy.jsonl")
	if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p, users
}

func csvRows(t *testing.T, s string) []map[string]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("not CSV (%v): %q", err, s)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, c := range recs[0] {
			m[c] = r[i]
		}
		out = append(out, m)
	}
	return out
}

func noSecrets(t *testing.T, users []migrationtest.FixtureUser, texts ...string) {
	t.Helper()
	for _, s := range texts {
		for _, u := range users {
			if strings.Contains(s, u.PasswordHash.Reveal()) || strings.Contains(s, u.Password.Reveal()) {
				t.Fatalf("output holds %s's password or hash", u.Username)
			}
		}
	}
}

func TestMigrateCSVFromFileToStdout(t *testing.T) {
	path, users := legacyFile(t)
	code, out, errOut := runMigrateArgs(t, "csv", "--legacy-file", path)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	rows := csvRows(t, out)
	if len(rows) != 4 || rows[0]["cognito:username"] != "alice" || rows[0]["email"] != "alice@example.com" || rows[0]["email_verified"] != "true" {
		t.Fatalf("rows %v", rows)
	}
	if !strings.HasPrefix(out, "name,given_name,family_name,") {
		t.Fatalf("not the default header: %q", out[:60])
	}
	for _, want := range []string{"no --tracking-table", "migrate csv: done, 4/4 legacy users", "read 4 legacy users, 0 already migrated, wrote 4 to standard output", "2 users have neither a verified email"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	noSecrets(t, users, out, errOut)
}

func TestMigrateCSVToFileWithOptions(t *testing.T) {
	path, users := legacyFile(t)
	dir := t.TempDir()
	outPath := filepath.Join(dir, "import.csv")
	code, out, errOut := runMigrateArgs(t, "csv", "--legacy-file", path, "--out", outPath, "--progress", "off",
		"--map", "email=email", "--map", "phone_number=phone_number", "--map", "plan=custom:plan", "--trust-email", "--trust-phone", "--sms-mfa")
	if code != exitOK || out != "" {
		t.Fatalf("exit %d, stdout %q: %s", code, out, errOut)
	}
	b, err := os.ReadFile(outPath)
	if err != nil {
		t.Fatal(err)
	}
	rows := csvRows(t, string(b))
	alice, bob := rows[0], rows[1]
	if alice["cognito:mfa_enabled"] != "true" || alice["phone_number_verified"] != "true" || alice["given_name"] != "" || bob["email_verified"] != "true" {
		t.Fatalf("rows %v", rows)
	}
	if !strings.Contains(errOut, "no column for custom:plan") {
		t.Fatalf("the dropped custom attribute is not reported:\n%s", errOut)
	}
	if strings.Contains(errOut, "migrate csv: done") {
		t.Fatal("--progress off printed progress")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("files left beside the output: %v", entries)
	}
	noSecrets(t, users, string(b), errOut)
}

func TestMigrateBadArguments(t *testing.T) {
	path, _ := legacyFile(t)
	garbled := filepath.Join(t.TempDir(), "garbled.jsonl")
	_ = os.WriteFile(garbled, []byte("{not json\n"), 0o600)
	cases := []struct {
		args []string
		want string
	}{
		{nil, "missing subcommand"},
		{[]string{"json"}, `unknown subcommand "json"`},
		{[]string{"csv"}, "exactly one legacy source"},
		{[]string{"csv", "--legacy-file", path, "--legacy-table", "t"}, "exactly one legacy source"},
		{[]string{"csv", "--legacy-file", path, "--map", "oops"}, "FIELD=ATTRIBUTE"},
		{[]string{"csv", "--legacy-file", path, "--map", "id=sub"}, "maps to sub"},
		{[]string{"csv", "--legacy-file", path, "--progress", "fancy"}, "--progress"},
		{[]string{"csv", "--legacy-file", path, "extra"}, `unexpected argument "extra"`},
		{[]string{"csv", "--no-such-flag"}, "no-such-flag"},
		{[]string{"csv", "--legacy-file", filepath.Join(t.TempDir(), "missing.jsonl")}, "missing.jsonl"},
		{[]string{"csv", "--legacy-file", garbled}, "line 1"},
	}
	for _, c := range cases {
		code, out, errOut := runMigrateArgs(t, c.args...)
		if code != exitBadArgs || out != "" || !strings.Contains(errOut, c.want) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("migrate %v: exit %d, stderr %q; want exit 2 and one line with %q", c.args, code, errOut, c.want)
		}
	}
	for _, args := range [][]string{{"csv", "-h"}, {"-h"}} {
		if code, _, errOut := runMigrateArgs(t, args...); code != exitOK || !strings.Contains(errOut, "--legacy-table") {
			t.Errorf("migrate %v: exit %d, %q", args, code, errOut)
		}
	}
}

// setAWSEnv points the SDK's default configuration at test credentials and
// nothing else (no shared files, no instance metadata).
func setAWSEnv(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
}

// cognitoHeaderServer is a local Cognito user-pool API (awsfake.Cognito)
// whose one pool, us-east-1_EXAMPLE1, has the CSV header given.
func cognitoHeaderServer(t *testing.T, header []string) string {
	pool := awsfake.NewCognitoPool(t)
	pool.SetCSVHeader(header)
	return pool.URL
}

func TestMigrateCSVFromDynamoDB(t *testing.T) {
	client := dynamotest.Client(t)
	setAWSEnv(t)
	ctx := context.Background()
	legacy := dynamotest.CreateTable(t, client, dynamotest.KeyedTable("legacy-users", "login"))
	tracking := dynamotest.CreateTable(t, client, dynamotracker.TableDefinition("tracking"))
	src, _ := dynamosource.New(dynamosource.Config{Client: client, Table: legacy, KeyAttribute: "login", HashAttribute: "pw"})
	users := migrationtest.Fixture(t)
	for _, u := range users {
		if err := src.Put(ctx, u.LegacyUser); err != nil {
			t.Fatal(err)
		}
	}
	tr, _ := dynamotracker.New(dynamotracker.Config{Client: client, Table: tracking})
	for name, o := range map[string]migration.Outcome{"alice": migration.OutcomeMigrated, "carol": migration.OutcomeMigrated, "bob": migration.OutcomeWrongPassword} {
		if err := tr.Record(ctx, migration.Attempt{Username: name, Outcome: o}); err != nil {
			t.Fatal(err)
		}
	}
	endpoint := os.Getenv(dynamotest.EnvEndpoint)
	cognito := cognitoHeaderServer(t, []string{"cognito:username", "email", "email_verified", "nickname", "custom:plan", "cognito:mfa_enabled"})
	outPath := filepath.Join(t.TempDir(), "import.csv")
	code, _, errOut := runMigrateArgs(t, "csv", "--legacy-table", legacy, "--key-attr", "login", "--hash-attr", "pw",
		"--tracking-table", tracking, "--user-pool-id", "us-east-1_EXAMPLE1", "--map", "email=email", "--map", "nickname=nickname",
		"--dynamodb-endpoint", endpoint, "--cognito-endpoint", cognito, "--out", outPath)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	b, _ := os.ReadFile(outPath)
	if !strings.HasPrefix(string(b), "cognito:username,email,email_verified,nickname,custom:plan,cognito:mfa_enabled\n") {
		t.Fatalf("not the pool's header: %q", b)
	}
	got := map[string]bool{}
	for _, r := range csvRows(t, string(b)) {
		got[r["cognito:username"]] = true
	}
	if len(got) != 2 || !got["bob"] || !got["dave"] {
		t.Fatalf("rows for %v, want bob and dave (alice and carol migrated)", got)
	}
	if !strings.Contains(errOut, "read 4 legacy users, 2 already migrated, wrote 2") {
		t.Fatalf("stderr: %s", errOut)
	}
	noSecrets(t, users, string(b), errOut)

	// Failures after the arguments are fine: exit 1, and no output file.
	failed := filepath.Join(t.TempDir(), "failed.csv")
	for _, args := range [][]string{
		{"--legacy-table", "no-such-table", "--dynamodb-endpoint", endpoint, "--out", failed},
		{"--legacy-table", legacy, "--key-attr", "login", "--user-pool-id", "us-east-1_NOPE", "--dynamodb-endpoint", endpoint, "--cognito-endpoint", cognito, "--out", failed},
	} {
		code, _, errOut = runMigrateArgs(t, append([]string{"csv", "--progress", "off"}, args...)...)
		if code != exitFailed || !strings.Contains(errOut, "cognitrig migrate csv:") {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		if _, err := os.Stat(failed); !os.IsNotExist(err) {
			t.Fatalf("a failed run left %s", failed)
		}
		entries, _ := os.ReadDir(filepath.Dir(failed))
		if len(entries) != 0 {
			t.Fatalf("a failed run left %v", entries)
		}
	}
}
