<corpus>
