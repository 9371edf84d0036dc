package secquestion_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/cognitrig/cognitrig/customauth/secquestion"
)

// TestNewRefusesAnEmptyDecoyQuestion: an empty decoy question would be
// shown to users who do not exist, telling them apart; New refuses it
// (issue 13 §3).
func TestNewRefusesAnEmptyDecoyQuestion(t *testing.T) {
	cases := []struct {
		name      string
		questions []string
		want      string
	}{
		{"empty", []string{"Your first pet?", ""}, "DecoyQuestions[1] is empty"},
		{"blank", []string{" \t"}, "DecoyQuestions[0] is empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := secquestion.New(secquestion.Config{Store: &secquestion.MemoryStore{}, DecoyQuestions: c.questions, DecoyKey: bytes.Repeat([]byte{7}, 32)})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one that says %q", err, c.want)
			}
		})
	}
}
