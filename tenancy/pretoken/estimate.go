package pretoken

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/cognitrig/cognitrig/triggers"
)

// TokenSizeError reports a token whose estimated encoded size is over the
// budget, with its largest claims.
type TokenSizeError struct {
	Token   string      // "ID" or "access"
	Size    int         // estimated bytes of the encoded token
	Budget  int         // Config.TokenBudget
	Largest []ClaimSize // the largest claims, largest first (at most 3)
}

// ClaimSize is the estimated share of one claim in an encoded token.
type ClaimSize struct {
	Name  string
	Bytes int
}

func (e *TokenSizeError) Error() string {
	parts := make([]string, len(e.Largest))
	for i, c := range e.Largest {
		parts[i] = fmt.Sprintf("%s (%d bytes)", c.Name, c.Bytes)
	}
	return fmt.Sprintf("pretoken: the %s token would be about %d bytes encoded, over the budget of %d (Config.TokenBudget); largest claims: %s. Suppress or shorten them, or raise the budget",
		e.Token, e.Size, e.Budget, strings.Join(parts, ", "))
}

// A Cognito token is base64url(header) "." base64url(payload) "."
// base64url(RS256 signature). The header is {"kid":"<44 chars>","alg":"RS256"}
// and the signature 256 bytes.
const (
	headerJSONLen = len(`{"kid":"","alg":"RS256"}`) + 44
	signatureLen  = 256
	// Placeholders for values that Cognito fills in: a UUID, a Unix time.
	uuidLen = len(`"a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"`)
	timeLen = len(`1700000000`)
)

func b64(n int) int { return base64.RawURLEncoding.EncodedLen(n) }

// tokenModel describes a token as Cognito would issue it after the
// customisation, enough to estimate its encoded size without building it.
type tokenModel struct {
	kind     string // "ID" or "access"
	h        *triggers.Header
	attrs    triggers.Attributes // the user's attributes (ID token only)
	user     bool                // access token: a user's (false: client credentials)
	groups   triggers.GroupConfiguration
	scopeLen int // access token: JSON length of the scope claim; 0 for none
	add      map[string]any
	suppress []string
}

// baseline yields Cognito's own claims with the JSON length of their
// values. Cognito's claims and attributes never share a name.
func (m *tokenModel) baseline(yield func(name string, valueLen int)) {
	if m.kind == "ID" {
		yield("sub", uuidLen)
		yield("aud", quotedLen(m.h.CallerContext.ClientID))
		yield("cognito:username", quotedLen(m.h.UserName))
		yield("token_use", len(`"id"`))
		yield("origin_jti", uuidLen)
		yield("event_id", uuidLen)
		for name, v := range m.attrs {
			switch {
			case notAClaim(name) || name == "sub":
			case strings.HasSuffix(name, "_verified"):
				yield(name, len(v)) // true / false
			default:
				yield(name, quotedLen(v))
			}
		}
	} else {
		if m.user {
			yield("sub", uuidLen)
			yield("username", quotedLen(m.h.UserName))
			yield("origin_jti", uuidLen)
			yield("event_id", uuidLen)
		} else {
			yield("sub", quotedLen(m.h.CallerContext.ClientID))
		}
		yield("client_id", quotedLen(m.h.CallerContext.ClientID))
		yield("token_use", len(`"access"`))
		yield("version", 1)
		if m.scopeLen > 0 {
			yield("scope", m.scopeLen)
		}
	}
	yield("iss", len(`"https://cognito-idp..amazonaws.com/"`)+len(m.h.Region)+len(m.h.UserPoolID))
	yield("jti", uuidLen)
	yield("auth_time", timeLen)
	yield("iat", timeLen)
	yield("exp", timeLen)
	if g := m.groups.GroupsToOverride; len(g) > 0 {
		yield("cognito:groups", stringsLen(g))
	}
	if m.kind == "ID" {
		if r := m.groups.IAMRolesToOverride; len(r) > 0 {
			yield("cognito:roles", stringsLen(r))
		}
		if p := m.groups.PreferredRole; p != nil && *p != "" {
			yield("cognito:preferred_role", quotedLen(*p))
		}
	}
}

// claims yields the claims of the customised token with the length of
// their JSON members ("name":value).
func (m *tokenModel) claims(yield func(name string, memberLen int)) {
	// A bit per name length of the customised claims: most of Cognito's
	// claims differ in length from all of them, which spares a lookup.
	var lengths uint64
	for name := range m.add {
		lengths |= 1 << min(len(name), 63)
	}
	for _, name := range m.suppress {
		lengths |= 1 << min(len(name), 63)
	}
	m.baseline(func(name string, valueLen int) {
		if lengths&(1<<min(len(name), 63)) != 0 {
			if _, replaced := m.add[name]; replaced || slices.Contains(m.suppress, name) {
				return
			}
		}
		yield(name, quotedLen(name)+1+valueLen)
	})
	for name, v := range m.add {
		if !slices.Contains(m.suppress, name) {
			yield(name, quotedLen(name)+1+jsonLen(v))
		}
	}
}

func (m *tokenModel) size() int {
	payload, n := 2, 0 // braces
	m.claims(func(_ string, memberLen int) { payload, n = payload+memberLen, n+1 })
	if n > 1 {
		payload += n - 1 // commas
	}
	return b64(headerJSONLen) + 1 + b64(payload) + 1 + b64(signatureLen)
}

// check fails if the token is over the budget.
func (h *Handler) check(m *tokenModel) error {
	size := m.size()
	if size <= h.budget {
		return nil
	}
	var all []ClaimSize
	m.claims(func(name string, memberLen int) {
		all = append(all, ClaimSize{Name: name, Bytes: b64(memberLen + 1)})
	})
	slices.SortFunc(all, func(a, b ClaimSize) int {
		return cmp.Or(cmp.Compare(b.Bytes, a.Bytes), strings.Compare(a.Name, b.Name))
	})
	return &TokenSizeError{Token: m.kind, Size: size, Budget: h.budget, Largest: all[:min(3, len(all))]}
}

// scopeLen is the JSON length of the access token's scope claim: one
// space-separated string of the final scopes.
func scopeLen(requested []string, c *triggers.AccessTokenGeneration) int {
	n, count := 0, 0
	for _, s := range requested {
		if !slices.Contains(c.ScopesToSuppress, s) {
			n, count = n+len(s), count+1
		}
	}
	for _, s := range c.ScopesToAdd {
		if !slices.Contains(requested, s) && !slices.Contains(c.ScopesToSuppress, s) {
			n, count = n+len(s), count+1
		}
	}
	if count == 0 {
		return 0
	}
	return 2 + n + count - 1
}

// Attributes that are not claims of the ID token.
func notAClaim(name string) bool {
	switch name {
	case "cognito:user_status", "cognito:email_alias", "cognito:phone_number_alias", "cognito:mfa_enabled":
		return true
	}
	return false
}

// effectiveGroups is the group configuration of the issued tokens: the
// override replaces the request's configuration as a whole, a nil part of
// it removing that claim ("Pre token generation Lambda trigger": "The
// groupOverrideDetails object is replaced with the one you provide. If you
// provide an empty or null object in the response, then the groups are
// suppressed").
func effectiveGroups(g triggers.GroupConfiguration, o *triggers.GroupOverride) triggers.GroupConfiguration {
	if o == nil {
		return g
	}
	return triggers.GroupConfiguration{
		GroupsToOverride:   o.GroupsToOverride,
		IAMRolesToOverride: o.IAMRolesToOverride,
		PreferredRole:      o.PreferredRole,
	}
}

// quotedLen is the length of s as a JSON string. It looks at 8 bytes at
// a time for one that needs escaping (a control character, '"' or '\\'),
// since it measures every attribute of every token.
func quotedLen(s string) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	n := 2 + len(s)
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		below := (w - ones*0x20) &^ w // high bit set where a byte < 0x20 (or >= 0x80: rechecked)
		quote := w ^ (ones * '"')     // zero byte where '"'
		slash := w ^ (ones * '\\')    // zero byte where '\\'
		zero := ((quote - ones) &^ quote) | ((slash - ones) &^ slash)
		if (below|zero)&highs != 0 {
			n += escapes(s[i : i+8])
		}
	}
	return n + escapes(s[i:])
}

// escapes is the number of bytes that escaping adds to s.
func escapes(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' {
			switch c {
			case '"', '\\', '\n', '\r', '\t', '\b', '\f':
				n++ // \" \\ \n \r \t \b \f
			default:
				n += 5 // \u00XX
			}
		}
	}
	return n
}

// stringsLen is the length of v as a JSON array.
func stringsLen(v []string) int {
	n := 2
	for i, s := range v {
		if i > 0 {
			n++
		}
		n += quotedLen(s)
	}
	return n
}

// jsonLen is the length of v in JSON.
func jsonLen(v any) int {
	switch v := v.(type) {
	case string:
		return quotedLen(v)
	case []string:
		return stringsLen(v)
	case bool:
		if v {
			return 4
		}
		return 5
	case int:
		return len(strconv.Itoa(v))
	case nil:
		return 4
	}
	b, err := json.Marshal(v)
	if err != nil {
		return 0
	}
	return len(b)
}
