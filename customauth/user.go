package customauth

import "github.com/cognitrig/cognitrig/triggers"

// UserKey identifies the user of an event for challenge records and signed
// links: the "sub" attribute, which is never reused, or the user name when
// the event has no sub (a user that does not exist). Create and Verify
// compute the same key from their events.
func UserKey(h *triggers.Header, attrs triggers.Attributes) string {
	if sub := attrs["sub"]; sub != "" {
		return sub
	}
	return h.UserName
}
