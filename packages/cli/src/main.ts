process.stderr.write('m: not implemented yet\n');
process.exit(1);
