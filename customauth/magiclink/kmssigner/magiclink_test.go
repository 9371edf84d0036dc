package kmssigner_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/cognitrig/cognitrig/customauth"
	"github.com/cognitrig/cognitrig/customauth/deliver"
	"github.com/cognitrig/cognitrig/customauth/magiclink"
	"github.com/cognitrig/cognitrig/customauth/records"
	"github.com/cognitrig/cognitrig/internal/awsfake"
	"github.com/cognitrig/cognitrig/triggers"
	"github.com/cognitrig/cognitrig/triggers/triggertest"
)

// challenge returns a magic-link challenge signing with the KMS key keyID.
func challenge(t *testing.T, f *awsfake.KMS, keyID string, store records.Store, box *triggertest.Recorder[deliver.Message], logs *bytes.Buffer, now time.Time) *magiclink.Challenge {
	t.Helper()
	ch, err := magiclink.New(magiclink.Config{
		Signer: newSigner(t, f.Client(), keyID),
		Store:  store,
		Sender: box,
		Pages:  map[string]string{"signin": "https://app.example.com/signin"},
		Now:    func() time.Time { return now },
		Logger: slog.New(slog.NewJSONHandler(logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

func sendLink(t *testing.T, ch *magiclink.Challenge, box *triggertest.Recorder[deliver.Message]) string {
	t.Helper()
	ev := triggertest.Decode[triggers.CreateAuthChallengeEvent](t, "CreateAuthChallenge_Authentication.passwordless")
	ev.Request.ClientMetadata = triggers.Metadata{"page": "signin"}
	if _, err := ch.Create(context.Background(), ev, customauth.Round{}); err != nil {
		t.Fatal(err)
	}
	return box.Last(t).Secret.Reveal()
}

func answer(t *testing.T, ch *magiclink.Challenge, link string) bool {
	t.Helper()
	ev := triggertest.Decode[triggers.VerifyAuthChallengeResponseEvent](t, "VerifyAuthChallengeResponse_Authentication")
	ev.Request.ChallengeAnswer = triggers.Secret(link)
	ok, err := ch.Verify(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func TestMagicLinkWithKMS(t *testing.T) {
	f := newFakeKMS(t, keyID, otherKeyID)
	store := &records.MemoryStore{}
	now := time.Unix(1_800_000_000, 0)
	var logs bytes.Buffer

	ours := challenge(t, f, keyID, store, &triggertest.Recorder[deliver.Message]{}, &logs, now)
	box := &triggertest.Recorder[deliver.Message]{}
	theirs := challenge(t, f, otherKeyID, store, box, &logs, now)

	// A link signed by another KMS key has a live record in the same store
	// and passes every check but the signature.
	foreign := sendLink(t, theirs, box)
	if answer(t, ours, foreign) {
		t.Fatal("a link signed with another KMS key was accepted")
	}
	if !answer(t, theirs, foreign) {
		t.Fatal("the link was refused by the challenge whose key signed it")
	}

	box = &triggertest.Recorder[deliver.Message]{}
	ours = challenge(t, f, keyID, store, box, &logs, now)
	link := sendLink(t, ours, box)
	if !strings.HasPrefix(link, "https://app.example.com/signin#") {
		t.Fatalf("link %q does not open the redirect page", link)
	}
	if !answer(t, ours, link) {
		t.Fatal("the KMS-signed link was refused")
	}
	if answer(t, ours, link) {
		t.Fatal("a used link was accepted again")
	}
	if f.Count("GenerateMac") != 2 || f.Count("VerifyMac") != 4 {
		t.Fatalf("calls: GenerateMac %d, VerifyMac %d; want 2 and 4 (one per link sent, one per link checked)",
			f.Count("GenerateMac"), f.Count("VerifyMac"))
	}
	for _, l := range []string{link, foreign} {
		if token := l[strings.IndexByte(l, '#')+1:]; strings.Contains(logs.String(), token) {
			t.Fatal("log holds a link token")
		}
	}
}

func TestMagicLinkKMSOutage(t *testing.T) {
	f := newFakeKMS(t, keyID)
	box := &triggertest.Recorder[deliver.Message]{}
	var logs bytes.Buffer
	ch := challenge(t, f, keyID, &records.MemoryStore{}, box, &logs, time.Unix(1_800_000_000, 0))
	link := sendLink(t, ch, box)
	f.Disable(keyID)

	ev := triggertest.Decode[triggers.VerifyAuthChallengeResponseEvent](t, "VerifyAuthChallengeResponse_Authentication")
	ev.Request.ChallengeAnswer = triggers.Secret(link)
	ok, err := ch.Verify(context.Background(), ev)
	if ok || err == nil {
		t.Fatalf("Verify with a disabled key = %v, %v; want an error", ok, err)
	}
	token := link[strings.IndexByte(link, '#')+1:]
	if !strings.Contains(err.Error(), "kms:VerifyMac") || strings.Contains(err.Error(), token) || strings.Contains(logs.String(), token) {
		t.Fatalf("error %q: want the permission named, no token", err)
	}
}
