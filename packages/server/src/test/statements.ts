import { PostgresQueryCompiler, SqliteQueryCompiler, type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs } from 'kysely';
import { TEST_ENGINE } from './harness.js';

/** Records the SQL of every statement run through the database it is plugged into, transactions included. */
export class Statements implements KyselyPlugin {
  readonly sql: string[] = [];
  readonly #compiler = TEST_ENGINE === 'postgres' ? new PostgresQueryCompiler() : new SqliteQueryCompiler();

  transformQuery({ node, queryId }: PluginTransformQueryArgs) {
    this.sql.push(this.#compiler.compileQuery(node, queryId).sql);
    return node;
  }

  async transformResult({ result }: PluginTransformResultArgs) {
    return result;
  }

  /** How many statements read `table`. */
  reads(table: string): number {
    return this.sql.filter((s) => s.startsWith('select') && s.includes(`from "${table}"`)).length;
  }
}

