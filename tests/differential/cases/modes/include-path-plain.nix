<data.txt>
