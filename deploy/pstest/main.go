// Command pstest-emulator serves Google's in-memory Pub/Sub fake (pstest) over gRPC
// on a loopback port, for machines where the gcloud Pub/Sub emulator is not installed.
//
// It speaks the same protocol as the official emulator, so clients find it through
// PUBSUB_EMULATOR_HOST exactly as they would the real one.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"syscall"

	"cloud.google.com/go/pubsub/v2/pstest"
)

func main() {
	host := flag.String("host", "127.0.0.1", "address to listen on (keep it on loopback)")
	port := flag.Int("port", 8085, "port to listen on")
	flag.Parse()

	addr := fmt.Sprintf("%s:%d", *host, *port)
	// pstest panics when it cannot listen; probe first so a taken port is a one-line error.
	probe, err := net.Listen("tcp", addr)
	if err != nil {
		log.Fatalf("pstest: cannot listen on %s: %v", addr, err)
	}
	probe.Close()
	srv := pstest.NewServerWithAddress(addr)
	// The same line the gcloud emulator prints, so launchers can wait for it.
	fmt.Printf("[pubsub] This is the Google Pub/Sub fake (pstest).\n[pubsub] Server started, listening on %d\n", *port)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
	if err := srv.Close(); err != nil {
		log.Printf("pstest: close: %v", err)
	}
}
