// The Dockerfile subset: parsing (continuations, comments, JSON form, flags) and what each instruction
// does to the base config, by tables; refusals name the file and line.
import { describe, expect, it } from 'vitest';
import { planBuild, readFrom, type RuntimeConfig } from '../../src/image/build-plan.js';
import { parseDockerfile } from '../../src/image/dockerfile.js';
import { ImageInputError } from '../../src/image/errors.js';

const BASE: RuntimeConfig = { Env: ['PATH=/usr/bin', 'HOME=/root'], Cmd: ['node'], WorkingDir: '/' };

function plan(text: string, base: RuntimeConfig = BASE) {
  const from = readFrom(parseDockerfile(text), 'Dockerfile');
  return { from, plan: planBuild(from.rest, base, from.args, 'Dockerfile') };
}

function refusal(text: string): string {
  try {
    plan(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ImageInputError);
    return (error as Error).message;
  }
  throw new Error('not refused');
}

describe('Dockerfile parsing', () => {
  it('joins continuations, skips comments (also inside continuations), keeps the keyword line and reads JSON and flags', () => {
    const steps = parseDockerfile('# c\nFROM base\n\nENV A=1 \\\n# inside\n    B=2\nCOPY --chown=1:2 a b\nCMD ["x", "y"]\n');
    expect(steps.map((s) => [s.keyword, s.args, s.line])).toEqual([['FROM', 'base', 2], ['ENV', 'A=1  B=2', 4], ['COPY', 'a b', 7], ['CMD', '["x", "y"]', 8]]);
    expect(steps[2]?.flags).toEqual({ chown: '1:2' });
    expect(steps[3]?.json).toEqual(['x', 'y']);
  });
});

describe('build plan', () => {
  it.each([
    ['ENV pairs with quotes and substitution', 'ENV A=1 B="two words" C=${A}x D=$HOME/y', { Env: ['PATH=/usr/bin', 'HOME=/root', 'A=1', 'B=two words', 'C=x', 'D=/root/y'] }],
    ['legacy ENV key value', 'ENV GREETING hello world', { Env: ['PATH=/usr/bin', 'HOME=/root', 'GREETING=hello world'] }],
    ['ENV replaces a base variable in place', 'ENV PATH=/opt/bin:$PATH', { Env: ['PATH=/opt/bin:/usr/bin', 'HOME=/root'] }],
    ['relative WORKDIR joins the previous one', 'WORKDIR /home\nWORKDIR site/wwwroot', { WorkingDir: '/home/site/wwwroot' }],
    ['ENTRYPOINT resets the base CMD', 'ENTRYPOINT ["node", "x.js"]', { Entrypoint: ['node', 'x.js'], Cmd: null }],
    ['CMD after ENTRYPOINT stays', 'ENTRYPOINT ["node"]\nCMD ["x.js"]', { Entrypoint: ['node'], Cmd: ['x.js'] }],
    ['shell form CMD', 'CMD node x.js', { Cmd: ['/bin/sh', '-c', 'node x.js'] }],
    ['EXPOSE with and without protocol', 'EXPOSE 80 53/udp', { ExposedPorts: { '80/tcp': {}, '53/udp': {} } }],
    ['LABEL pairs', 'LABEL a=1 "b c"="d e"', { Labels: { a: '1', 'b c': 'd e' } }],
    ['USER with substitution', 'ARG U=1000\nUSER $U:$U', { User: '1000:1000' }],
  ])('%s', (_name, body, expected) => {
    expect(plan(`FROM base\n${body}\n`).plan.config).toMatchObject(expected);
  });

  it('ARG before FROM names the base; --platform is read', () => {
    const { from } = plan('ARG BASE=localhost:5000/b:1\nFROM --platform=linux/arm64 ${BASE}\n');
    expect(from.base).toBe('localhost:5000/b:1');
    expect(from.platform).toBe('linux/arm64');
  });

  it('COPY steps resolve against WORKDIR; npm install, npm ci and npm run build are recorded', () => {
    const { plan: p } = plan('FROM b\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev && npm run build\nCOPY --chown=1000:1000 --chmod=755 . .\n');
    expect(p.copies).toEqual([
      { sources: ['package*.json'], dest: '/app/', uid: 0, gid: 0, line: 3 },
      { sources: ['.'], dest: '/app/', uid: 1000, gid: 1000, chmod: 0o755, line: 5 },
    ]);
    expect(p.npmInstall).toEqual({ command: 'ci', workdir: '/app' });
    expect(p.npmBuild).toBe(true);
  });

  it.each([
    ['RUN apt-get install -y curl', /^Dockerfile:3: RUN apt-get install -y curl — cannot run "apt-get install -y curl": tide builds without Docker/],
    ['RUN npm install left-pad', /cannot run "npm install left-pad"/],
    ['ADD https://example.com/x /x', /Dockerfile:3: ADD .* ADD is not supported without Docker; use COPY/],
    ['HEALTHCHECK CMD true', /HEALTHCHECK is not supported without Docker/],
    ['COPY --from=build /x /y', /COPY --from needs a multi-stage build/],
    ['COPY --chown=node:node . .', /numeric ids/],
    ['FROM other AS second', /Dockerfile:3: FROM other AS second — multi-stage builds need Docker/],
  ])('refuses %s with the line', (line, message) => {
    expect(refusal(`FROM b\nWORKDIR /app\n${line}\n`)).toMatch(message);
  });

  it('refuses a Dockerfile without FROM', () => {
    expect(refusal('ENV A=1\n')).toMatch(/Dockerfile:1: ENV A=1 — only ARG may come before FROM/);
    expect(refusal('# nothing\n')).toMatch(/no FROM instruction/);
  });
});
