package rules_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/clarolint/clarolint/rules"
	"github.com/clarolint/clarolint/rules/rulestest"
)

func TestSecretNeverPrints(t *testing.T) {
	t.Parallel()
	key := rulestest.Key(rules.Live, 11)
	s := rules.Secret(key)
	v := struct{ Key rules.Secret }{s}
	j, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{
		fmt.Sprint(s), fmt.Sprintf("%s %v %q %x %#v %+v", s, s, s, s, s, v), fmt.Sprintf("%#v", v), s.String(), string(j),
	} {
		if strings.Contains(out, key[8:]) {
			t.Errorf("a Secret printed its body: %s", rules.Redact([]byte(key)))
		}
	}
	if s.Reveal() != key {
		t.Error("Reveal does not return the key")
	}
}
