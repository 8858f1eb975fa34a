// Command loginflood sends concurrent failing logins to a running
// directory, each from its own loopback address (127.0.0.2, 127.0.0.3,
// ...: Linux routes all of 127/8 to the machine), so that the per-address
// throttle lets each one hash, and prints what came back. Watch the
// server's peak memory meanwhile, e.g. grep VmHWM /proc/PID/status.
//
//	go run ./tools/loginflood -url http://127.0.0.1:8080 -n 200 -rounds 5
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "the directory's base `URL`")
	n := flag.Int("n", 200, "concurrent logins, each from its own address")
	rounds := flag.Int("rounds", 3, "how many times to send them")
	flag.Parse()
	if *n < 1 || *n > 60000 {
		fmt.Fprintln(os.Stderr, "loginflood: -n must be 1..60000")
		os.Exit(2)
	}
	var mu sync.Mutex
	codes := map[string]int{}
	start := time.Now()
	for r := range *rounds {
		var wg sync.WaitGroup
		for i := range *n {
			wg.Go(func() {
				ip := net.IPv4(127, byte((i+2)>>16), byte((i+2)>>8), byte(i+2))
				c := &http.Client{Timeout: time.Minute, Transport: &http.Transport{
					DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}}).DialContext}}
				form := url.Values{"email": {fmt.Sprintf("flood-%d-%d@example.fi", r, i)}, "password": {"ei oikea salasana"}}
				resp, err := c.PostForm(*base+"/login", form)
				key := ""
				if err != nil {
					key = "error: " + strings.SplitN(err.Error(), ":", 2)[0]
				} else {
					key = resp.Status
					resp.Body.Close()
				}
				mu.Lock()
				codes[key]++
				mu.Unlock()
			})
		}
		wg.Wait()
	}
	keys := make([]string, 0, len(codes))
	for k := range codes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Printf("%d logins in %s:\n", *n**rounds, time.Since(start).Round(time.Millisecond))
	for _, k := range keys {
		fmt.Printf("  %6d  %s\n", codes[k], k)
	}
}
