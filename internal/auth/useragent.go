package auth

import "strings"

// SummarizeUserAgent reduces a User-Agent header to a browser and a
// system ("Firefox, Linux"), enough for a person to recognise their
// sessions and too little to fingerprint them. Unknown parts are left out;
// "" when nothing is recognised.
func SummarizeUserAgent(ua string) string {
	// Order matters: Edge and Opera also say Chrome, Chrome also says
	// Safari, Android also says Linux, iOS also says Mac OS X.
	browsers := []struct{ token, name string }{
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"}, {"FxiOS/", "Firefox"},
		{"CriOS/", "Chrome"}, {"Chrome/", "Chrome"}, {"Safari/", "Safari"}, {"curl/", "curl"},
	}
	systems := []struct{ token, name string }{
		{"Android", "Android"}, {"iPhone", "iOS"}, {"iPad", "iPadOS"}, {"Windows", "Windows"},
		{"Mac OS X", "macOS"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"},
	}
	var parts []string
	for _, b := range browsers {
		if strings.Contains(ua, b.token) {
			parts = append(parts, b.name)
			break
		}
	}
	for _, s := range systems {
		if strings.Contains(ua, s.token) {
			parts = append(parts, s.name)
			break
		}
	}
	return strings.Join(parts, ", ")
}
