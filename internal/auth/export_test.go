package auth

import (
	"encoding/base64"
	"fmt"

	"golang.org/x/crypto/argon2"
)

// MatchTOTP exposes matchTOTP to the black-box tests, for the RFC 6238
// test vectors.
var MatchTOTP = matchTOTP

// UseFullCostDummy makes unknown accounts check a hash of the program's
// argon2id cost (19 MiB, two passes), where test binaries otherwise hash
// cheaply: for the login flood benchmark, which measures that memory.
func (a *Authenticator) UseFullCostDummy() {
	salt := make([]byte, 16)
	key := argon2.IDKey([]byte("not a password"), salt, 2, 19*1024, 1, 32)
	a.dummyHash = fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=1$%s$%s", argon2.Version, 19*1024, 2,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}
