//go:build !linux

package lambdart

import "syscall"

func procAttr() *syscall.SysProcAttr { return nil }
