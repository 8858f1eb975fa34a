package ptv_test

import (
	"math"
	"testing"

	"github.com/serie-verkosto/directory/internal/ptv"
)

// The reference point is G4 (Geta) from JHS 197 annex 3, the Finnish public
// administration's worked example of the ETRS-TM35FIN projection:
// φ 60° 23′ 6.38474″, λ 19° 50′ 53.29237″ ↔ N 6715706.37708, E 106256.35961.
const (
	getaLat = 60 + 23.0/60 + 6.38474/3600
	getaLon = 19 + 50.0/60 + 53.29237/3600
	getaN   = 6715706.37708
	getaE   = 106256.35961
)

// metres between two nearby WGS84 points (equirectangular is plenty here).
func metres(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371000
	x := (lon2 - lon1) * math.Pi / 180 * math.Cos((lat1+lat2)/2*math.Pi/180)
	y := (lat2 - lat1) * math.Pi / 180
	return r * math.Hypot(x, y)
}

func TestTM35FINToWGS84(t *testing.T) {
	tests := []struct {
		name      string
		n, e      float64
		lat, lon  float64
		tolMetres float64
	}{
		{"JHS 197 G4 Geta", getaN, getaE, getaLat, getaLon, 0.01},
		// On the central meridian the easting is exactly 500000 at any latitude.
		{"central meridian", 7000000, 500000, 63.1, 27, 5000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lat, lon := ptv.TM35FINToWGS84(tt.n, tt.e)
			if d := metres(lat, lon, tt.lat, tt.lon); d > tt.tolMetres {
				t.Errorf("TM35FINToWGS84(%v, %v) = %.8f, %.8f; %.3f m from %.8f, %.8f", tt.n, tt.e, lat, lon, d, tt.lat, tt.lon)
			}
			if tt.name == "central meridian" && math.Abs(lon-27) > 1e-9 {
				t.Errorf("longitude on the central meridian = %v, want 27", lon)
			}
		})
	}
}

func TestWGS84ToTM35FIN(t *testing.T) {
	n, e := ptv.WGS84ToTM35FIN(getaLat, getaLon)
	if math.Abs(n-getaN) > 0.001 || math.Abs(e-getaE) > 0.001 {
		t.Errorf("WGS84ToTM35FIN(G4) = N %.5f E %.5f, want N %.5f E %.5f", n, e, getaN, getaE)
	}
}

// Round trips over the whole of Finland stay within a millimetre.
func TestTM35FINRoundTrip(t *testing.T) {
	for lat := 59.5; lat <= 70.1; lat += 0.5 {
		for lon := 19.0; lon <= 31.6; lon += 0.5 {
			n, e := ptv.WGS84ToTM35FIN(lat, lon)
			gotLat, gotLon := ptv.TM35FINToWGS84(n, e)
			if d := metres(lat, lon, gotLat, gotLon); d > 0.001 {
				t.Fatalf("round trip of %v, %v is %.4f m off", lat, lon, d)
			}
		}
	}
	// A rough sanity point (central Helsinki, coordinates read off a map to a
	// few hundred metres): catches swapped axes or a wrong zone, not precision.
	lat, lon := ptv.TM35FINToWGS84(6672380, 385870)
	if d := metres(lat, lon, 60.1695, 24.9525); d > 1000 {
		t.Errorf("Senate Square at %.5f, %.5f is %.0f m from 60.1695, 24.9525", lat, lon, d)
	}
}
