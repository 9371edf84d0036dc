package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// usageExamples parses the usage text into the command lines it shows:
// [optional] groups are taken, each alternative of (a | b) and [a | b]
// makes a command line of its own, "..." repeats once, and [flags] becomes
// the token "[flags]".
func usageExamples(t *testing.T, text string) [][]string {
	t.Helper()
	var out [][]string
	for _, line := range strings.Split(text, "\n") {
		rest, ok := strings.CutPrefix(line, "  cognitrig ")
		if !ok {
			continue
		}
		toks := tokenizeUsage(rest)
		variants, n := parseUsage(t, toks, 0)
		if n != len(toks) {
			t.Fatalf("usage line %q: unbalanced at token %d", line, n)
		}
		out = append(out, variants...)
	}
	return out
}

func tokenizeUsage(s string) []string {
	s = strings.NewReplacer("[", " [ ", "]", " ] ", "(", " ( ", ")", " ) ", "|", " | ").Replace(s)
	return strings.Fields(s)
}

// parseUsage parses a sequence up to a closing bracket or "|", returning
// its variants and the index of the token that ended it.
func parseUsage(t *testing.T, toks []string, i int) ([][]string, int) {
	variants := [][]string{{}}
	appendAll := func(alts [][]string) {
		var next [][]string
		for _, v := range variants {
			for _, a := range alts {
				next = append(next, append(slices.Clone(v), a...))
			}
		}
		variants = next
	}
	for i < len(toks) {
		switch tok := toks[i]; tok {
		case "]", ")", "|":
			return variants, i
		case "[", "(":
			if tok == "[" && i+2 < len(toks) && toks[i+1] == "flags" && toks[i+2] == "]" {
				appendAll([][]string{{"[flags]"}})
				i += 3
				continue
			}
			alts, j := parseUsage(t, toks, i+1)
			for j < len(toks) && toks[j] == "|" {
				var more [][]string
				more, j = parseUsage(t, toks, j+1)
				alts = append(alts, more...)
			}
			if j >= len(toks) {
				t.Fatalf("unclosed %s in %v", tok, toks)
			}
			appendAll(alts)
			i = j + 1
		default:
			appendAll([][]string{{strings.TrimSuffix(tok, "...")}})
			i++
		}
	}
	return variants, i
}

// skip marks a placeholder value that the test cannot provide safely.
const skip = "skip: "

var placeholder = regexp.MustCompile(`^[A-Z][A-Z0-9_]*([.=:][A-Za-z0-9_]+)?$|^127\.0\.0\.1:\d+$`)

// TestUsageLinesRun runs every line of `cognitrig help` with safe
// arguments (local files, fake services on 127.0.0.1) and requires each
// to succeed: the usage shows only what the commands accept.
func TestUsageLinesRun(t *testing.T) {
	code, _, text := runCLI(t, "help")
	if code != exitOK {
		t.Fatalf("help: exit %d", code)
	}
	dir := t.TempDir()
	event := writeEvent(t, triggertest.Load(t, "PreSignUp_SignUp"))
	legacy, _ := legacyFile(t)
	_, cognito := backupFake(t, 3)
	backupFile := filepath.Join(dir, "pool.jsonl")
	if code, _, errOut := runCLI(t, "backup", "--user-pool-id", "us-east-1_CLI", "--out", backupFile, "--cognito-endpoint", cognito, "--progress", "off"); code != exitOK {
		t.Fatalf("backup for the restore example: exit %d: %s", code, errOut)
	}
	bootstrap := filepath.Join(dir, "bootstrap")
	if err := os.WriteFile(bootstrap, []byte("#!/bin/sh\nexec sleep 30\n"), 0o700); err != nil {
		t.Fatal(err)
	}

	pool, lam := attachFakes(t)
	endpoints := []string{"--cognito-endpoint", pool.URL, "--lambda-endpoint", lam.URL}

	// Safe values per command and placeholder, and what [flags] becomes.
	values := map[string]map[string]string{
		"replay":   {"LEVEL": "warn", "EVENT.json": event},
		"inspect":  {"EVENT.json": event},
		"sequence": {"SEQUENCE": "password,captcha,email-otp"},
		"migrate":  {"FILE.jsonl": legacy, "NAME": skip + "a DynamoDB table: TestMigrateCSVFromDynamoDB runs this form"},
		"backup":   {"ID": "us-east-1_CLI"},
		"restore":  {"FILE.jsonl": backupFile, "FILE": filepath.Join(dir, "out-"+"FILE")},
		"attach":   {"ID": "us-east-1_Ex4mple", "ARN": cliFn, "LIST": "pre-token=V2_0,define-auth"},
		"detach":   {"ID": "us-east-1_Ex4mple", "LIST": "pre-token,define-auth"},
		"serve":    {"NAME=PATH": "fn=" + bootstrap, "127.0.0.1:9001": "127.0.0.1:0", "KEY=VALUE": "COGNITRIG_DEMO=1"},
	}
	flags := map[string][]string{
		"migrate": {"--out", filepath.Join(dir, "import.csv"), "--progress", "off"},
		"backup":  {"--out", filepath.Join(dir, "again.jsonl"), "--cognito-endpoint", cognito, "--progress", "off"},
		"restore": {},
		"attach":  endpoints,
		"detach":  append([]string{"--function", cliFn}, endpoints...),
	}
	examples := usageExamples(t, text)
	if len(examples) < len(commands())+3 {
		t.Fatalf("parsed %d command lines from the usage:\n%s", len(examples), text)
	}
	seen := map[string]bool{}
	for _, ex := range examples {
		seen[ex[0]] = true
	}
	for _, c := range commands() {
		if !seen[c.name] {
			t.Errorf("command %s has no usage line", c.name)
		}
	}
	for _, ex := range examples {
		cmd := ex[0]
		var args []string
		var skipped string
		files := 0
		for _, w := range ex {
			switch {
			case w == "[flags]":
				f, ok := flags[cmd]
				if !ok {
					t.Fatalf("%s: no safe [flags] for this command in the test", cmd)
				}
				args = append(args, f...)
			case placeholder.MatchString(w):
				v, ok := values[cmd][w]
				if !ok {
					t.Fatalf("%s: no safe value for %s in the test", cmd, w)
				}
				if r, ok := strings.CutPrefix(v, skip); ok {
					skipped = r
				}
				if w == "FILE" { // restore writes several files
					files++
					v += string(rune('0' + files))
				}
				args = append(args, v)
			default:
				args = append(args, w)
			}
		}
		t.Run(strings.Join(ex, " "), func(t *testing.T) {
			if skipped != "" {
				t.Skip("needs " + skipped)
			}
			timeout := time.Minute
			if cmd == "serve" {
				timeout = time.Second // serves until interrupted
			}
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			var out, errOut bytes.Buffer
			code := run(ctx, args, &out, &errOut)
			if code != exitOK {
				t.Errorf("cognitrig %s: exit %d\nstderr: %s", strings.Join(args, " "), code, errOut.String())
			}
		})
	}
}

// TestCommandHelp: every command answers -h with its flags and exit 0, as
// the usage's first line promises.
func TestCommandHelp(t *testing.T) {
	for _, c := range commands() {
		code, out, errOut := runCLI(t, c.name, "-h")
		if code != exitOK || out+errOut == "" {
			t.Errorf("cognitrig %s -h: exit %d, output %q", c.name, code, out+errOut)
		}
	}
}
