import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'saju-config-'));

describe('loadConfig', () => {
  it('has the documented defaults and is frozen', () => {
    const config = loadConfig({ DATA_DIR: tempDir() });
    assert.equal(config.port, 3000);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.accessTokenTtlSeconds, 900);
    assert.equal(config.refreshTokenTtlSeconds, 14 * 86400);
    assert.equal(config.refreshReuseGraceSeconds, 10);
    assert.equal(config.minAgeYears, 19);
    assert.equal(config.matchRequestsPerDay, 30);
    assert.ok(Object.isFrozen(config));
    assert.throws(() => {
      (config as { port: number }).port = 1;
    }, TypeError);
  });

  it('parses durations in s, m, h and d', () => {
    const config = loadConfig({ DATA_DIR: tempDir(), ACCESS_TOKEN_TTL: '2h', REFRESH_TOKEN_TTL: '30d' });
    assert.equal(config.accessTokenTtlSeconds, 7200);
    assert.equal(config.refreshTokenTtlSeconds, 30 * 86400);
  });

  it('names the variable of a bad value', () => {
    for (const [name, value] of [
      ['PORT', 'eighty'],
      ['PORT', '70000'],
      ['ACCESS_TOKEN_TTL', 'soon'],
      ['DATABASE_URL', 'not a url'],
      ['MIN_AGE_YEARS', '-1'],
      ['LOG_LEVEL', 'loud'],
      ['JWT_SECRET', 'short'],
    ]) {
      assert.throws(
        () => loadConfig({ DATA_DIR: tempDir(), [name!]: value! }),
        (err: Error) => err instanceof ConfigError && err.message.includes(name!),
        `${name}=${value}`,
      );
    }
  });

  it('lists every bad variable in one refusal, each with what was expected', () => {
    assert.throws(
      () => loadConfig({ DATA_DIR: tempDir(), PORT: '70000', LOG_LEVEL: 'loud', ACCESS_TOKEN_TTL: '0', REDIS_URL: 'redis:// x' }),
      (err: Error) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(
          err.message,
          [
            'Invalid configuration:',
            '  PORT: expected a whole number from 0 to 65535',
            '  REDIS_URL: expected a URL',
            '  ACCESS_TOKEN_TTL: expected a positive duration',
            '  LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent',
          ].join('\n'),
        );
        return true;
      },
    );
  });

  it('reads whole numbers in decimal only, and WEB_CONCURRENCY=auto as the cores this process may use', () => {
    assert.equal(loadConfig({ DATA_DIR: tempDir(), PORT: ' 8080 ' }).port, 8080);
    for (const port of ['1e3', '0x50', '80.5', '80 80', '+']) {
      assert.throws(() => loadConfig({ DATA_DIR: tempDir(), PORT: port }), /PORT: expected a whole number from 0 to 65535/, port);
    }
    const auto = loadConfig({ DATA_DIR: tempDir(), WEB_CONCURRENCY: 'auto', DATABASE_URL: 'postgres://db/x', REDIS_URL: 'redis://r' });
    assert.equal(auto.webConcurrency, availableParallelism());
    assert.throws(() => loadConfig({ DATA_DIR: tempDir(), WEB_CONCURRENCY: '65' }), /WEB_CONCURRENCY: expected a whole number from 1 to 64/);
  });

  it('requires JWT_SECRET in production and never falls back to a fixed one', () => {
    assert.throws(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: tempDir() }), /JWT_SECRET/);
    const dir = tempDir();
    const first = loadConfig({ DATA_DIR: dir });
    const second = loadConfig({ DATA_DIR: dir });
    assert.equal(first.jwtSecret, second.jwtSecret, 'kept in the data dir across restarts');
    assert.equal(readFileSync(join(dir, 'jwt-secret'), 'utf8').trim(), first.jwtSecret);
    assert.notEqual(loadConfig({ DATA_DIR: tempDir() }).jwtSecret, first.jwtSecret, 'each data dir its own secret');
  });

  it('stops the server process with a message naming the variable', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, PORT: 'not-a-port', DATA_DIR: tempDir(), DATABASE_URL: '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /PORT/);
  });
});
