package lambdart

import "syscall"

// procAttr makes the function's process die with its parent, so that a
// killed test or server leaves no bootstrap running.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
