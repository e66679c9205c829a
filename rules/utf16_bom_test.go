package rules_test

import (
	"math/rand/v2"
	"testing"
	utf16enc "unicode/utf16"

	"github.com/clarolint/clarolint/rules"
)

// TestUTF16BOMNeedsText: a byte-order mark makes UTF-16 text of any script,
// but not of random bytes that happen to start with one.
func TestUTF16BOMNeedsText(t *testing.T) {
	t.Parallel()
	le := func(s string) []byte {
		b := []byte{0xFF, 0xFE}
		for _, u := range utf16enc.Encode([]rune(s)) {
			b = append(b, byte(u), byte(u>>8))
		}
		return b
	}
	if enc, n := rules.UTF16(le("设置 API 密钥: 请从环境变量读取 😀\r\n")); enc != rules.UTF16LE || n != 2 {
		t.Errorf("CJK text with a BOM: %q, %d", enc, n)
	}
	r := rand.New(rand.NewPCG(1, 2))
	random := []byte{0xFE, 0xFF}
	for range 8190 {
		random = append(random, byte(r.Uint32()))
	}
	if enc, _ := rules.UTF16(random); enc != "" {
		t.Errorf("random bytes after a BOM read as %q", enc)
	}
}
