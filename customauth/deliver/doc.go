// Package deliver sends one-time codes and magic links to users: by email
// through Amazon SES (API v2), by SMS through Amazon SNS, or, during
// development, to the log. Its types are package delivery's (aliases), so
// the same senders serve lifecycle/messages; Timing, the imitation of a
// real send's duration for decoy rounds, is custom authentication's own.
//
// A Message keeps its secret apart from its text: Body holds Placeholder
// where the code or link goes, and Secret is a triggers.Secret. Senders call
// Text to get what they deliver; anything that logs calls Masked.
package deliver
