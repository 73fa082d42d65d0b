<corpus/data.txt>
