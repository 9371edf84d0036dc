// Package sns delivers SMS through Amazon SNS. Its Sender implements both
// of package delivery's shapes: delivery.Sender for the codes of custom
// authentication, and delivery.SMSSender for the texts of the custom SMS
// sender.
//
// It is apart from package delivery, and from package ses, so that a
// function that sends no SMS links no SNS client (each AWS service package
// adds to every cold start).
package sns
