package seed

import "github.com/serie-verkosto/directory/internal/search"

// SearchConfig is the search index in dir with the curated word lists kept
// here beside the data: compounds.txt (decompounding) and synonyms.yaml.
func SearchConfig(dir string) (search.Config, error) {
	compounds, err := search.LoadCompounds(Files, "compounds.txt")
	if err != nil {
		return search.Config{}, err
	}
	syn, err := search.LoadSynonyms(Files, "synonyms.yaml")
	if err != nil {
		return search.Config{}, err
	}
	return search.Config{Dir: dir, Compounds: compounds, Synonyms: syn}, nil
}
