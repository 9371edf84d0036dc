package triggers

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
)

// header is what dispatch needs before the full decode.
type header struct {
	TriggerSource TriggerSource `json:"triggerSource"`
	Version       string        `json:"version"`
}

// readHeader returns an event's triggerSource and version; see readTop.
func readHeader(payload []byte) (header, error) {
	t, _, err := readTop(payload)
	return t.header, err
}

// readTop returns an event's triggerSource and version, and where its
// response is. The fast path scans the top level of the object without
// decoding it; anything unusual (escaped keys, a non-string value, bad JSON)
// falls back to encoding/json, which then also produces the error, and
// reports ok false: the response cannot be spliced into such an event.
func readTop(payload []byte) (t top, ok bool, err error) {
	if t, ok := scanTop(payload); ok {
		return t, true, nil
	}
	var h header
	if err := json.Unmarshal(payload, &h); err != nil {
		return top{}, false, decodeError("", err)
	}
	return top{header: h, respStart: -1, respEnd: -1}, false, nil
}

// scanHeader reads the top-level "triggerSource" and "version" string
// values of a JSON object. Like encoding/json it matches keys without regard
// to case and keeps the last of duplicate keys. ok is false when the input is
// not plain enough to be sure; the caller then decodes it properly.
func scanHeader(b []byte) (h header, ok bool) {
	t, ok := scanTop(b)
	return t.header, ok
}

// top is what one scan of an event's top level finds: the header, and where
// the response value is, so that the answer can be the received bytes with
// only that value replaced (see splice).
type top struct {
	header
	respStart, respEnd int  // byte range of the "response" value; respStart < 0 if there is none
	respKeys           int  // top-level keys that match "response" without regard to case
	respExact          bool // the one such key is exactly "response"
	closing            int  // index of the object's closing brace
	members            int  // number of top-level members
}

// spliceable reports whether the response value can be replaced in place:
// at most one key that encoding/json would read as the response, spelled as
// Cognito spells it.
func (t *top) spliceable() bool {
	return t.respKeys == 0 || t.respKeys == 1 && t.respExact
}

// scanTop scans the top level of an event; see scanHeader and top.
func scanTop(b []byte) (t top, ok bool) {
	t.respStart, t.respEnd = -1, -1
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return t, false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		t.closing = i
		return t, skipSpace(b, i+1) == len(b)
	}
	for {
		key, next, plain := scanString(b, i)
		// Non-ASCII keys may case-fold onto "triggerSource" in ways only
		// encoding/json knows; let it decide.
		if next < 0 || !plain || !isASCII(key) {
			return t, false
		}
		i = skipSpace(b, next)
		if i >= len(b) || b[i] != ':' {
			return t, false
		}
		i = skipSpace(b, i+1)
		t.members++
		isSource := bytes.EqualFold(key, []byte("triggerSource"))
		isVersion := !isSource && bytes.EqualFold(key, []byte("version"))
		if isSource || isVersion {
			val, next, plain := scanString(b, i)
			// encoding/json replaces invalid UTF-8 with U+FFFD; for anything
			// but ASCII, its result is the reference.
			if next < 0 || !plain || !isASCII(val) {
				return t, false
			}
			if isSource {
				t.TriggerSource = internSource(val)
			} else {
				t.Version = internVersion(val)
			}
			i = next
		} else {
			start := i
			i = skipValue(b, i)
			if i < 0 {
				return t, false
			}
			if bytes.EqualFold(key, []byte("response")) {
				t.respKeys++
				t.respExact = string(key) == "response"
				t.respStart, t.respEnd = start, i
			}
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return t, false
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			t.closing = i
			return t, skipSpace(b, i+1) == len(b)
		default:
			return t, false
		}
	}
}

// peekHeader reads triggerSource and version from the first top-level
// members, stopping once it has both: Cognito puts them first, so this
// reads a few dozen bytes. It does not see later duplicates; the router
// checks the decoded event against it and, on any difference, dispatches
// again by the full scan. ok is false if it cannot tell.
func peekHeader(b []byte) (h header, ok bool) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return h, false
	}
	i = skipSpace(b, i+1)
	var haveSource, haveVersion bool
	for !haveSource || !haveVersion {
		key, next, plain := scanString(b, i)
		if next < 0 || !plain || !isASCII(key) {
			return h, false
		}
		i = skipSpace(b, next)
		if i >= len(b) || b[i] != ':' {
			return h, false
		}
		i = skipSpace(b, i+1)
		isSource := bytes.EqualFold(key, []byte("triggerSource"))
		isVersion := !isSource && bytes.EqualFold(key, []byte("version"))
		if isSource || isVersion {
			val, next, plain := scanString(b, i)
			if next < 0 || !plain || !isASCII(val) {
				return h, false
			}
			if isSource {
				h.TriggerSource, haveSource = internSource(val), true
			} else {
				h.Version, haveVersion = internVersion(val), true
			}
			i = next
		} else if i = skipValue(b, i); i < 0 {
			return h, false
		}
		i = skipSpace(b, i)
		if i >= len(b) || b[i] != ',' {
			return h, false // the object ends before both were seen
		}
		i = skipSpace(b, i+1)
	}
	return h, true
}

var knownSources = func() map[string]TriggerSource {
	m := make(map[string]TriggerSource, len(orderedSources))
	for _, s := range orderedSources {
		m[string(s)] = s
	}
	return m
}()

// internSource returns the constant for a known source without allocating.
func internSource(b []byte) TriggerSource {
	if s, ok := knownSources[string(b)]; ok {
		return s
	}
	return TriggerSource(b)
}

func internVersion(b []byte) string {
	switch string(b) {
	case "0":
		return "0"
	case "1":
		return "1"
	case "2":
		return "2"
	case "3":
		return "3"
	}
	return string(b)
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// scanString scans a JSON string starting at b[i] == '"'. It returns the
// raw contents, the index after the closing quote, and whether the contents
// needed no unescaping. next is -1 on malformed input.
func scanString(b []byte, i int) (raw []byte, next int, plain bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, -1, false
	}
	plain = true
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '\\':
			plain = false
			j++
		case c == '"':
			return b[i+1 : j], j + 1, plain
		case c < 0x20:
			return nil, -1, false
		}
	}
	return nil, -1, false
}

// skipValue returns the index after the JSON value at b[i], or -1. Nested
// values are skipped by counting brackets outside strings; their validity is
// left to the full decode.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		_, next, _ := scanString(b, i)
		return next
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				_, next, _ := scanString(b, j)
				if next < 0 {
					return -1
				}
				j = next - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	default:
		j := i
		for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' &&
			b[j] != '\n' && b[j] != '\r' && b[j] != '\t' {
			j++
		}
		if j == i {
			return -1
		}
		return j
	}
}

// decodeError turns an encoding/json error into a DecodeError, which
// carries positions and field names but never payload content.
func decodeError(source TriggerSource, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "(top level)"
		}
		// Value reads like "number 123456": keep the kind, drop the value,
		// which may be a one-time code.
		kind, _, _ := strings.Cut(typ.Value, " ")
		return &DecodeError{Source: source, Offset: typ.Offset, Field: field, Kind: kind}
	case errors.As(err, &syn):
		return &DecodeError{Source: source, Offset: syn.Offset}
	default:
		return &DecodeError{Source: source, Offset: -1}
	}
}
