package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
)

// dedupeJSON runs the checker with args, which ask for -json, in dir, and
// writes its JSON to stdout with each report once. Run standalone, the
// checker analyzes a package with tests twice, as "p" and "p [p.test]";
// both hold the package's non-test files, and singlechecker's -json lists
// their reports under both IDs (its text output already drops the
// duplicates). A report is kept under the first package ID that has it, in
// sorted order, which puts "p" before its test variant. It returns the
// exit status.
func dedupeJSON(dir string, args, env []string, stdout, stderr io.Writer) int {
	var out bytes.Buffer
	code := checker(dir, args, env, &out, stderr)
	deduped, err := dedupe(out.Bytes())
	if err != nil { // not the JSON tree: pass it on as it is
		deduped = out.Bytes()
	}
	if _, err := stdout.Write(deduped); err != nil {
		fmt.Fprintf(stderr, "clarolint-vet: %v\n", err)
		return 1
	}
	return code
}

// dedupe drops the reports that an earlier package ID of the JSON tree
// ({package ID: {analyzer: [diagnostic] or {error}}}) already has.
func dedupe(tree []byte) ([]byte, error) {
	var t map[string]map[string]json.RawMessage
	if err := json.Unmarshal(tree, &t); err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(t))
	for id := range t {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	seen := map[string]bool{}
	for _, id := range ids {
		for name, raw := range t[id] {
			var diags []json.RawMessage
			if json.Unmarshal(raw, &diags) != nil {
				continue // an error object, not a list of reports
			}
			kept := diags[:0]
			for _, d := range diags {
				var k struct{ Posn, End, Message string }
				if err := json.Unmarshal(d, &k); err != nil {
					return nil, err
				}
				key := name + "\x00" + k.Posn + "\x00" + k.End + "\x00" + k.Message
				if !seen[key] {
					seen[key] = true
					kept = append(kept, d)
				}
			}
			if len(kept) == 0 {
				delete(t[id], name)
				continue
			}
			b, err := json.Marshal(kept)
			if err != nil {
				return nil, err
			}
			t[id][name] = b
		}
		if len(t[id]) == 0 {
			delete(t, id)
		}
	}
	b, err := json.MarshalIndent(t, "", "\t")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
