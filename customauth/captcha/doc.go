// Package captcha is a customauth challenge that asks for a solved CAPTCHA.
//
// Create sends the widget's public site key to the client; the client shows
// the widget and answers the challenge with the widget's response token;
// Verify asks a Verifier about the token. SiteVerify is the Verifier for the
// common "siteverify" HTTP endpoint (reCAPTCHA, hCaptcha, Turnstile), with
// a configurable URL.
//
// A rejected token is a wrong answer. A service that cannot be reached is an
// error, which fails the sign-in with customauth.UnavailableMessage rather
// than letting the client through.
package captcha
