import ../_data/importdir
