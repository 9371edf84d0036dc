// Package delivery sends e-mail and SMS to users: through Amazon SES (API
// v2), through Amazon SNS, or, during development, to the log. It is a
// neutral layer below the feature packages (ARCHITECTURE.md, "Rules"):
// customauth/deliver and lifecycle/messages re-export its types, so a sender
// written once plugs into both custom authentication and the custom sender
// triggers.
//
// Two message shapes exist because the two callers hold the secret
// differently:
//
//   - Message keeps its secret apart from its text: Body holds Placeholder
//     where the code or link goes, and Secret is a triggers.Secret. A Sender
//     calls Text to get what it delivers; anything that logs calls Masked.
//     Custom authentication challenges send these.
//   - Email (HTML) and SMS are rendered already, the code inside; they print
//     and log without their bodies or recipients. The custom sender
//     triggers send these through an EmailSender or SMSSender.
//
// SES and SNS implement both shapes with one set of checks (Client and
// sender set, recipient address or E.164 number well formed) and one
// request each; their errors name the API call and wrap the SDK error,
// never the message body or the secret.
package delivery
