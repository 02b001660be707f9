// duckdb.mjs - run one SQL query with DuckDB and print its result as CSV.
//
//     node bench/duckdb.mjs "SELECT status, count(*) FROM read_csv('access.csv') GROUP BY status"
//
// DuckDB comes from npm (`npm install --prefix bench/.work/node @duckdb/node-api`);
// DUCKDB_NODE_DIR overrides that prefix. DuckDB writes the CSV itself (COPY ...
// TO '/dev/stdout'), so quoting and number formatting are DuckDB's own.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const prefix = process.env.DUCKDB_NODE_DIR || join(here, '.work', 'node');
const sql = process.argv[2];
if (!sql) {
  process.stderr.write('usage: node duckdb.mjs SQL\n');
  process.exit(2);
}
let api;
try {
  api = createRequire(join(prefix, 'package.json'))('@duckdb/node-api');
} catch (e) {
  process.stderr.write(`duckdb.mjs: @duckdb/node-api not found under ${prefix}: ${e.message}\n`);
  process.exit(1);
}
try {
  const instance = await api.DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  await con.run(`COPY (${sql}) TO '/dev/stdout' (FORMAT csv, HEADER true)`);
} catch (e) {
  process.stderr.write(`duckdb.mjs: ${e.message}\n`);
  process.exit(1);
}
