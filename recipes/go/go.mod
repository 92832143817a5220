module jwe-steps/recipes

go 1.25

require github.com/go-jose/go-jose/v4 v4.1.9
