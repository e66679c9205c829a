package main

import "testing"

func TestDedupe(t *testing.T) {
	t.Parallel()
	in := `{"p":{"clarolint":[{"posn":"a.go:1:2","end":"a.go:1:9","message":"m"}]},
	"p [p.test]":{"clarolint":[{"posn":"a.go:1:2","end":"a.go:1:9","message":"m"},{"posn":"a_test.go:3:4","end":"a_test.go:3:9","message":"m"}]},
	"q":{"clarolint":{"error":"type error"}}}`
	out, err := dedupe([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n\t\"p\": {\n\t\t\"clarolint\": [\n\t\t\t{\n\t\t\t\t\"posn\": \"a.go:1:2\",\n\t\t\t\t\"end\": \"a.go:1:9\",\n\t\t\t\t\"message\": \"m\"\n\t\t\t}\n\t\t]\n\t},\n" +
		"\t\"p [p.test]\": {\n\t\t\"clarolint\": [\n\t\t\t{\n\t\t\t\t\"posn\": \"a_test.go:3:4\",\n\t\t\t\t\"end\": \"a_test.go:3:9\",\n\t\t\t\t\"message\": \"m\"\n\t\t\t}\n\t\t]\n\t},\n" +
		"\t\"q\": {\n\t\t\"clarolint\": {\n\t\t\t\"error\": \"type error\"\n\t\t}\n\t}\n}\n"
	if string(out) != want {
		t.Errorf("dedupe:\n%s\nwant:\n%s", out, want)
	}
	if _, err := dedupe([]byte("not json")); err == nil {
		t.Error("dedupe accepted text that is not JSON")
	}
}
