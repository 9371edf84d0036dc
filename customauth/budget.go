package customauth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/cognitrig/cognitrig/customauth/limits"
	"github.com/cognitrig/cognitrig/triggers"
)

// LockedMessage is what a user who has spent the failure budget, or the
// cap on codes and links, is told by DefineAuthChallenge - a user that
// does not exist alike, after as many rounds.
const LockedMessage = "Too many sign-in attempts. Try again later."

// UserBound is implemented by challenges whose answer depends on the user
// (one-time code, magic link, security question): their wrong answers
// spend the user's failure budget (Sequence.Budget). A CAPTCHA does not
// depend on the user; its wrong answers are not counted, so that failing
// CAPTCHAs cannot lock anyone out.
type UserBound interface {
	UserBound() bool
}

// Delivering is implemented by challenges that deliver a code or a link:
// each of their rounds counts against the user's send cap.
type Delivering interface {
	Delivering() bool
}

func userBound(ch Challenge) bool {
	u, ok := ch.(UserBound)
	return ok && u.UserBound()
}

func delivering(ch Challenge) bool {
	d, ok := ch.(Delivering)
	return ok && d.Delivering()
}

// BudgetKey is the key of the user's budget: user pool and "sub", or for a
// user that does not exist (no sub) the DecoyID of the user name under key
// (Sequence.DecoyKey): every spelling of an unknown name spends one budget,
// as every sign-in of a real user does, and what a person typed as a user
// name (often a password, by mistake) is never stored in clear.
func BudgetKey(h *triggers.Header, attrs triggers.Attributes, key []byte) string {
	if sub := attrs["sub"]; sub != "" {
		return h.UserPoolID + "#" + sub
	}
	return h.UserPoolID + "#name:" + DecoyID(key, h.UserPoolID, h.UserName)
}

// NormalizeUserName is the form of a user name that decoys and budgets of
// users that do not exist are derived from: trimmed and in lower case.
func NormalizeUserName(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// charge returns what the round that Define is deciding spends: the wrong
// answer of the session's last round, if its challenge depends on the user,
// and the next round, if it delivers a code or link. check is true when
// the budget must be read although nothing is charged: before tokens and
// before a round of a challenge that depends on the user.
func (fl *Flow) charge(session []triggers.ChallengeResult, d Decision, f Facts) (c limits.Charge, check bool) {
	if n := len(session); n > 0 {
		last := session[n-1]
		if ch, ok := fl.byName[last.ChallengeMetadata]; ok && last.ChallengeName == triggers.ChallengeCustom && !last.ChallengeResult && userBound(ch) {
			c.Failure = true
		}
	}
	switch {
	case d.Outcome == IssueTokens:
		check = true
	case d.Outcome == NextRound && d.ChallengeName == triggers.ChallengeCustom:
		ch := fl.stepSlot(d.Step).pick(f)
		c.Delivery = delivering(ch)
		check = userBound(ch)
	}
	return c, check
}

// spend charges the round to the user's budget: at most one call to the
// budget store. It reports whether the sign-in may go on.
func (fl *Flow) spend(ctx context.Context, h *triggers.Header, attrs triggers.Attributes, session []triggers.ChallengeResult, d Decision, f Facts) (bool, error) {
	c, check := fl.charge(session, d, f)
	if c == (limits.Charge{}) && !check {
		return true, nil
	}
	ok, err := fl.budget.Spend(ctx, BudgetKey(h, attrs, fl.decoyKey), c, fl.now())
	if err != nil {
		return false, unavailable(fmt.Errorf("customauth: the user's sign-in budget: %w", err))
	}
	return ok, nil
}

// decoyAttributes returns the attributes that conditions and choosers see
// for a user that does not exist: one of Sequence.DecoyProfiles, chosen by
// a keyed hash of the normalised user name, so that one name always sees
// the same flow and no one without the key can tell which.
func (fl *Flow) decoyAttributes(userPoolID, userName string) triggers.Attributes {
	if len(fl.decoyProfiles) == 1 {
		return fl.decoyProfiles[0]
	}
	m := hmac.New(sha256.New, fl.decoyKey)
	m.Write([]byte("profile\x00" + userPoolID + "\x00" + NormalizeUserName(userName)))
	n := binary.BigEndian.Uint64(m.Sum(nil))
	return fl.decoyProfiles[n%uint64(len(fl.decoyProfiles))]
}

// DecoyID returns a stable, keyed, hex identifier of an unknown user name
// for challenges' decoy work (a decoy record slot): the same for every
// spelling of the name, unpredictable without key.
func DecoyID(key []byte, userPoolID, userName string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("decoy\x00" + userPoolID + "\x00" + NormalizeUserName(userName)))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// DefaultDecoyProfile is what a user that does not exist looks like to
// conditions and choosers when Sequence.DecoyProfiles is empty: a user
// with a verified email address and nothing else - the most common user of
// a passwordless pool.
func DefaultDecoyProfile() triggers.Attributes {
	return triggers.Attributes{"email_verified": "true"}
}

func (fl *Flow) now() time.Time {
	if fl.clock != nil {
		return fl.clock()
	}
	return time.Now()
}
