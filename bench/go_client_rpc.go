// The go-libvirt peer of bench/rpc: DigitalOcean's pure-Go client calling ConnectGetLibVersion.
//
//	go_client_rpc NETWORK ADDRESS SECONDS [IN_FLIGHT [OP [URI]]]
//
// NETWORK is unix or tcp. IN_FLIGHT goroutines share one connection (go-libvirt multiplexes them).
// OP is libversion (the default), capabilities, allstats (ConnectGetAllDomainStats of every
// domain) or openclose (dial, ConnectToURI, Disconnect: each call a whole connection); URI is the
// driver to open (default qemu:///system).
// Prints JSON {"calls": N, "seconds": S, "userMicros": U, "sysMicros": Y} (getrusage of this process
// over the measured seconds). Built by bench/rpc with Debian's golang-go and
// golang-github-digitalocean-go-libvirt-dev (GOPATH mode, nothing downloaded).
package main

import (
	"encoding/json"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	libvirt "github.com/digitalocean/go-libvirt"
	"github.com/digitalocean/go-libvirt/socket/dialers"
)

func rusage() (int64, int64) {
	var r syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &r)
	return r.Utime.Sec*1e6 + r.Utime.Usec, r.Stime.Sec*1e6 + r.Stime.Usec
}

func main() {
	network, address := os.Args[1], os.Args[2]
	seconds, _ := strconv.ParseFloat(os.Args[3], 64)
	inFlight := 1
	if len(os.Args) > 4 {
		inFlight, _ = strconv.Atoi(os.Args[4])
	}
	op, uri := "libversion", string(libvirt.QEMUSystem)
	if len(os.Args) > 5 {
		op = os.Args[5]
	}
	if len(os.Args) > 6 {
		uri = os.Args[6]
	}
	open := func() *libvirt.Libvirt {
		c, err := net.DialTimeout(network, address, 10*time.Second)
		if err != nil {
			panic(err)
		}
		l := libvirt.NewWithDialer(dialers.NewAlreadyConnected(c))
		if err := l.ConnectToURI(libvirt.ConnectURI(uri)); err != nil {
			panic(err)
		}
		return l
	}
	l := open()
	call := map[string]func() error{
		"libversion":   func() error { _, err := l.ConnectGetLibVersion(); return err },
		"capabilities": func() error { _, err := l.ConnectGetCapabilities(); return err },
		"allstats":     func() error { _, err := l.ConnectGetAllDomainStats(nil, 0, 0); return err },
		"openclose":    func() error { return open().Disconnect() },
	}[op]
	for i := 0; i < 200; i++ { // warm-up
		if err := call(); err != nil {
			panic(err)
		}
	}
	var calls int64
	u0, s0 := rusage()
	start := time.Now()
	stop := start.Add(time.Duration(seconds * float64(time.Second)))
	var wg sync.WaitGroup
	for g := 0; g < inFlight; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) {
				if err := call(); err != nil {
					panic(err)
				}
				atomic.AddInt64(&calls, 1)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	u1, s1 := rusage()
	l.Disconnect()
	json.NewEncoder(os.Stdout).Encode(map[string]interface{}{"calls": calls, "seconds": elapsed, "userMicros": u1 - u0, "sysMicros": s1 - s0})
}
