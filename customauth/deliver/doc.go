// Package deliver sends one-time codes and magic links to users: by email
// through Amazon SES (API v2), by SMS through Amazon SNS, or, during
// development, to the log.
//
// A Message keeps its secret apart from its text: Body holds Placeholder
// where the code or link goes, and Secret is a triggers.Secret. Senders call
// Text to get what they deliver; anything that logs calls Masked.
package deliver
