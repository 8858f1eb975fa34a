package auth

import (
	"bytes"
	"context"
	"crypto/subtle"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"

	"github.com/serie-verkosto/directory/internal/apperr"
	"github.com/serie-verkosto/directory/internal/db"
	"github.com/serie-verkosto/directory/internal/users"
)

// TOTP parameters: RFC 6238's defaults, which every authenticator app
// understands (SHA-1, 6 digits, 30-second steps).
const (
	totpPeriod = 30
	// totpSkew accepts the codes of one step before and after the
	// current one, for clocks a little apart and slow typists.
	totpSkew = 1
)

var totpOpts = hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// TOTPStep returns the RFC 6238 time step of t.
func TOTPStep(t time.Time) int64 {
	s := t.Unix()
	if s < 0 {
		return (s - totpPeriod + 1) / totpPeriod // floor, not toward zero
	}
	return s / totpPeriod
}

// normalizeCode drops the spaces and dashes people type into codes.
func normalizeCode(code string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\u00a0' {
			return -1
		}
		return r
	}, code)
}

// matchTOTP returns the time step whose code is code, among the steps
// around now that are newer than after; false when none matches (a wrong
// code, an expired one, or one already used).
func matchTOTP(secret, code string, now time.Time, after int64) (int64, bool) {
	code = normalizeCode(code)
	if secret == "" || len(code) != totpOpts.Digits.Length() {
		return 0, false
	}
	cur := TOTPStep(now)
	for step := cur - totpSkew; step <= cur+totpSkew; step++ {
		if step <= after || step < 0 {
			continue
		}
		want, err := hotp.GenerateCodeCustom(secret, uint64(step), totpOpts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, true
		}
	}
	return 0, false
}

// Enrolment is a new TOTP secret for the user to add to an authenticator
// app: by scanning URL as a QR code (see QRCodePNG) or typing Secret.
type Enrolment struct {
	Secret string
	URL    string
}

// BeginTOTP starts TOTP enrolment for the user of the session (an
// enrolment-only session will do): it stores a new pending secret,
// replacing any earlier pending one, and returns it to show. Unauthorized
// when the session has ended; Conflict when TOTP is already on.
func (a *Authenticator) BeginTOTP(ctx context.Context, token string) (Enrolment, error) {
	_, u, err := a.EnrolmentSession(ctx, token)
	if err != nil {
		return Enrolment{}, err
	}
	if u.TOTPEnabled {
		return Enrolment{}, apperr.Keyed(apperr.Conflict, "err.totp_enabled", "two-step verification is already on")
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: a.opts.Issuer, AccountName: u.Email, Period: totpPeriod,
		SecretSize: 20, Digits: totpOpts.Digits, Algorithm: totpOpts.Algorithm})
	if err != nil {
		return Enrolment{}, fmt.Errorf("totp key: %w", err)
	}
	if err := a.users.SetTOTPSecret(ctx, u.ID, key.Secret()); err != nil {
		return Enrolment{}, err
	}
	return Enrolment{Secret: key.Secret(), URL: key.URL()}, nil
}

func errCodeField() error {
	var fs apperr.Fields
	fs.Add("code", KeyTOTPInvalid, "wrong or expired code")
	return fs.Err()
}

// ConfirmTOTP turns TOTP on for the user of the session once they show a
// code of the pending secret. Every session of the user ends and a new,
// full one starts: the returned token replaces the cookie. Unauthorized
// when the session has ended; Conflict when no enrolment is pending or TOTP
// is already on; Invalid with field "code" (KeyTOTPInvalid) for a wrong
// code; TooMany when the account has tried too often.
func (a *Authenticator) ConfirmTOTP(ctx context.Context, token, code, userAgent string) (string, error) {
	_, u, err := a.EnrolmentSession(ctx, token)
	if err != nil {
		return "", err
	}
	if u.TOTPEnabled {
		return "", apperr.Keyed(apperr.Conflict, "err.totp_enabled", "two-step verification is already on")
	}
	if u.TOTPSecret == "" {
		return "", apperr.Keyed(apperr.Conflict, "err.totp_not_started", "start setting up two-step verification first")
	}
	if err := a.allowUser(ctx, u); err != nil {
		return "", err
	}
	step, ok := matchTOTP(u.TOTPSecret, code, a.now(), u.TOTPLastStep)
	if !ok {
		return "", errCodeField()
	}
	if err := a.users.EnableTOTP(db.WithActor(ctx, u.ID), u.ID, u.TOTPSecret, step); err != nil {
		return "", err
	}
	if u, err = a.users.ByID(ctx, u.ID); err != nil {
		return "", err
	}
	return a.newSession(ctx, u, false, userAgent)
}

// DisableTOTP turns TOTP off for the user of the session, given a current
// code. Every session of the user ends and a new one starts: the returned
// token replaces the cookie. Forbidden (KeyAdminNeedsTOTP) for admins, who
// must keep it (another admin resets a lost device with
// users.Store.DisableTOTP); Conflict when TOTP is off; Invalid with field
// "code" for a wrong or used code; TooMany when the account has tried too
// often.
func (a *Authenticator) DisableTOTP(ctx context.Context, token, code, userAgent string) (string, error) {
	_, u, err := a.Session(ctx, token)
	if err != nil {
		return "", err
	}
	if u.Role == users.RoleAdmin {
		return "", apperr.Keyed(apperr.Forbidden, KeyAdminNeedsTOTP, "admins must keep two-step verification on")
	}
	if !u.TOTPEnabled {
		return "", apperr.Keyed(apperr.Conflict, "err.totp_off", "two-step verification is not on")
	}
	if err := a.allowUser(ctx, u); err != nil {
		return "", err
	}
	step, ok := matchTOTP(u.TOTPSecret, code, a.now(), u.TOTPLastStep)
	if !ok {
		return "", errCodeField()
	}
	if fresh, err := a.users.UseTOTPStep(ctx, u.ID, step); err != nil {
		return "", err
	} else if !fresh {
		return "", errCodeField()
	}
	if err := a.users.DisableTOTP(db.WithActor(ctx, u.ID), u.ID); err != nil {
		return "", err
	}
	if u, err = a.users.ByID(ctx, u.ID); err != nil {
		return "", err
	}
	return a.newSession(ctx, u, false, userAgent)
}

// QRCodePNG renders an otpauth URL (Enrolment.URL) as a PNG QR code of
// size×size pixels, for the enrolment page to serve from its own URL (a
// strict Content-Security-Policy may refuse data: images).
func QRCodePNG(url string, size int) ([]byte, error) {
	key, err := otp.NewKeyFromURL(url)
	if err != nil {
		return nil, apperr.Errorf(apperr.Invalid, "not an otpauth URL")
	}
	img, err := key.Image(size, size)
	if err != nil {
		return nil, fmt.Errorf("qr code: %w", err)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("qr code: %w", err)
	}
	return b.Bytes(), nil
}
