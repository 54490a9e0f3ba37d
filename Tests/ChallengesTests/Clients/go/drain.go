// A Go client that GETs $WIRELAB_URL + path (default /bytes/100000) five times with one
// http.Client. Its one argument says what it does with each response body:
//   drain:  io.Copy(io.Discard, resp.Body), then Close (the connection goes back to the pool)
//   close:  Close without reading
//   leak:   neither read nor close
// Standard library only; build with GO111MODULE=off go build drain.go.
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: drain drain|close|leak [path]")
		os.Exit(64)
	}
	mode := os.Args[1]
	path := "/bytes/100000"
	if len(os.Args) > 2 {
		path = os.Args[2]
	}
	client := &http.Client{}
	for i := 1; i <= 5; i++ {
		resp, err := client.Get(os.Getenv("WIRELAB_URL") + path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "GET", i, "failed:", err)
			os.Exit(1)
		}
		switch mode {
		case "drain":
			n, _ := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			fmt.Println("GET", i, resp.StatusCode, "read", n, "bytes, closed")
		case "close":
			resp.Body.Close()
			fmt.Println("GET", i, resp.StatusCode, "closed unread")
		case "leak":
			fmt.Println("GET", i, resp.StatusCode, "neither read nor closed")
		default:
			fmt.Fprintln(os.Stderr, "unknown mode", mode)
			os.Exit(64)
		}
	}
}
