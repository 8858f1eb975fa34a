package ptv

import "math"

// ETRS-TM35FIN (EPSG:3067) is a transverse Mercator projection of the GRS80
// ellipsoid: central meridian 27° E, scale 0.9996, false easting 500 000 m.
// The formulas are the Krüger series of JHS 154 / JHS 197 (the Finnish public
// administration's recommendations), accurate to well under a millimetre in
// Finland. No Go library on the module proxy fits without cgo (go-proj needs
// the C PROJ library), and the transform is thirty lines.
//
// ETRS89 and WGS84 differ by well under a metre here, far below what a map
// pin needs, so the geodetic result is used as WGS84.
const (
	grs80A = 6378137.0
	grs80F = 1 / 298.257222101
	tmK0   = 0.9996
	tmLon0 = 27.0 * math.Pi / 180
	tmE0   = 500000.0
	tmN    = grs80F / (2 - grs80F)
	tmA1   = grs80A / (1 + tmN) * (1 + tmN*tmN/4 + tmN*tmN*tmN*tmN/64)
	tmE2   = 2*grs80F - grs80F*grs80F
)

var tmE = math.Sqrt(tmE2)

// TM35FINToWGS84 converts an EPSG:3067 northing and easting (metres) to
// latitude and longitude in degrees.
func TM35FINToWGS84(northing, easting float64) (lat, lon float64) {
	n := tmN
	n2, n3, n4 := n*n, n*n*n, n*n*n*n
	h1 := n/2 - 2*n2/3 + 37*n3/96 - n4/360
	h2 := n2/48 + n3/15 - 437*n4/1440
	h3 := 17*n3/480 - 37*n4/840
	h4 := 4397 * n4 / 161280

	zeta := northing / (tmA1 * tmK0)
	eta := (easting - tmE0) / (tmA1 * tmK0)
	zp := zeta - h1*math.Sin(2*zeta)*math.Cosh(2*eta) - h2*math.Sin(4*zeta)*math.Cosh(4*eta) -
		h3*math.Sin(6*zeta)*math.Cosh(6*eta) - h4*math.Sin(8*zeta)*math.Cosh(8*eta)
	ep := eta - h1*math.Cos(2*zeta)*math.Sinh(2*eta) - h2*math.Cos(4*zeta)*math.Sinh(4*eta) -
		h3*math.Cos(6*zeta)*math.Sinh(6*eta) - h4*math.Cos(8*zeta)*math.Sinh(8*eta)
	beta := math.Asin(math.Sin(zp) / math.Cosh(ep))
	l := math.Asin(math.Tanh(ep) / math.Cos(beta))
	q := math.Asinh(math.Tan(beta))
	qp := q + tmE*math.Atanh(tmE*math.Tanh(q))
	for range 4 { // converges to double precision in three or four rounds
		qp = q + tmE*math.Atanh(tmE*math.Tanh(qp))
	}
	phi := math.Atan(math.Sinh(qp))
	return phi * 180 / math.Pi, (tmLon0 + l) * 180 / math.Pi
}

// WGS84ToTM35FIN is the forward projection, for test fixtures.
func WGS84ToTM35FIN(lat, lon float64) (northing, easting float64) {
	n := tmN
	n2, n3, n4 := n*n, n*n*n, n*n*n*n
	h1 := n/2 - 2*n2/3 + 5*n3/16 + 41*n4/180
	h2 := 13*n2/48 - 3*n3/5 + 557*n4/1440
	h3 := 61*n3/240 - 103*n4/140
	h4 := 49561 * n4 / 161280

	phi := lat * math.Pi / 180
	l := lon*math.Pi/180 - tmLon0
	q := math.Asinh(math.Tan(phi)) - tmE*math.Atanh(tmE*math.Sin(phi))
	beta := math.Atan(math.Sinh(q))
	ep := math.Atanh(math.Cos(beta) * math.Sin(l))
	zp := math.Asin(math.Sin(beta) / (1 / math.Cosh(ep)))
	zeta := zp + h1*math.Sin(2*zp)*math.Cosh(2*ep) + h2*math.Sin(4*zp)*math.Cosh(4*ep) +
		h3*math.Sin(6*zp)*math.Cosh(6*ep) + h4*math.Sin(8*zp)*math.Cosh(8*ep)
	eta := ep + h1*math.Cos(2*zp)*math.Sinh(2*ep) + h2*math.Cos(4*zp)*math.Sinh(4*ep) +
		h3*math.Cos(6*zp)*math.Sinh(6*ep) + h4*math.Cos(8*zp)*math.Sinh(8*ep)
	return tmA1 * zeta * tmK0, tmA1*eta*tmK0 + tmE0
}
