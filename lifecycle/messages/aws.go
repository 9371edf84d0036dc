package messages

import "github.com/cognitrig/cognitrig/delivery"

// SESAPI is the part of the Amazon SES v2 API that SES uses;
// *sesv2.Client implements it.
type SESAPI = delivery.SESAPI

// SES delivers email through Amazon SES (API v2): SendEmail sends an Email
// as HTML. It is package delivery's SES, which also serves custom
// authentication, so both share one set of checks.
type SES = delivery.SES

// SNSAPI is the part of the Amazon SNS API that SNS uses; *sns.Client
// implements it.
type SNSAPI = delivery.SNSAPI

// SNS delivers text messages through Amazon SNS, as transactional SMS:
// SendSMS publishes an SMS. It is package delivery's SNS.
type SNS = delivery.SNS
