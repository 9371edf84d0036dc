// Package nilcheck tells whether a dependency given to a constructor is
// missing: nil itself, or an interface holding a nil pointer, map, func,
// channel or slice. The second is the common mistake: a store
// constructor's result on error, assigned to an interface field, is not
// == nil, yet every call through it panics at the first event.
package nilcheck

import "reflect"

// Is reports whether v is nil or holds a nil pointer, map, func, channel,
// slice or interface.
func Is(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Func, reflect.Chan, reflect.Slice:
		return rv.IsNil()
	}
	return false
}
