// The go-libvirt peer of bench/rpc: DigitalOcean's pure-Go client calling ConnectGetLibVersion.
//
//	go_client_rpc NETWORK ADDRESS SECONDS [IN_FLIGHT [OP [URI]]]
//
// NETWORK is unix, tcp or tls (ADDRESS host:port; the CA, client certificate and key from
// GO_TLS_CA, GO_TLS_CERT and GO_TLS_KEY, the server's name checked against host, the daemon's
// certificate-check byte read first as libvirt's client reads it; go-libvirt's bufio writer gives
// each small packet one TLS record, as libvirtd needs) or ssh (ADDRESS
// user@host:port; the key from GO_SSH_KEY, the host key checked against GO_SSH_KNOWN_HOSTS, the
// remote command from GO_SSH_COMMAND, as libvirt's ssh transports run it: go-libvirt has no SSH
// dialer of its own, so the session's stdin and stdout are its connection). IN_FLIGHT goroutines share one connection (go-libvirt multiplexes them).
// OP is libversion (the default), capabilities, allstats (ConnectGetAllDomainStats of every
// domain) or openclose (dial, ConnectToURI, Disconnect: each call a whole connection); URI is the
// driver to open (default qemu:///system).
// Prints JSON {"calls": N, "seconds": S, "userMicros": U, "sysMicros": Y} (getrusage of this process
// over the measured seconds). Built by bench/rpc with Debian's golang-go and
// golang-github-digitalocean-go-libvirt-dev (GOPATH mode, nothing downloaded).
package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strings"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	libvirt "github.com/digitalocean/go-libvirt"
	"github.com/digitalocean/go-libvirt/socket/dialers"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// sshConn is a remote command's stdin and stdout as the net.Conn go-libvirt reads and writes.
type sshConn struct {
	io.Reader
	io.WriteCloser
	session *ssh.Session
	client  *ssh.Client
}

func (c *sshConn) Close() error {
	c.WriteCloser.Close()
	c.session.Close()
	return c.client.Close()
}
func (c *sshConn) LocalAddr() net.Addr                { return c.client.LocalAddr() }
func (c *sshConn) RemoteAddr() net.Addr               { return c.client.RemoteAddr() }
func (c *sshConn) SetDeadline(t time.Time) error      { return nil }
func (c *sshConn) SetReadDeadline(t time.Time) error  { return nil }
func (c *sshConn) SetWriteDeadline(t time.Time) error { return nil }

func dialSSH(address string) (net.Conn, error) {
	at := strings.LastIndex(address, "@")
	user, hostPort := address[:at], address[at+1:]
	pem, err := os.ReadFile(os.Getenv("GO_SSH_KEY"))
	if err != nil {
		return nil, err
	}
	signer, err := ssh.ParsePrivateKey(pem)
	if err != nil {
		return nil, err
	}
	hostKeys, err := knownhosts.New(os.Getenv("GO_SSH_KNOWN_HOSTS"))
	if err != nil {
		return nil, err
	}
	client, err := ssh.Dial("tcp", hostPort, &ssh.ClientConfig{User: user, Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)}, HostKeyCallback: hostKeys, Timeout: 10 * time.Second})
	if err != nil {
		return nil, err
	}
	session, err := client.NewSession()
	if err != nil {
		client.Close()
		return nil, err
	}
	stdin, err := session.StdinPipe()
	if err != nil {
		client.Close()
		return nil, err
	}
	stdout, err := session.StdoutPipe()
	if err != nil {
		client.Close()
		return nil, err
	}
	if err := session.Start(os.Getenv("GO_SSH_COMMAND")); err != nil {
		client.Close()
		return nil, err
	}
	return &sshConn{Reader: stdout, WriteCloser: stdin, session: session, client: client}, nil
}

func rusage() (int64, int64) {
	var r syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &r)
	return r.Utime.Sec*1e6 + r.Utime.Usec, r.Stime.Sec*1e6 + r.Stime.Usec
}

// dial opens the connection go-libvirt is given: a plain socket, TLS over TCP or an SSH session.
func dial(network, address string) (net.Conn, error) {
	if network == "ssh" {
		return dialSSH(address)
	}
	if network != "tls" {
		return net.DialTimeout(network, address, 10*time.Second)
	}
	cert, err := tls.LoadX509KeyPair(os.Getenv("GO_TLS_CERT"), os.Getenv("GO_TLS_KEY"))
	if err != nil {
		return nil, err
	}
	ca, err := os.ReadFile(os.Getenv("GO_TLS_CA"))
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(ca)
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", address, &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: roots, ServerName: host})
	if err != nil {
		return nil, err
	}
	// As libvirt's client: the daemon sends one byte, 1, once it has checked our certificate.
	ok := make([]byte, 1)
	if _, err := io.ReadFull(c, ok); err != nil || ok[0] != 1 {
		c.Close()
		return nil, fmt.Errorf("server verification (of our certificate or IP address) failed")
	}
	return c, nil
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
		c, err := dial(network, address)
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
