package secquestion

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/cognitrig/cognitrig/customauth"
	"github.com/cognitrig/cognitrig/triggers"
)

// DefaultName is the challengeMetadata of a security question, as in the
// seed flow.
const DefaultName = "SECURITY_QUESTION"

// Parameter keys.
const (
	PublicQuestion = "question"
	privHash       = "answerHash"
)

// Config configures a Challenge.
type Config struct {
	Name  string // default DefaultName
	Store Store
	// DecoyQuestions are shown to users that do not exist or have no
	// question, so that the question does not tell who is enrolled. Use the
	// questions users choose from. Required.
	DecoyQuestions []string
	// DecoyKey (at least 32 random bytes) picks the decoy for a user name
	// with HMAC-SHA-256, so that the same name always sees the same decoy
	// and no one without the key can predict it.
	DecoyKey []byte
	// Params are the argon2id costs of the decoy hash, which a wrong-user
	// answer is checked against so that it takes as long as a real check.
	// Match the cost of the enrolled hashes; zero means DefaultParams.
	Params Params
	// Logger receives a line for unenrolled users and malformed hashes;
	// nil logs nothing.
	Logger *slog.Logger
}

// Challenge asks the user's security question and checks the answer
// against its argon2id hash. Create it with New.
type Challenge struct {
	cfg       Config
	decoyHash string
}

var _ customauth.Challenge = (*Challenge)(nil)

// New checks cfg and returns a Challenge. It hashes a random decoy answer
// once, at the cost of cfg.Params.
func New(cfg Config) (*Challenge, error) {
	if cfg.Store == nil {
		return nil, errors.New("secquestion: Config.Store is required")
	}
	if len(cfg.DecoyQuestions) == 0 {
		return nil, errors.New("secquestion: Config.DecoyQuestions is required: users that do not exist must see a question too")
	}
	for i, q := range cfg.DecoyQuestions {
		if strings.TrimSpace(q) == "" {
			return nil, fmt.Errorf("secquestion: Config.DecoyQuestions[%d] is empty; a user shown it would know it is a decoy", i)
		}
	}
	if len(cfg.DecoyKey) < 32 {
		return nil, fmt.Errorf("secquestion: DecoyKey has %d bytes, want at least 32 random bytes", len(cfg.DecoyKey))
	}
	if cfg.Name == "" {
		cfg.Name = DefaultName
	}
	if cfg.Params == (Params{}) {
		cfg.Params = DefaultParams()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	var junk [32]byte
	if _, err := rand.Read(junk[:]); err != nil {
		return nil, fmt.Errorf("secquestion: read random decoy: %w", err)
	}
	decoy, err := Hash(triggers.Secret(fmt.Sprintf("%x", junk)), cfg.Params)
	if err != nil {
		return nil, err
	}
	return &Challenge{cfg: cfg, decoyHash: decoy}, nil
}

// Name implements customauth.Challenge.
func (c *Challenge) Name() string { return c.cfg.Name }

// Create implements customauth.Challenge: the user's question, or a decoy
// for a user that does not exist or has none. A user that does not exist
// costs the same store read as a real one (of a decoy key), and sees the
// decoy of its name in any letter case.
func (c *Challenge) Create(ctx context.Context, ev *triggers.CreateAuthChallengeEvent, _ customauth.Round) (customauth.Params, error) {
	user := customauth.UserKey(&ev.Header, ev.Request.UserAttributes)
	if ev.Request.UserNotFound {
		user = "decoy:" + customauth.DecoyID(c.cfg.DecoyKey, ev.UserPoolID, ev.UserName)
	}
	e, err := c.cfg.Store.Get(ctx, ev.UserPoolID, user)
	switch {
	case err == nil && !ev.Request.UserNotFound:
		return customauth.Params{
			Public:  map[string]string{PublicQuestion: e.Question},
			Private: triggers.SecretMap{privHash: e.AnswerHash},
		}, nil
	case err != nil && !errors.Is(err, ErrNotEnrolled):
		return customauth.Params{}, err
	case !ev.Request.UserNotFound:
		c.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "secquestion: user has no security question; asking a decoy that cannot be passed",
			slog.String("userPoolId", ev.UserPoolID), slog.String("userName", ev.UserName))
	}
	return customauth.Params{
		Public:  map[string]string{PublicQuestion: c.decoy(ev.UserPoolID, ev.UserName)},
		Private: triggers.SecretMap{privHash: c.decoyHash},
	}, nil
}

// UserBound implements customauth.UserBound: wrong answers spend the
// user's failure budget, across sessions.
func (c *Challenge) UserBound() bool { return true }

func (c *Challenge) decoy(userPoolID, userName string) string {
	m := hmac.New(sha256.New, c.cfg.DecoyKey)
	m.Write([]byte(userPoolID))
	m.Write([]byte{0})
	m.Write([]byte(customauth.NormalizeUserName(userName)))
	n := binary.BigEndian.Uint64(m.Sum(nil))
	return c.cfg.DecoyQuestions[n%uint64(len(c.cfg.DecoyQuestions))]
}

// Verify implements customauth.Challenge. The answer is normalised and
// checked against the hash from Create; a user that does not exist is
// checked against the decoy hash too, and then answered wrong.
func (c *Challenge) Verify(ctx context.Context, ev *triggers.VerifyAuthChallengeResponseEvent) (bool, error) {
	if Normalize(ev.Request.ChallengeAnswer.Reveal()) == "" {
		return false, nil
	}
	ok, err := Check(ev.Request.ChallengeAnswer, ev.Request.PrivateChallengeParameters[privHash])
	if err != nil {
		c.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "secquestion: the private parameters hold no valid answer hash; answering wrong",
			slog.String("error", err.Error()), slog.String("userName", ev.UserName))
		return false, nil
	}
	return ok && !ev.Request.UserNotFound, nil
}
