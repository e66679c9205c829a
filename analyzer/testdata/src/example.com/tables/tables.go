// Package tables mixes string literals with other literals as long as a key,
// as tables of data do: only the strings are read, and only the key is
// reported.
package tables

// The key here is fake, from rulestest.Key with a seed that is a multiple
// of 101; it lives under testdata so that no test source holds a key.

const (
	big   = 123456789012345678901234567890123456789012345678901234567890
	float = 1.2345678901234567890123456789012345678901234567890123456789
	imag  = 1.2345678901234567890123456789012345678901234567890123456789i
)

var widths = map[string]float64{
	"narrow": 0.50000000000000000000000000000000000000000000000000000001,
	"sk_live_qD91jzfI9uzMxf5f9OK1eAWt17wUsHwjzFFdfRdVOS": 1, // want `key sk_live_…dVOS; load it from the environment, e\.g\. os\.Getenv\("BAYT_API_KEY"\)$`
	"wide": 2.00000000000000000000000000000000000000000000000000000001,
}

var runes = map[string]rune{"space": ' ', "quote": '\'', "omega": '\U000003A9'}
