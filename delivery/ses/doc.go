// Package ses delivers e-mail through Amazon SES (API v2). Its Sender
// implements both of package delivery's shapes: delivery.Sender for the
// plain-text codes and links of custom authentication, and
// delivery.EmailSender for the rendered HTML of the custom email sender
// and of lifecycle e-mails.
//
// It is apart from package delivery, and from package sns, so that a
// function that sends only e-mail links only the SES client (each AWS
// service package adds to every cold start).
package ses
