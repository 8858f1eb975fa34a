package services

import "strings"

// National returns the number as a Finn dials it, for display: a number
// written in international form ("+358 40 0000000", "00358...") becomes
// "040 0000000"; one written nationally is kept as written, with its
// spacing tidied ("09 2525 0111").
func (p Phone) National() string {
	n := strings.Join(strings.Fields(p.Number), " ")
	digits := strings.ReplaceAll(strings.NewReplacer("(", "", ")", "", "-", "").Replace(n), " ", "")
	var rest string
	switch {
	case strings.HasPrefix(digits, "+358"):
		rest = digits[4:]
	case strings.HasPrefix(digits, "00358"):
		rest = digits[5:]
	default:
		return n
	}
	rest = strings.TrimPrefix(rest, "0")
	if rest == "" {
		return n
	}
	// The area or operator code: 9 (Helsinki) and the one-digit area
	// codes 2, 3, 5, 6, 8 are one digit; mobile (4x, 50) and the
	// nationwide 20, 29, 30, 10 codes are two.
	code := 1
	if len(rest) > 2 && (rest[0] == '4' || strings.HasPrefix(rest, "50") || strings.HasPrefix(rest, "10") ||
		strings.HasPrefix(rest, "20") || strings.HasPrefix(rest, "29") || strings.HasPrefix(rest, "30")) {
		code = 2
	}
	if len(rest) <= code {
		return "0" + rest
	}
	return "0" + rest[:code] + " " + rest[code:]
}
