package customauth

import (
	"fmt"
	"strings"
)

// Mermaid returns the state machine that the flow's Define handler applies
// (see Decide) as a Mermaid state diagram (stateDiagram-v2), one statement
// per line, for a README, a design review or `cognitrig sequence
// --diagram`. GitHub renders it inside a ```mermaid block.
//
// There is one state per round Cognito can be asked for: SRP_A and
// PASSWORD_VERIFIER when the sequence has Password, then one per custom
// step, named by its challenge (alternatives joined with "or") and its
// MaxAttempts. A passing round moves to the next step that applies; a
// conditional step (Step.When) gets an edge for each case, since the
// condition is a function that cannot be printed. A wrong answer repeats
// the step while attempts are left, and fails the sign-in on the last one.
// A note on the failure state lists what else fails a session: a round out
// of order, more rounds than MaxRounds, and a user that does not exist,
// who never gets tokens.
func (fl *Flow) Mermaid() string {
	var b strings.Builder
	line := func(format string, args ...any) {
		b.WriteString("    ")
		fmt.Fprintf(&b, format, args...)
		b.WriteByte('\n')
	}
	b.WriteString("stateDiagram-v2\n")
	id := func(i int) string {
		if i == len(fl.slots) {
			return "tokens"
		}
		return fmt.Sprintf("s%d", i)
	}
	for i, s := range fl.slots {
		line("state %q as %s", fl.slotLabel(s), id(i))
	}
	line(`state "issue tokens" as tokens`)
	line(`state "fail authentication" as failed`)

	// Entry: the first step, or each conditional step up to the first
	// unconditional one.
	fl.edges(&b, "[*]", 0, "start")
	for i, s := range fl.slots {
		fl.edges(&b, id(i), i+1, "pass")
		switch {
		case s.step < 0:
			line("%s --> failed: wrong password", id(i))
		case s.max > 1:
			line("%s --> %s: wrong, attempts left", id(i), id(i))
			line("%s --> failed: wrong, attempt %d of %d", id(i), s.max, s.max)
		default:
			line("%s --> failed: wrong", id(i))
		}
	}
	line("tokens --> [*]")
	line("failed --> [*]")
	line("note right of failed")
	line("    also: a round out of order or unknown,")
	line("    more than %d rounds in the session,", fl.maxRounds)
	line("    and, instead of tokens, a user that does not exist")
	line("end note")
	return b.String()
}

// edges writes the transitions from state from to the steps that can come
// next, starting at slot next: each conditional step (taken when it
// applies, skipped otherwise), up to the first unconditional step or the
// end of the flow.
func (fl *Flow) edges(b *strings.Builder, from string, next int, verb string) {
	var skipped []string
	label := func(extra string) string {
		parts := []string{}
		if verb != "start" {
			parts = append(parts, verb)
		}
		if len(skipped) > 0 {
			parts = append(parts, "skipping "+strings.Join(skipped, ", "))
		}
		if extra != "" {
			parts = append(parts, extra)
		}
		if len(parts) == 0 {
			return ""
		}
		return ": " + strings.Join(parts, ", ")
	}
	for j := next; j < len(fl.slots); j++ {
		s := fl.slots[j]
		if s.when == nil {
			fmt.Fprintf(b, "    %s --> s%d%s\n", from, j, label(""))
			return
		}
		fmt.Fprintf(b, "    %s --> s%d%s\n", from, j, label("if it applies"))
		skipped = append(skipped, strings.Join(s.names, " or "))
	}
	if next == 0 {
		// Every step is conditional and none applies: nothing was proven.
		fmt.Fprintf(b, "    %s --> failed%s\n", from, label("no step applies"))
		return
	}
	fmt.Fprintf(b, "    %s --> tokens%s\n", from, label(""))
}

// slotLabel names a state: the Cognito challenge for a password round, the
// custom challenge names and attempts for a step.
func (fl *Flow) slotLabel(s slot) string {
	if s.step < 0 {
		return s.cognito
	}
	label := strings.Join(s.names, " or ")
	if s.max == 1 {
		label += " (1 attempt)"
	} else {
		label += fmt.Sprintf(" (up to %d attempts)", s.max)
	}
	if s.when != nil {
		label += ", conditional"
	}
	return label
}
