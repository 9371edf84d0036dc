// Package messages writes the messages that Cognito sends to users: the
// custom message trigger (Cognito sends the text the function returns) and
// the custom email and SMS sender triggers (the function sends the message
// itself).
//
// A Catalog holds one Template per message Kind and locale: a text/template
// for the email subject and the SMS, an html/template for the email body.
// New parses every template and renders it with Cognito's placeholders, and
// refuses a template that would drop one: the code ({####}) everywhere, the
// user name ({username}) in the invitation of an administrator-created user,
// and the verification link ({##...##}) where the pool verifies by link. A
// broken template therefore fails at start-up, in tests and before
// deployment, not at a user's sign-up.
//
// Funcs and NewFuncs are the same catalog for messages written as Go
// functions instead of templates, checked the same way (and for values
// shown in an email without HTML escaping). A program that never calls New
// parses nothing at start-up and does not link template execution, which
// keeps every exported method of every linked type in the binary; the
// deployed messages function is built this way.
//
// The user's locale attribute picks the template: "pt-BR" tries pt-br, then
// pt, then the catalog's default locale.
//
// Senders serves the custom sender triggers: it decrypts the code with a
// Decrypter (package esdk, the AWS Encryption SDK), renders the same
// templates with the plain code and delivers through an EmailSender (SES,
// Amazon SES v2) or SMSSender (SNS, Amazon SNS). The plain code is held
// only in memory for the send: Email, SMS and Rendered print and log
// without their subjects or bodies, and errors never quote the code.
//
// Two sources are taken as Cognito sends them. The code of *_AdminCreateUser
// is the temporary password, HTML-escaped by Cognito: Senders unescapes it
// once, so the SMS carries the password as it is and the email (escaped by
// html/template, or by Funcs with html.EscapeString) shows it exactly. CustomEmailSender_AccountTakeOverNotification
// has a null code and null client metadata, and its userAttributes describe
// the risky sign-in (AccountTakeOver: the action taken, IP address, time,
// place, device, and two one-click feedback links) without the user's
// address: Senders finds the email address with a UserDirectory
// (cognitousers.Directory, AdminGetUser) and renders the AccountTakeOverNotification
// template, which New refuses unless it carries both feedback links and
// reads differently for a blocked and an allowed sign-in. The links and the
// feedback token never reach a log or an error.
package messages
