package auth

// MatchTOTP exposes matchTOTP to the black-box tests, for the RFC 6238
// test vectors.
var MatchTOTP = matchTOTP
