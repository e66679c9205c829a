//go:build ignore

// A program run with go run tool.go, outside every build of the package.
package main

// The keys here are fake, from rulestest.Key with seeds that are multiples
// of 101; they live under testdata so that no test source holds a key.

func main() {
	println("sk_test_2YIODwAQ7maiymx9Qp6doTW5KxwST3Ypw9EeNd2SwX")
}
