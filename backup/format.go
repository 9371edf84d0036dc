package backup

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// Format and Version identify a backup file; they are in its header line.
const (
	Format  = "cognitrig-backup"
	Version = 1
)

// Record types: the "type" field of each line.
const (
	TypeHeader = "header"
	TypeGroup  = "group"
	TypeUser   = "user"
	TypeFooter = "footer"
)

// Header is the first line of a backup.
type Header struct {
	Type           string    `json:"type"` // TypeHeader
	Format         string    `json:"format"`
	Version        int       `json:"version"`
	UserPoolID     string    `json:"userPoolId"`
	CreatedAt      time.Time `json:"createdAt"`
	EstimatedUsers int64     `json:"estimatedUsers,omitempty"`
	// WithMFA says whether each user's MFA settings were read
	// (AdminGetUser); without it User.MFA is empty.
	WithMFA bool `json:"withMfa"`
}

// Group is a group of the pool, one line each, before the users.
type Group struct {
	Type        string `json:"type"` // TypeGroup
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Precedence  *int32 `json:"precedence,omitempty"`
	RoleARN     string `json:"roleArn,omitempty"`
}

// User is one user of the pool.
type User struct {
	Type       string            `json:"type"` // TypeUser
	Username   string            `json:"username"`
	Attributes map[string]string `json:"attributes"`
	Status     string            `json:"status"` // CONFIRMED, UNCONFIRMED, RESET_REQUIRED, FORCE_CHANGE_PASSWORD, EXTERNAL_PROVIDER, ...
	Enabled    bool              `json:"enabled"`
	CreatedAt  time.Time         `json:"createdAt"`
	ModifiedAt time.Time         `json:"modifiedAt"`
	Groups     []string          `json:"groups"` // sorted
	MFA        MFA               `json:"mfa"`
}

// MFA is a user's MFA settings.
type MFA struct {
	// Preferred is the preferred method (SMS_MFA, SOFTWARE_TOKEN_MFA,
	// EMAIL_OTP), empty if none.
	Preferred string `json:"preferred,omitempty"`
	// Enabled lists the methods turned on, as AdminGetUser's
	// UserMFASettingList does.
	Enabled []string `json:"enabled,omitempty"`
	// SMSOptions is the legacy MFAOptions list (delivery medium and
	// attribute), which ListUsers returns.
	SMSOptions []MFAOption `json:"smsOptions,omitempty"`
}

// MFAOption is one legacy MFA option.
type MFAOption struct {
	DeliveryMedium string `json:"deliveryMedium"`
	AttributeName  string `json:"attributeName"`
}

// Footer is the last line of a complete backup; a file without it was cut
// short, and Read refuses it.
type Footer struct {
	Type   string `json:"type"` // TypeFooter
	Users  int    `json:"users"`
	Groups int    `json:"groups"`
}

// Writer writes a backup as JSON Lines.
type Writer struct {
	bw     *bufio.Writer
	enc    *json.Encoder
	users  int
	groups int
}

// NewWriter returns a Writer on w. Call Close to write the footer and flush.
func NewWriter(w io.Writer, h Header) (*Writer, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	h.Type, h.Format, h.Version = TypeHeader, Format, Version
	if err := enc.Encode(h); err != nil {
		return nil, fmt.Errorf("backup: write header: %w", err)
	}
	return &Writer{bw: bw, enc: enc}, nil
}

// Group writes a group line.
func (w *Writer) Group(g Group) error {
	g.Type = TypeGroup
	w.groups++
	return w.enc.Encode(g)
}

// User writes a user line.
func (w *Writer) User(u User) error {
	u.Type = TypeUser
	if u.Attributes == nil {
		u.Attributes = map[string]string{}
	}
	if u.Groups == nil {
		u.Groups = []string{}
	}
	w.users++
	return w.enc.Encode(u)
}

// Close writes the footer and flushes. It does not close the underlying
// writer.
func (w *Writer) Close() error {
	if err := w.enc.Encode(Footer{Type: TypeFooter, Users: w.users, Groups: w.groups}); err != nil {
		return err
	}
	return w.bw.Flush()
}

// Backup is a whole backup in memory.
type Backup struct {
	Header Header
	Groups []Group
	Users  []User
}

// Read reads a backup and checks that it is whole: a header of a known
// format and version, then groups, then users, then a footer whose counts
// match. Errors give the line number.
func Read(r io.Reader) (*Backup, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	b := &Backup{}
	line := 0
	var footer *Footer
	for sc.Scan() {
		line++
		raw := sc.Bytes()
		if len(raw) == 0 {
			continue
		}
		if footer != nil {
			return nil, fmt.Errorf("backup: line %d: data after the footer", line)
		}
		var kind struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(raw, &kind); err != nil {
			return nil, fmt.Errorf("backup: line %d: not a JSON object: %w", line, err)
		}
		if line == 1 && kind.Type != TypeHeader {
			return nil, fmt.Errorf("backup: line 1 is not a %s header; is this a cognitrig backup?", Format)
		}
		var err error
		switch kind.Type {
		case TypeHeader:
			if line != 1 {
				return nil, fmt.Errorf("backup: line %d: a second header", line)
			}
			err = json.Unmarshal(raw, &b.Header)
			if err == nil && (b.Header.Format != Format || b.Header.Version != Version) {
				return nil, fmt.Errorf("backup: format %q version %d; this program reads %s version %d", b.Header.Format, b.Header.Version, Format, Version)
			}
		case TypeGroup:
			if len(b.Users) > 0 {
				return nil, fmt.Errorf("backup: line %d: a group after the users", line)
			}
			var g Group
			if err = json.Unmarshal(raw, &g); err == nil {
				if g.Name == "" {
					return nil, fmt.Errorf("backup: line %d: a group without a name", line)
				}
				b.Groups = append(b.Groups, g)
			}
		case TypeUser:
			var u User
			if err = json.Unmarshal(raw, &u); err == nil {
				if u.Username == "" {
					return nil, fmt.Errorf("backup: line %d: a user without a username", line)
				}
				b.Users = append(b.Users, u)
			}
		case TypeFooter:
			footer = &Footer{}
			err = json.Unmarshal(raw, footer)
		default:
			return nil, fmt.Errorf("backup: line %d: unknown record type %q", line, kind.Type)
		}
		if err != nil {
			return nil, fmt.Errorf("backup: line %d: %w", line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("backup: read line %d: %w", line+1, err)
	}
	if line == 0 {
		return nil, errors.New("backup: the file is empty")
	}
	if footer == nil {
		return nil, fmt.Errorf("backup: no footer after line %d: the backup was cut short; take it again", line)
	}
	if footer.Users != len(b.Users) || footer.Groups != len(b.Groups) {
		return nil, fmt.Errorf("backup: the footer counts %d users and %d groups, the file has %d and %d: the file is damaged",
			footer.Users, footer.Groups, len(b.Users), len(b.Groups))
	}
	return b, nil
}
