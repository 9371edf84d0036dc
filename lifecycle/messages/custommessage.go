package messages

import (
	"context"
	"errors"
	"fmt"

	"github.com/cognitrig/cognitrig/triggers"
)

// CustomMessage is the handler of the custom message trigger: it renders the
// template of the event's kind in the user's locale, with Cognito's
// placeholders for the code, user name and link, and sets the response. A
// kind without a template keeps Cognito's default message.
//
//	r.CustomMessage(catalog.CustomMessage)
func (c *Catalog) CustomMessage(_ context.Context, ev *triggers.CustomMessageEvent) error {
	k, ok := KindOf(ev.TriggerSource)
	if !ok {
		return fmt.Errorf("messages: %s is not a custom message trigger source", ev.TriggerSource)
	}
	d := Data{
		Code:       ev.Request.CodeParameter.Reveal(),
		Username:   ev.Request.UsernameParameter,
		Link:       ev.Request.LinkParameter,
		Attributes: ev.Request.UserAttributes,
	}
	if d.Code == "" {
		d.Code = CodePlaceholder
	}
	if d.Link == "" {
		d.Link = LinkPlaceholder
	}
	if d.Username == "" {
		// Cognito sends usernameParameter only for AdminCreateUser; other
		// kinds show the user name itself.
		d.Username = ev.UserName
	}
	m, err := c.Render(k, d)
	if errors.Is(err, ErrNoTemplate) {
		return nil
	}
	if err != nil {
		return err
	}
	if m.Email != "" {
		ev.Response.EmailSubject = m.Subject
		ev.Response.EmailMessage = m.Email
	}
	if m.SMS != "" {
		ev.Response.SMSMessage = m.SMS
	}
	return nil
}
