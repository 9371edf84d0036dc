package triggers

import (
	"encoding/json"
	"fmt"
	"reflect"
)

var (
	secretType     = reflect.TypeFor[Secret]()
	secretMapType  = reflect.TypeFor[SecretMap]()
	metadataType   = reflect.TypeFor[Metadata]()
	attributesType = reflect.TypeFor[Attributes]()
)

// Masked returns a deep copy of ev in which every non-empty Secret, and
// every value of a SecretMap or Metadata, and every user attribute that a
// log line would mask (see Attributes), is replaced by Mask. Use it to
// print or store an event for people to read; the original is unchanged.
func Masked(ev Event) (Event, error) {
	h := ev.Common()
	t, err := Classify(h.TriggerSource, h.Version)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("triggers: copy %s event: %w", h.TriggerSource, err)
	}
	cp := NewEvent(t)
	if err := json.Unmarshal(b, cp); err != nil {
		return nil, decodeError(h.TriggerSource, err)
	}
	maskValue(reflect.ValueOf(cp).Elem())
	return cp, nil
}

func maskValue(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			maskValue(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				maskValue(v.Field(i))
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			maskValue(v.Index(i))
		}
	case reflect.String:
		if v.Type() == secretType && v.Len() > 0 {
			v.SetString(Mask)
		}
	case reflect.Map:
		if v.Type() == secretMapType || v.Type() == metadataType {
			for _, k := range v.MapKeys() {
				v.SetMapIndex(k, reflect.ValueOf(Mask).Convert(v.Type().Elem()))
			}
		}
		if v.Type() == attributesType {
			// As in logs: user attributes are personal data (and, for the
			// account-takeover warning, carry feedback tokens); sub, the
			// *_verified flags and the status stay readable.
			for _, k := range v.MapKeys() {
				if !showAttribute(k.String()) {
					v.SetMapIndex(k, reflect.ValueOf(Mask).Convert(v.Type().Elem()))
				}
			}
		}
	}
}
