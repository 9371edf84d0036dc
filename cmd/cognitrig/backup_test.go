package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cognitrig/cognitrig/backup"
	"github.com/cognitrig/cognitrig/internal/awsfake"
)

// backupFake starts a fake Cognito with n users in pool "us-east-1_CLI",
// points the AWS configuration at nothing real, and returns its URL.
func backupFake(t *testing.T, n int) (*awsfake.Cognito, string) {
	t.Helper()
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	fake := awsfake.NewCognito(t)
	cli := fake.AddPool("us-east-1_CLI", "cli", "custom:plan")
	fake.AddPool("us-east-1_NEW", "new", "custom:plan")
	var admins []string
	for i := range n {
		u := awsfake.CognitoUser{
			Username: fmt.Sprintf("u%03d", i), Enabled: i%10 != 0,
			Attributes: map[string]string{"email": fmt.Sprintf("u%03d@example.com", i), "email_verified": "true", "custom:plan": "pro"},
			Created:    time.Date(2025, 1, 1, 0, 0, i, 0, time.UTC), Modified: time.Date(2025, 1, 2, 0, 0, i, 0, time.UTC),
		}
		if i%4 == 0 {
			u.MFASettings, u.PreferredMFA = []string{"SOFTWARE_TOKEN_MFA"}, "SOFTWARE_TOKEN_MFA"
		}
		cli.AddUser(u)
		if i%3 == 0 {
			admins = append(admins, u.Username)
		}
	}
	cli.AddGroup(awsfake.CognitoGroup{Name: "admins", Description: "Admins"}, admins...)
	fake.ThrottleEvery(9)
	return fake, fake.URL
}

func TestBackupAndRestoreCommands(t *testing.T) {
	fake, url := backupFake(t, 150)
	dir := t.TempDir()
	file := filepath.Join(dir, "pool.jsonl")
	code, _, errOut := runCLI(t, "backup", "--user-pool-id", "us-east-1_CLI", "--out", file, "--cognito-endpoint", url, "--progress", "lines")
	if code != exitOK {
		t.Fatalf("backup exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "backup: done, 150/150 users") || !strings.Contains(errOut, "wrote 150 users and 1 groups") {
		t.Fatalf("stderr: %s", errOut)
	}
	if fake.Throttled() == 0 {
		t.Fatal("the fake never throttled: the test does not test backoff")
	}
	info, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("backup file mode %v: it holds personal data", info.Mode().Perm())
	}
	data, _ := os.ReadFile(file)
	b, err := backup.Read(bytes.NewReader(data))
	if err != nil || len(b.Users) != 150 || b.Header.UserPoolID != "us-east-1_CLI" {
		t.Fatalf("backup: %v", err)
	}

	usersCSV, members, groups, follow := filepath.Join(dir, "users.csv"), filepath.Join(dir, "members.csv"), filepath.Join(dir, "groups.csv"), filepath.Join(dir, "follow.csv")
	code, _, errOut = runCLI(t, "restore", "--in", file, "--users-csv", usersCSV, "--memberships", members,
		"--groups", groups, "--follow-ups", follow, "--target-user-pool-id", "us-east-1_NEW", "--cognito-endpoint", url)
	if code != exitOK {
		t.Fatalf("restore exit %d: %s", code, errOut)
	}
	for _, want := range []string{"wrote 150 users", "50 memberships", "15 users were disabled", "38 users had MFA", "RESET_REQUIRED"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	rows := readCSV(t, usersCSV)
	if len(rows) != 151 || rows[0][len(rows[0])-3] != "custom:plan" || rows[0][len(rows[0])-1] != "cognito:username" {
		t.Fatalf("users CSV: %d rows, header %v", len(rows), rows[0])
	}
	if got := readCSV(t, members); len(got) != 51 || got[1][0] != "admins" {
		t.Fatalf("memberships: %v", got[:2])
	}
	if got := readCSV(t, groups); len(got) != 2 || got[1][1] != "Admins" {
		t.Fatalf("groups: %v", got)
	}
	if got := readCSV(t, follow); len(got) != 1+15+38 {
		t.Fatalf("follow-ups: %d rows", len(got))
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestBackupCommandFailuresLeaveNoFile(t *testing.T) {
	_, url := backupFake(t, 3)
	dir := t.TempDir()
	file := filepath.Join(dir, "pool.jsonl")
	code, _, errOut := runCLI(t, "backup", "--user-pool-id", "us-east-1_GONE", "--out", file, "--cognito-endpoint", url, "--progress", "off")
	if code != exitFailed || !strings.Contains(errOut, "ResourceNotFoundException") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("left files behind: %v", entries)
	}

	// A backup cut short is refused, and restore writes nothing.
	if code, _, errOut = runCLI(t, "backup", "--user-pool-id", "us-east-1_CLI", "--out", file, "--cognito-endpoint", url, "--progress", "off", "--no-mfa"); code != exitOK {
		t.Fatalf("backup: %s", errOut)
	}
	data, _ := os.ReadFile(file)
	cut := filepath.Join(dir, "cut.jsonl")
	lines := strings.SplitAfter(string(data), "\n")
	if err := os.WriteFile(cut, []byte(strings.Join(lines[:len(lines)-2], "")), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	if err := os.Mkdir(out, 0o700); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runCLI(t, "restore", "--in", cut, "--users-csv", filepath.Join(out, "u.csv"), "--memberships", filepath.Join(out, "m.csv"))
	if code != exitFailed || !strings.Contains(errOut, "cut short") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Fatalf("left files behind: %v", entries)
	}
}

func TestBackupCommandBadArgs(t *testing.T) {
	cases := [][]string{
		{"backup"},
		{"backup", "--user-pool-id", "p", "--concurrency", "0"},
		{"backup", "--user-pool-id", "p", "--progress", "loud"},
		{"backup", "--user-pool-id", "p", "extra"},
		{"backup", "--bogus"},
		{"restore"},
		{"restore", "--in", "x.jsonl"},
		{"restore", "--in", "x.jsonl", "--users-csv", "-", "--memberships", "m.csv"},
		{"restore", "--in", "/nonexistent/x.jsonl", "--users-csv", "u.csv", "--memberships", "m.csv"},
	}
	for _, args := range cases {
		if code, _, errOut := runCLI(t, args...); code != exitBadArgs || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
	for _, cmd := range []string{"backup", "restore"} {
		if code, _, errOut := runCLI(t, cmd, "-h"); code != exitOK || !strings.Contains(errOut, "usage: cognitrig "+cmd) {
			t.Errorf("%s -h: exit %d, %q", cmd, code, errOut)
		}
	}
}

func TestBackupToStandardOutput(t *testing.T) {
	_, url := backupFake(t, 5)
	code, out, errOut := runCLI(t, "backup", "--user-pool-id", "us-east-1_CLI", "--cognito-endpoint", url, "--progress", "off")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	b, err := backup.Read(strings.NewReader(out))
	if err != nil || len(b.Users) != 5 {
		t.Fatalf("stdout backup: %v", err)
	}
	if !strings.Contains(errOut, "to standard output") {
		t.Fatalf("stderr: %s", errOut)
	}
}
