package customauth

import (
	"testing"

	"github.com/cognitrig/cognitrig/customauth"
	"github.com/cognitrig/cognitrig/triggers"
)

func TestChooseChannel(t *testing.T) {
	verifiedPhone := triggers.Attributes{"email": "a@example.com", "phone_number": "+15555550100", "phone_number_verified": "true"}
	for _, c := range []struct {
		attrs triggers.Attributes
		meta  triggers.Metadata
		want  string
	}{
		{verifiedPhone, nil, "SMS_OTP"},
		{verifiedPhone, triggers.Metadata{ChannelKey: "EMAIL_OTP"}, "EMAIL_OTP"},
		{triggers.Attributes{"email_verified": "true"}, triggers.Metadata{ChannelKey: "CARRIER_PIGEON"}, "EMAIL_OTP"},
	} {
		if got := chooseChannel(customauth.Facts{Attributes: c.attrs, ClientMetadata: c.meta}); got != c.want {
			t.Errorf("%v %v: %q, want %q", c.attrs, c.meta, got, c.want)
		}
	}
}
